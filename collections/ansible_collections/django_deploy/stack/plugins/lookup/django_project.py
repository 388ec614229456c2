"""Lookup django_project: what the deployment needs to know of a Django project, on the controller.

    lookup('django_deploy.stack.django_project', source_dir, settings_module='',
           requirements_file='requirements.txt', base_image='debian:trixie-slim')

reads the project's files, never imports them, and returns one dict:

- settings_module: the settings_module option, else the module manage.py sets
  DJANGO_SETTINGS_MODULE to ("" when it sets none);
- requirements: the requirements file and every file it includes (-r, -c, --requirement,
  --constraint, followed from each file's own directory), as paths relative to source_dir, in
  the order found; or a uv.lock or poetry.lock and its pyproject.toml (named, or found when there
  is no requirements.txt); the image build installs from the first;
- build_files: the same files as extra files of the image's build context: src (on the
  controller) and dest (below project/);
- processes: the Procfile's process types, name -> command, in file order ({} without one);
- django_version: the Django release (X.Y) the requirements pin (==, ~=) or the lock holds, or "";
- dependency_digest: a SHA-256 of the dependency files (each one's path and content): what the
  web image installs, so a change of any of them (an include, a lock) needs a new image;
- errors: what keeps the project from deploying, each naming the setting or file to fix; among
  them a pinned Django that needs a newer Python than the base image's Debian release has.
"""

import hashlib
import os
import re

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

DOCUMENTATION = r"""
name: django_project
short_description: the settings module, requirement files and Procfile of a Django project
description:
  - Reads a Django project's manage.py, requirements file (with its -r and -c includes) and Procfile
    on the controller and returns what the deployment needs, with the errors that stop a deploy.
options:
  _terms:
    description: The project's directory on the controller (where manage.py is).
    required: true
  settings_module:
    description: The settings module to use instead of the one manage.py names.
    type: str
    default: ""
  base_image:
    description:
      - The web image's base (django_stack_base_image). When its name has a Debian release's
        code name, a Django pin that needs a newer Python than that release has is an error.
    type: str
    default: ""
  requirements_file:
    description:
      - The requirements file, relative to the project's directory, or a uv.lock or poetry.lock
        (with the pyproject.toml beside it). Left at requirements.txt and absent, the project's
        uv.lock or poetry.lock.
    type: str
    default: requirements.txt
"""

RETURN = r"""
_raw:
  description: >-
    One dict with settings_module, requirements, build_files, processes, django_version,
    dependency_digest and errors.
  type: list
  elements: dict
"""

# os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.y"), or
# os.environ["DJANGO_SETTINGS_MODULE"] = "x.y"
SETTINGS_IN_MANAGE_PY = re.compile(
    r"""DJANGO_SETTINGS_MODULE['"]\s*(?:,|\]\s*=)\s*['"]([A-Za-z_][\w.]*)['"]"""
)
MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
INCLUDE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)")
PROCESS_LINE = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.*)$")
DEFAULT_REQUIREMENTS = "requirements.txt"
LOCK_FILES = ("uv.lock", "poetry.lock")
# Django pinned: "Django==5.2.*", "django~=4.2.0", "Django[argon2]==6.0" (not a lower bound: pip
# then picks a release for the image's Python).
DJANGO_PIN = re.compile(
    r"^\s*django\s*(?:\[[^\]]*\])?\s*(?:===?|~=)\s*(\d+)\.(\d+)", re.IGNORECASE | re.MULTILINE
)
DJANGO_LOCKED = re.compile(r'^name = "django"\nversion = "(\d+)\.(\d+)', re.MULTILINE)
# The python3 of each Debian release the base image may be.
DEBIAN_PYTHON = {"bullseye": (3, 9), "bookworm": (3, 11), "trixie": (3, 13), "forky": (3, 13)}
# The oldest Python of each Django release (its release notes); the newest for a release not
# listed is that of the newest one listed.
DJANGO_PYTHON = {
    (3, 2): (3, 6),
    (4, 0): (3, 8),
    (4, 1): (3, 8),
    (4, 2): (3, 8),
    (5, 0): (3, 10),
    (5, 1): (3, 10),
    (5, 2): (3, 10),
    (6, 0): (3, 12),
}
# Poetry 2's lock (2.1) records each package's groups and markers, which the image's export reads.
POETRY_LOCK_VERSION = re.compile(r'^lock-version\s*=\s*"(\d+)\.(\d+)"', re.MULTILINE)


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def settings_module_of(manage_py_text):
    found = SETTINGS_IN_MANAGE_PY.search(manage_py_text)
    return found.group(1) if found else ""


