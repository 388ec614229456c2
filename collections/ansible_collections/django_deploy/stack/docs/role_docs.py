"""Generate each role README's "Role Variables" section from the role's meta/argument_specs.yml.

    python docs/role_docs.py write ROLE_DIR...   rewrite the section (make docs)
    python docs/role_docs.py check ROLE_DIR...   fail where write would change a README (make lint)

aar-doc renders the section with the settings in aar_doc.yml beside this script, between the
README's <!-- BEGIN_ANSIBLE_DOCS --> and <!-- END_ANSIBLE_DOCS --> lines; the rest of the README is
left as it is. `check` renders into a temporary copy, so it changes no file.
"""

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

DOCS = Path(__file__).resolve().parent
CONFIG = DOCS / "aar_doc.yml"


class DocsError(Exception):
    """A README that cannot be generated, with the reason."""


def description_errors(specs_file: Path) -> list[str]:
    """Descriptions aar-doc cannot render: a description must be a string or a list of strings.

    The usual cause is an unquoted description containing ": ", which YAML reads as a mapping.
    """
    try:
        specs = (yaml.safe_load(specs_file.read_text(encoding="utf-8")) or {}).get("argument_specs")
    except yaml.YAMLError as error:
        return [f"{specs_file}: not valid YAML: {error}"]
    errors = []

    def walk(options: dict, path: str) -> None:
        for name, spec in (options or {}).items():
            description = spec.get("description", "")
            items = [description] if isinstance(description, str) else description
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                errors.append(
                    f"{specs_file}: {path}{name}: description must be a string or a list of "
                    "strings (quote any text containing ': ')"
                )
            walk(spec.get("options"), f"{path}{name} > ")

    walked = []
    for entrypoint, spec in (specs or {}).items():
        if not any(spec.get("options") is options for options in walked):  # a shared YAML anchor
            walked.append(spec.get("options"))
            walk(spec.get("options"), f"{entrypoint} > ")
    return errors


def render(role: Path) -> tuple[Path, str, str]:
    """The role's README path, its current text and its text with the section regenerated."""
    readme = role / "README.md"
    if not readme.is_file():
        raise DocsError(f"{readme}: missing; it needs the BEGIN/END_ANSIBLE_DOCS markers")
    specs_file = role / "meta" / "argument_specs.yml"
    errors = description_errors(specs_file) if specs_file.is_file() else []
    if errors:
        raise DocsError("\n".join(errors))
    current = readme.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "README.md"
        shutil.copyfile(readme, generated)
        # Fixed argv: this interpreter runs aar-doc on a role directory given by the caller.
        result = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "aar_doc.cli",
                "--config-file",
                str(CONFIG),
                "--output-file",
                str(generated),
                str(role.resolve()),
                "markdown",
            ],
            cwd=DOCS,  # aar_doc.yml names the template relative to this directory
            env={**os.environ, "NO_COLOR": "1", "_TYPER_STANDARD_TRACEBACK": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            reason = output.splitlines()[-1] if output else f"exit code {result.returncode}"
            if "Undefined" in output:
                # aar-doc renders its own full README template too, before the one it is given.
                reason += (
                    " (aar-doc needs galaxy_info author, description, license and platforms in"
                    " meta/main.yml and a short_description on every entry point)"
                )
            raise DocsError(f"{readme}: aar-doc failed: {reason}")
        return readme, current, generated.read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["write", "check"])
    parser.add_argument("roles", nargs="+", type=Path, metavar="ROLE_DIR")
    args = parser.parse_args(argv)

    failed = False
    for role in args.roles:
        try:
            readme, current, generated = render(role)
        except DocsError as error:
            print(error, file=sys.stderr)
            failed = True
            continue
        if current == generated:
            continue
        if args.mode == "write":
            readme.write_text(generated, encoding="utf-8")
            print(f"updated {readme}")
        else:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    f"{readme} (now)",
                    f"{readme} (from {role / 'meta' / 'argument_specs.yml'})",
                )
            )
            print(
                f"{readme} is out of date with its meta/argument_specs.yml: run make docs",
                file=sys.stderr,
            )
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
