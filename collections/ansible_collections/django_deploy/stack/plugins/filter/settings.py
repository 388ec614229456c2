"""Filters for the settings checks that run on the controller before any host is touched.

    settings | django_deploy.stack.role_fingerprints(roles, digests)
    settings | django_deploy.stack.checked_settings_key(project_digest, source_dir)
    directories | django_deploy.stack.directory_errors('django_stack_root')
    settings | django_deploy.stack.count_errors(limits)

`settings` maps each setting's name to its value as the inventory and -e give it (the roles'
defaults are in the roles' files, which the project digest covers).
"""

import hashlib
import json
import os
import re

# Their documentation: role_fingerprints.yml, checked_settings_key.yml, directory_errors.yml and
# count_errors.yml.

# Switches of a run, not part of what any role deploys.
NOT_DEPLOYED = re.compile(r"^(django_stack_skip_unchanged|deploy_lock_break)$")
# Where the code comes from is no setting of what is deployed: its content counts.
SOURCE_SETTING = "django_web_source_dir"

# Directories no setting may name or lie in: they belong to the system (names, not files used here).
SYSTEM_DIRS = {
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/media",
    "/mnt",
    "/opt",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/srv",
    "/sys",
    "/tmp",  # noqa: S108
    "/usr",
    "/var",
    "/var/lib",
    "/var/log",
    "/var/cache",
    "/var/tmp",  # noqa: S108
}
SYSTEM_TREES = re.compile(
    r"^/(bin|boot|dev|etc|lib|lib32|lib64|proc|run|sbin|sys|tmp|usr|var/tmp)/"
)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _with_file_contents(settings: dict) -> dict:
    """The settings, and for each *_file setting that names a file here, its content's digest."""
    result = dict(settings)
    for name, value in settings.items():
        if name.endswith("_file") and isinstance(value, str) and value and os.path.isfile(value):
            with open(value, "rb") as handle:
                result[name + ":content"] = hashlib.sha256(handle.read()).hexdigest()
    return result


def role_fingerprints(settings: dict, roles: dict, digests: dict) -> dict:
    counted = {
        name: value
        for name, value in _with_file_contents(settings).items()
        if name != SOURCE_SETTING and not NOT_DEPLOYED.match(name)
    }
    fingerprints = {}
    for role, spec in roles.items():
        if not spec.get("fingerprint", True):
            continue
        # A prefix counts its settings, or the one setting it names (django_stack_swarm).
        prefixes = tuple(prefix + "_" for prefix in spec["settings"])
        own = {
            name: value
            for name, value in counted.items()
            if name.startswith(prefixes) or name in spec["settings"]
        }
        if spec.get("code"):
            fingerprints[role] = {
                "settings": _digest([own, digests["project"], digests["requirements"]]),
                "code": digests["code"],
            }
        else:
            fingerprints[role] = _digest([own, digests["project"], ""])
    return fingerprints


def checked_settings_key(settings: dict, project_digest: str, source_dir: str) -> str:
    """What the checks depend on: every setting (files by content), the project's files and, of
    the code, only what is checked: whether its directory holds a Django project."""
    counted = {k: v for k, v in _with_file_contents(settings).items() if k != SOURCE_SETTING}
    project_files = sum(
        os.path.isfile(os.path.join(str(source_dir), name))
        for name in ("manage.py", "requirements.txt")
    )
    return _digest([counted, project_digest, project_files])


def _normal(path) -> str:
    path = re.sub("/+", "/", str(path))
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def directory_errors(directories: dict, root: str = "django_stack_root") -> list:
    """Each directory that is, or lies in, a system directory, that is another one, or that lies
    inside another. The root's own error comes first and explains those of the directories below
    it, which are not repeated."""
    names = [root] + sorted(name for name in directories if name != root)
    paths = {name: _normal(directories[name]) for name in names}
    errors = []
    for name in names:
        path = paths[name]
        in_system = path in SYSTEM_DIRS or SYSTEM_TREES.match(path)
        if in_system and not (errors and path.startswith(paths[root] + "/")):
            errors.append(f'{name}: "{path}" is, or lies in, a system directory.')
        for other in names:
            if other in (name, root):
                continue
            other_path = paths[other]
            if path == other_path and name < other:
                errors.append(f'{name} and {other} are the same directory, "{path}".')
            elif path.startswith(other_path + "/") or (other_path == "/" and path != "/"):
                errors.append(f'{name}: "{path}" lies inside {other} ("{other_path}").')
    return errors


def _as_int(value) -> int | None:
    """The integer a setting gives, as Jinja's int filter reads it; None if none."""
    if isinstance(value, bool):
        return None
    for convert in (int, lambda v: int(float(v))):
        try:
            return convert(value)
        except (TypeError, ValueError):
            continue
    return None


def count_errors(settings: dict, limits: dict, low: int = 1) -> list:
    """Each setting of `limits` whose value is no whole number from `low` to its limit."""
    errors = []
    for name, limit in limits.items():
        value = settings.get(name)
        number = _as_int(value)
        if number is None or not low <= number <= limit:
            errors.append(f"{name}: {value} must be from {low} to {limit}.")
    return errors


class FilterModule:
    def filters(self):
        return {
            "role_fingerprints": role_fingerprints,
            "checked_settings_key": checked_settings_key,
            "directory_errors": directory_errors,
            "count_errors": count_errors,
        }
