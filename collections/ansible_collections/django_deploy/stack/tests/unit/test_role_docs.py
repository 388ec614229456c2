"""Each role README's variables section is generated from meta/argument_specs.yml.

These run docs/role_docs.py, the check `make lint` runs and the writer `make docs` runs.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

COLLECTION = Path(__file__).resolve().parents[2]
ROLES = COLLECTION / "roles"
SCRIPT = COLLECTION / "docs" / "role_docs.py"
ROLES_WITH_SPECS = sorted(path.parents[1] for path in ROLES.glob("*/meta/argument_specs.yml"))


def role_docs(mode: str, *roles: Path) -> subprocess.CompletedProcess[str]:
    # Fixed argv: this interpreter running the repository's own script.
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), mode, *map(str, roles)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def role_copy(tmp_path: Path) -> Path:
    """docker_engine (nested options, a `validate` entry point sharing main's options) in tmp.

    Its README is brought up to date first, so these tests do not depend on the tree's state
    (test_every_readme_is_up_to_date checks that).
    """
    copy = tmp_path / "roles" / "docker_engine"
    shutil.copytree(ROLES / "docker_engine", copy)
    assert role_docs("write", copy).returncode == 0
    return copy


def edit_specs(role: Path, edit) -> None:
    specs_file = role / "meta" / "argument_specs.yml"
    specs = yaml.safe_load(specs_file.read_text(encoding="utf-8"))
    edit(specs["argument_specs"]["main"]["options"])
    specs_file.write_text(yaml.safe_dump(specs, sort_keys=False), encoding="utf-8")


def test_every_readme_is_up_to_date():
    assert ROLES_WITH_SPECS, "no roles/*/meta/argument_specs.yml found in the collection"
    result = role_docs("check", *ROLES_WITH_SPECS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_changed_description_fails_the_check_naming_the_readme(role_copy: Path):
    readme = role_copy / "README.md"
    before = readme.read_text(encoding="utf-8")
    assert role_docs("check", role_copy).returncode == 0

    def reword_first_option(options: dict) -> None:
        first = next(iter(options.values()))
        first["description"] = ["A reworded description that no README has."]

    edit_specs(role_copy, reword_first_option)
    result = role_docs("check", role_copy)

    assert result.returncode == 1
    assert f"{readme} is out of date" in result.stderr
    assert "+  A reworded description that no README has." in result.stdout
    assert readme.read_text(encoding="utf-8") == before, "the check must not change the README"


def test_added_option_is_documented_by_write(role_copy: Path):
    readme = role_copy / "README.md"
    prose_after = readme.read_text(encoding="utf-8").split("<!-- END_ANSIBLE_DOCS -->")[1]

    def add_option(options: dict) -> None:
        options["docker_engine_new_knob"] = {
            "type": "str",
            "default": "fast",
            "choices": ["fast", "safe"],
            "description": ["How to do it: C(fast) or C(safe).", "See O(docker_engine_users)."],
        }

    edit_specs(role_copy, add_option)
    failed = role_docs("check", role_copy)
    assert failed.returncode == 1
    assert f"{readme} is out of date" in failed.stderr

    assert role_docs("write", role_copy).returncode == 0
    assert role_docs("check", role_copy).returncode == 0
    text = readme.read_text(encoding="utf-8")
    assert (
        "- `docker_engine_new_knob`: type `str`, optional, default `fast`, "
        "choices `fast`, `safe`.\n\n"
        "  How to do it: `fast` or `safe`.\n\n"
        "  See `docker_engine_users`.\n"
    ) in text
    assert text.count("docker_engine_new_knob") == 1, "validate shares main's options: one entry"
    assert text.split("<!-- END_ANSIBLE_DOCS -->")[1] == prose_after


def test_readme_without_markers_fails_the_check(role_copy: Path):
    readme = role_copy / "README.md"
    readme.write_text("# docker_engine\n\nNo generated section.\n", encoding="utf-8")
    result = role_docs("check", role_copy)
    assert result.returncode == 1
    assert str(readme) in result.stderr
