"""tests/shellcheck_host_scripts.py, which make lint runs: a script inline in a task, or a shell
template, that shellcheck finds fault with fails the check, naming the file and the task."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "shellcheck_host_scripts.py"
pytestmark = pytest.mark.skipif(shutil.which("shellcheck") is None, reason="no shellcheck")


def check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter running the collection's own script
        [sys.executable, str(SCRIPT), str(directory)], capture_output=True, text=True, check=False
    )


def test_an_unquoted_variable_in_an_inline_script_fails(tmp_path):
    (tmp_path / "main.yml").write_text(
        "- name: Remove the old release\n"
        "  ansible.builtin.command:\n"
        "    argv: [sh, -c, 'rm -rf $1/{{ item }}', sh, /srv]\n"
    )
    result = check(tmp_path)
    assert result.returncode == 1
    assert "'Remove the old release'" in result.stdout and "SC2086" in result.stdout


def test_a_clean_inline_script_and_a_file_lookup_pass(tmp_path):
    (tmp_path / "main.yml").write_text(
        "- name: Remove the old release\n"
        "  ansible.builtin.command:\n"
        "    argv: [sh, -c, 'rm -rf \"$1\"', sh, '{{ item }}']\n"
        "- name: Run a script of its own file\n"
        "  ansible.builtin.command:\n"
        "    argv: [bash, -c, \"{{ lookup('ansible.builtin.file', 'x.sh') }}\"]\n"
    )
    result = check(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "1 templates and inline scripts clean" in result.stdout


def test_nothing_to_check_fails(tmp_path):
    assert check(tmp_path).returncode == 1