def module_file_exists(top, module):
    base = os.path.join(top, *module.split("."))
    return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))


def requirement_files(top, first):
    """(relative paths of `first` and its includes, errors)."""
    found, errors, pending = [], [], [os.path.normpath(first)]
    real_top = os.path.realpath(top)
    while pending:
        relative = pending.pop(0)
        if relative in found:
            continue
        path = os.path.join(top, relative)
        if not os.path.realpath(path).startswith(real_top + os.sep):
            errors.append(f"{relative}: requirement files must be inside the project's directory.")
            continue
        if not os.path.isfile(path):
            errors.append(f"{relative} is not a file of the project.")
            continue
        found.append(relative)
        for line in _read(path).splitlines():
            include = INCLUDE.match(line)
            if include:
                pending.append(
                    os.path.normpath(os.path.join(os.path.dirname(relative), include.group(1)))
                )
    return found, errors


def dependency_files(top, requirements_file):
    """(relative paths, errors): the first path is what the image installs from. A uv.lock or
    poetry.lock (named, or found when the default requirements.txt is not there) comes with its
    pyproject.toml."""
    lock = ""
    if os.path.basename(requirements_file) in LOCK_FILES:
        lock = os.path.normpath(requirements_file)
    elif requirements_file == DEFAULT_REQUIREMENTS and not os.path.isfile(
        os.path.join(top, DEFAULT_REQUIREMENTS)
    ):
        lock = next((name for name in LOCK_FILES if os.path.isfile(os.path.join(top, name))), "")
    if not lock:
        return requirement_files(top, requirements_file)
    files = [lock, os.path.join(os.path.dirname(lock), "pyproject.toml")]
    real_top = os.path.realpath(top)
    errors = [
        f"{relative} is not a file of the project ({files[0]} needs the pyproject.toml beside it)."
        for relative in files
        if not os.path.isfile(os.path.join(top, relative))
        or not os.path.realpath(os.path.join(top, relative)).startswith(real_top + os.sep)
    ]
    if not errors and os.path.basename(lock) == "poetry.lock":
        version = POETRY_LOCK_VERSION.search(_read(os.path.join(top, lock)))
        if not version or (int(version.group(1)), int(version.group(2))) < (2, 1):
            errors.append(
                f"{lock} was written by Poetry 1 (lock-version below 2.1), which does not record"
                " the group of each package: run `poetry lock` with Poetry 2, or export a"
                " requirements file (`poetry export --only main --output requirements.txt`) and"
                " deploy that."
            )
    return files, errors


