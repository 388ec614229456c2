"""How the harness debootstraps each platform, without any archive: the command for Debian and
Ubuntu suites (a suite this debootstrap has no script for, a keyring file or no signature
check), the sources Ubuntu hosts get, and a boot check that systemd 229 understands."""

import json
import sys
from pathlib import Path

import pytest
from playbook import run_playbook

TESTS_DIR = Path(__file__).resolve().parent
MIRROR = "http://ubuntu-archive.invalid/ubuntu"
SCRIPTS = ["bookworm", "trixie", "xenial", "bionic", "jammy", "gutsy"]
CASES = {
    "debian-trixie": {"harness_base": {"distribution": "debian", "suite": "trixie"}},
    "debian-unknown": {"harness_base": {"distribution": "debian", "suite": "duke"}},
    "ubuntu-xenial-keyring": {
        "harness_base": {"distribution": "ubuntu", "suite": "xenial"},
        "harness_ubuntu_mirror": MIRROR,
        "harness_ubuntu_keyring": "/srv/keys/ubuntu-archive-keyring.gpg",
    },
    "ubuntu-noble-no-check": {
        "harness_base": {"distribution": "ubuntu", "suite": "noble"},
        "harness_ubuntu_mirror": MIRROR,
        "harness_ubuntu_no_check_gpg": True,
    },
    "ubuntu-no-signature-setting": {
        "harness_base": {"distribution": "ubuntu", "suite": "jammy"},
        "harness_ubuntu_mirror": MIRROR,
    },
    "ubuntu-no-mirror": {
        "harness_base": {"distribution": "ubuntu", "suite": "bionic"},
        "harness_ubuntu_no_check_gpg": True,
    },
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("debootstrap")
    scripts = work / "scripts"
    scripts.mkdir()
    for name in SCRIPTS:
        (scripts / name).write_text("")
    hosts = {}
    defaults = {"harness_ubuntu_mirror": "", "harness_ubuntu_keyring": ""}
    for name, case in CASES.items():
        (work / name).mkdir()
        hosts[name] = {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "case_dir": str(work / name),
            "case": {
                "harness_debootstrap_scripts_dir": str(scripts),
                "harness_ubuntu_no_check_gpg": False,
                **defaults,
                **case,
            },
        }
    inventory = work / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}))
    boot_check = work / "boot_check.json"
    run_playbook(
        TESTS_DIR / "render_debootstrap_args.yml",
        "--forks",
        str(len(hosts)),
        "-e",
        json.dumps({"boot_check_file": str(boot_check)}),
        inventory=inventory,
        timeout=120,
    )
    found = {name: json.loads((work / name / "result.json").read_text()) for name in CASES}
    found["boot check"] = json.loads(boot_check.read_text())
    found["scripts"] = str(scripts)
    return found


def test_debian_suite_is_plain_minbase(results):
    argv = results["debian-trixie"]["argv"]
    assert argv == ["debootstrap", "--variant=minbase", "trixie", "TARGET"]
    assert not results["debian-trixie"]["sources"]


def test_debian_suite_unknown_to_debootstrap_is_refused(results):
    assert "no script for Debian duke" in results["debian-unknown"]["error"]


def test_ubuntu_gets_universe_the_keyring_and_its_own_script(results):
    assert results["ubuntu-xenial-keyring"]["argv"] == [
        "debootstrap",
        "--variant=minbase",
        "--components=main,universe",
        "--keyring=/srv/keys/ubuntu-archive-keyring.gpg",
        "xenial",
        "TARGET",
        MIRROR,
    ]


def test_ubuntu_suite_newer_than_debootstrap_uses_gutsy_script(results):
    argv = results["ubuntu-noble-no-check"]["argv"]
    assert "--no-check-gpg" in argv
    assert argv[-3:] == ["TARGET", MIRROR, f"{results['scripts']}/gutsy"]


def test_ubuntu_sources_have_universe_updates_and_security(results):
    assert results["ubuntu-xenial-keyring"]["sources"].splitlines() == [
        f"deb {MIRROR} xenial main universe",
        f"deb {MIRROR} xenial-updates main universe",
        f"deb {MIRROR} xenial-security main universe",
    ]


@pytest.mark.parametrize("case", ["ubuntu-no-signature-setting", "ubuntu-no-mirror"])
def test_ubuntu_without_archive_or_signature_setting_is_refused(results, case):
    error = results[case]["error"]
    assert "UBUNTU_MIRROR" in error and "UBUNTU_KEYRING" in error and "UBUNTU_NO_CHECK_GPG" in error


def test_boot_check_works_with_systemd_229(results):
    # systemd 229 (Ubuntu 16.04) has no --wait; the harness polls instead.
    assert results["boot check"] == ["systemctl", "is-system-running"]
