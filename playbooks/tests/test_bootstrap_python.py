"""playbooks/files/bootstrap-python.sh: the raw step that gives a host a Python to drive.

Run on the controller in check mode (it installs nothing then), with made-up /etc/os-release and
/etc/debian_version files: which interpreter each kind of host gets, and the refusals that name
what to do instead.
"""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "files" / "bootstrap-python.sh"
LEGACY_HINT = "make setup-legacy"


def bootstrap(
    tmp_path: Path,
    os_release: str,
    *,
    min_minor: int = 8,
    python2_ok: bool = False,
    debian: bool = True,
) -> subprocess.CompletedProcess:
    release_file = tmp_path / "os-release"
    release_file.write_text(os_release)
    debian_version = tmp_path / "debian_version"
    if debian:
        debian_version.write_text("made-up\n")
    return subprocess.run(
        ["sh", str(SCRIPT), str(min_minor), "yes" if python2_ok else "no", "yes"],
        env={
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "BOOTSTRAP_OS_RELEASE": str(release_file),
            "BOOTSTRAP_DEBIAN_VERSION": str(debian_version),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


XENIAL = 'ID=ubuntu\nVERSION_ID="16.04"\n'
TRIXIE = 'ID=debian\nVERSION_ID="13"\n'


def test_ubuntu_1604_needs_the_legacy_controller(tmp_path: Path) -> None:
    result = bootstrap(tmp_path, XENIAL)
    assert result.returncode == 3
    assert "interpreter=/usr/bin/python2.7" in result.stdout
    [refusal] = [line for line in result.stdout.splitlines() if line.startswith("unsupported: ")]
    assert "Ubuntu 16.04 needs Python 2.7" in refusal and LEGACY_HINT in refusal


def test_ubuntu_1604_gets_python_27_under_the_legacy_controller(tmp_path: Path) -> None:
    result = bootstrap(tmp_path, XENIAL, min_minor=6, python2_ok=True)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "interpreter=/usr/bin/python2.7"
    # What community.docker's modules need there: apt bindings, requests, ssl_match_hostname.
    would = [line for line in lines if line.startswith("would install: ")]
    assert would, lines
    assert set(would[0].split(": ", 1)[1].split()) <= {
        "python2.7",
        "python-apt",
        "python-requests",
        "python-backports.ssl-match-hostname",
    }


def test_current_hosts_get_python3(tmp_path: Path) -> None:
    result = bootstrap(tmp_path, TRIXIE)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "interpreter=/usr/bin/python3"
    assert lines[-1] == "present" or lines[-1].startswith("would install: python3")


@pytest.mark.skipif(
    not Path("/usr/bin/python3").exists(), reason="needs /usr/bin/python3 to stand for the host's"
)
def test_a_python3_too_old_is_refused_before_anything_is_installed(tmp_path: Path) -> None:
    # No python3 is 3.99 or newer: the host's python3 stands for one too old for the controller.
    result = bootstrap(tmp_path, TRIXIE, min_minor=99)
    assert result.returncode == 3
    assert not [line for line in result.stdout.splitlines() if line.startswith("would install")]
    [refusal] = [line for line in result.stdout.splitlines() if line.startswith("unsupported: ")]
    assert "needs 3.99 or newer" in refusal and LEGACY_HINT in refusal


def test_a_host_without_apt_is_refused(tmp_path: Path) -> None:
    result = bootstrap(tmp_path, 'ID=fedora\nVERSION_ID="40"\n', debian=False)
    assert result.returncode == 3
    assert (
        result.stdout.strip()
        == "unsupported: fedora 40 is not Debian, Ubuntu or a derivative with apt"
    )