def dependency_digest(top, requirements):
    """SHA-256 over each dependency file's relative path and content (a missing one: its path)."""
    digest = hashlib.sha256()
    for relative in requirements:
        path = os.path.join(top, relative)
        digest.update(relative.encode() + b"\0")
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def django_version(top, requirements):
    """(major, minor) of the Django the requirement files pin or the lock holds, or None."""
    for relative in requirements:
        text = _read(os.path.join(top, relative))
        found = (DJANGO_LOCKED if relative.endswith(".lock") else DJANGO_PIN).search(text)
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def python_error(version, base_image):
    """The error for a Django `version` that needs a newer Python than `base_image` has, or ""."""
    release = next((name for name in DEBIAN_PYTHON if name in base_image), "")
    if not version or not release:
        return ""
    known = [django for django in sorted(DJANGO_PYTHON) if django <= version]
    if not known:
        return ""
    needed, python = DJANGO_PYTHON[known[-1]], DEBIAN_PYTHON[release]
    if python >= needed:
        return ""
    newer = [name for name, has in DEBIAN_PYTHON.items() if has >= needed]
    supported = [django for django, oldest in DJANGO_PYTHON.items() if oldest <= python]
    return (
        f"django_web_requirements_file: the project pins Django {'.'.join(map(str, version))},"
        f" which needs Python {'.'.join(map(str, needed))} or newer, and the web image's base"
        f" {base_image} (django_stack_base_image) has Debian {release}'s Python"
        f" {'.'.join(map(str, python))}: set django_stack_base_image to debian:{newer[0]}-slim,"
        f" or pin a Django that supports Python {'.'.join(map(str, python))}"
        f" ({'.'.join(map(str, supported[-1]))} or older)."
    )


def procfile_processes(text):
    """({name: command}, errors) of a Procfile's lines."""
    processes, errors = {}, []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PROCESS_LINE.match(line.strip())
        if not match:
            errors.append(f"Procfile line {number} is not 'name: command': {line.strip()!r}.")
        elif match.group(1) in processes:
            errors.append(f"Procfile line {number}: process type {match.group(1)!r} comes twice.")
        else:
            processes[match.group(1)] = match.group(2).strip()
    return processes, errors


def django_project(top, settings_module="", requirements_file=DEFAULT_REQUIREMENTS, base_image=""):
    errors = []
    manage_py = os.path.join(top, "manage.py")
    if not os.path.isfile(manage_py):
        errors.append(
            f'django_web_source_dir: "{top}" on the controller has no manage.py; point it at the'
            " directory of the project's manage.py."
        )
        return {
            "settings_module": "",
            "requirements": [],
            "build_files": [],
            "processes": {},
            "django_version": "",
            "dependency_digest": "",
            "errors": errors,
        }

    module = settings_module or settings_module_of(_read(manage_py))
    if not module:
        errors.append(
            "manage.py names no settings module (os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
            " ...)): set django_web_settings_module, e.g. mysite.settings."
        )
    elif not MODULE_NAME.match(module):
        errors.append(f'django_web_settings_module: "{module}" is not a Python module path.')
    elif not settings_module and not module_file_exists(top, module):
        errors.append(
            f"manage.py names the settings module {module}, which is not in {top}: set"
            " django_web_settings_module to the project's settings module."
        )

    requirements, requirement_errors = dependency_files(top, requirements_file)
    errors += [
        f"django_web_requirements_file: {error} A project lists its dependencies in a"
        " requirements file (with or without hashes) or in pyproject.toml with uv.lock or"
        " poetry.lock, in its directory."
        for error in requirement_errors
    ]

    version = None if requirement_errors else django_version(top, requirements)
    errors += [error for error in [python_error(version, base_image)] if error]

    processes, procfile_errors = {}, []
    procfile = os.path.join(top, "Procfile")
    if os.path.isfile(procfile):
        processes, procfile_errors = procfile_processes(_read(procfile))
    errors += procfile_errors
    return {
        "settings_module": module,
        "requirements": requirements,
        "build_files": [
            {"src": os.path.join(top, relative), "dest": "project/" + relative}
            for relative in requirements
        ],
        "processes": processes,
        "django_version": ".".join(map(str, version)) if version else "",
        "dependency_digest": dependency_digest(top, requirements),
        "errors": errors,
    }


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            return [
                django_project(
                    str(term),
                    self.get_option("settings_module"),
                    self.get_option("requirements_file"),
                    self.get_option("base_image"),
                )
                for term in terms
            ]
        except (OSError, UnicodeDecodeError) as error:
            raise AnsibleLookupError(f"django_project: {error}") from error
