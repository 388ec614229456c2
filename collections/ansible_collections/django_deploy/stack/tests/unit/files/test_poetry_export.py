"""roles/django_web/files/image/installers/poetry_export.py: a Poetry 2 lock as the hash-pinned
requirements the web image's build stage installs."""

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = (
    Path(__file__).resolve().parents[3] / "roles/django_web/files/image/installers/poetry_export.py"
)
spec = importlib.util.spec_from_file_location("poetry_export", SCRIPT)
poetry_export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(poetry_export)

# What Poetry 2 writes (lock-version 2.1): groups and markers per package.
LOCK = """\
[[package]]
name = "asgiref"
version = "3.9.1"
optional = false
python-versions = ">=3.9"
groups = ["main"]
files = [
    {file = "asgiref-3.9.1-py3-none-any.whl", hash = "sha256:aaaa"},
    {file = "asgiref-3.9.1.tar.gz", hash = "sha256:bbbb"},
]

[[package]]
name = "django"
version = "5.2.4"
optional = false
python-versions = ">=3.10"
groups = ["main", "dev"]
files = [{file = "django-5.2.4-py3-none-any.whl", hash = "sha256:cccc"}]

[[package]]
name = "tzdata"
version = "2025.2"
optional = false
python-versions = ">=2"
groups = ["main"]
markers = "sys_platform == \\"win32\\""
files = [{file = "tzdata-2025.2-py2.py3-none-any.whl", hash = "sha256:dddd"}]

[[package]]
name = "colorama"
version = "0.4.6"
optional = false
python-versions = "*"
groups = ["main", "dev"]
markers = {main = "platform_system == \\"Windows\\"", dev = "sys_platform == \\"win32\\""}
files = [{file = "colorama-0.4.6-py2.py3-none-any.whl", hash = "sha256:eeee"}]

[[package]]
name = "pytest"
version = "8.4.1"
optional = false
python-versions = ">=3.9"
groups = ["dev"]
files = [{file = "pytest-8.4.1-py3-none-any.whl", hash = "sha256:ffff"}]

[[package]]
name = "argon2-cffi"
version = "25.1.0"
optional = true
python-versions = ">=3.8"
groups = ["main"]
files = [{file = "argon2_cffi-25.1.0-py3-none-any.whl", hash = "sha256:0000"}]

[metadata]
lock-version = "2.1"
python-versions = ">=3.11"
content-hash = "0123"
"""


def export(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    lock = tmp_path / "poetry.lock"
    lock.write_text(text)
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(lock)], capture_output=True, text=True, check=False
    )


def test_the_main_group_pinned_with_its_markers_and_every_hash(tmp_path):
    result = export(tmp_path, LOCK)

    assert result.returncode == 0, result.stderr
    assert result.stdout == textwrap.dedent("""\
        asgiref==3.9.1 \\
            --hash=sha256:aaaa \\
            --hash=sha256:bbbb
        django==5.2.4 \\
            --hash=sha256:cccc
        tzdata==2025.2 ; sys_platform == "win32" \\
            --hash=sha256:dddd
        colorama==0.4.6 ; platform_system == "Windows" \\
            --hash=sha256:eeee
        """)


def test_a_poetry_1_lock_is_refused(tmp_path):
    result = export(tmp_path, LOCK.replace('lock-version = "2.1"', 'lock-version = "2.0"'))

    assert result.returncode == 1
    assert "Poetry 1" in result.stderr and "poetry lock" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("source", ["git", "directory", "url"])
def test_a_package_without_hashes_is_refused_with_the_export_command(tmp_path, source):
    text = LOCK.replace(
        'files = [{file = "django-5.2.4-py3-none-any.whl", hash = "sha256:cccc"}]',
        f'files = []\n\n[package.source]\ntype = "{source}"\nurl = "somewhere"',
    )

    result = export(tmp_path, text)

    assert result.returncode == 1
    assert f"django comes from a {source} source" in result.stderr
    assert "poetry export --only main" in result.stderr


def test_a_private_index_package_keeps_its_hashes(tmp_path):
    text = LOCK.replace(
        'files = [{file = "django-5.2.4-py3-none-any.whl", hash = "sha256:cccc"}]',
        'files = [{file = "django-5.2.4-py3-none-any.whl", hash = "sha256:cccc"}]\n\n'
        '[package.source]\ntype = "legacy"\nurl = "https://packages.example.org/simple"'
        '\nreference = "company"',
    )

    assert "django==5.2.4 \\\n    --hash=sha256:cccc" in export(tmp_path, text).stdout


def test_lock_versions_compare_as_numbers():
    assert poetry_export.lock_version({"metadata": {"lock-version": "2.10"}}) > (2, 1)
    assert poetry_export.lock_version({}) < (2, 1)
