"""shellcheck every script that runs on a host and is not a *.sh file of its own (make lint checks
those directly): the shell templates (*.sh.j2, rendered with sample settings) and the scripts
written inline in tasks (`argv: [sh, -c, SCRIPT, ...]`), their Jinja replaced by a word.

    python tests/shellcheck_host_scripts.py DIR...    (the collection's roles, the playbooks)

Prints each finding with the file (and task) it comes from; exits 1 when there is one.
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import yaml

# Sample settings for the templates: realistic values of the right type.
SAMPLE = {
    "ansible_managed": "Ansible managed",
    "django_stack_backup_command": "/usr/local/sbin/blog-backup",
    "django_stack_database_name": "blog",
    "django_stack_media_dir": "/srv/blog/data/media",
    "django_stack_project_name": "blog",
    "django_stack_redis": True,
    "site_backup_copy_command": 'rsync -a "$BACKUP_PATH" backup@example.com:blog/',
    "site_backup_dir": "/srv/blog/backups",
    "site_backup_keep_daily": 7,
    "site_backup_keep_weekly": 4,
    "site_backup_verify_restore": True,
}
# A Jinja expression inside an inline script stands for one word (an argument is passed as $1).
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
FILE_LOOKUP = re.compile(r"^\{\{\s*lookup\('ansible\.builtin\.file',")


def render(template: Path) -> str:
    # A shell script, not HTML: nothing to escape.
    environment = jinja2.Environment(  # noqa: S701
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    environment.filters["quote"] = lambda value: shlex.quote(str(value))
    environment.filters["comment"] = lambda value: f"#\n# {value}\n#"
    environment.filters["bool"] = bool
    return environment.from_string(template.read_text()).render(**SAMPLE)


def inline_scripts(tasks_file: Path):
    """(task name, shell, script) of each `argv: [sh|bash, -c, SCRIPT, ...]` in the file."""

    def walk(node, name):
        if isinstance(node, dict):
            name = node.get("name", name)
            argv = node.get("argv")
            shell_script = (
                isinstance(argv, list)
                and len(argv) > 2
                and argv[:2] in (["sh", "-c"], ["bash", "-c"])
                and isinstance(argv[2], str)
            )
            if shell_script and not FILE_LOOKUP.match(argv[2]):
                yield name, argv[0], JINJA.sub("PLACEHOLDER", argv[2])
            for value in node.values():
                yield from walk(value, name)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, name)

    yield from walk(yaml.safe_load(tasks_file.read_text()), None)


def shellcheck(script: str, shell: str) -> str:
    result = subprocess.run(  # noqa: S603 - a fixed argv, the script on stdin
        [shutil.which("shellcheck") or "shellcheck", "--shell", shell, "-"],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode else ""


def main(directories: list[str]) -> int:
    findings, checked = [], 0
    for directory in map(Path, directories):
        for template in sorted(directory.rglob("*.sh.j2")):
            checked += 1
            if report := shellcheck(render(template), "bash"):
                findings.append(f"{template} (rendered with sample settings):\n{report}")
        for tasks_file in sorted(directory.rglob("*.yml")):
            for name, shell, script in inline_scripts(tasks_file):
                checked += 1
                if report := shellcheck(script, "bash" if shell == "bash" else "sh"):
                    findings.append(f"{tasks_file}, task {name!r}:\n{report}")
    print("\n".join(findings) or f"shellcheck: {checked} templates and inline scripts clean")
    return 1 if findings or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
