"""Docker's apt repository definition as the docker_engine role renders it, per platform.

One ansible-playbook run renders the deb822 file for every platform and architecture below with
the role's own tasks (tests/render_docker_ce_repository.yml), each into its own directory beside a
made-up /etc/os-release; each test then reads one rendered file.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from playbook import run_playbook

TESTS_DIR = Path(__file__).resolve().parent
# A placeholder for the URL users fill in; no real repository is contacted.
REPO_URL = "https://docker-repo.invalid/linux"


@dataclass(frozen=True)
class Platform:
    name: str
    distribution: str
    release: str
    major: str
    os_release: str
    suite: str
    keyring: str


def debian(major: str, release: str) -> Platform:
    os_release = f'ID=debian\nVERSION_ID="{major}"\nVERSION_CODENAME={release}\n'
    return Platform(f"debian{major}", "Debian", release, major, os_release, release, "docker.asc")


def ubuntu(version: str, release: str, keyring: str = "docker.asc") -> Platform:
    os_release = (
        f'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="{version}"\n'
        f"VERSION_CODENAME={release}\nUBUNTU_CODENAME={release}\n"
    )
    major = version.split(".")[0]
    return Platform(f"ubuntu{major}", "Ubuntu", release, major, os_release, release, keyring)


PLATFORMS = [
    debian("11", "bullseye"),
    debian("12", "bookworm"),
    debian("13", "trixie"),
    ubuntu("16.04", "xenial", keyring="docker.gpg"),
    ubuntu("18.04", "bionic"),
    ubuntu("20.04", "focal"),
    ubuntu("22.04", "jammy"),
    ubuntu("24.04", "noble"),
    # A derivative: its own release name is not one Docker's repository knows.
    Platform(
        "mint22",
        "Linux Mint",
        "wilma",
        "22",
        'ID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_CODENAME=wilma\nUBUNTU_CODENAME=noble\n',
        "noble",
        "docker.asc",
    ),
]
ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64"}


def host_name(platform: Platform, machine: str) -> str:
    return f"{platform.name}-{machine}"


def repo_url(platform: Platform) -> str:
    return f"{REPO_URL}/{'debian' if platform.distribution == 'Debian' else 'ubuntu'}"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("docker_ce_repository")
    hosts = {}
    for platform in PLATFORMS:
        for machine in ARCHITECTURES:
            name = host_name(platform, machine)
            platform_dir = work / name
            platform_dir.mkdir()
            (platform_dir / "os-release").write_text(platform.os_release)
            hosts[name] = {
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
                "docker_engine_docker_ce_repo_url": repo_url(platform),
                "platform_dir": str(platform_dir),
                "platform": {
                    "distribution": platform.distribution,
                    "distribution_release": platform.release,
                    "distribution_major_version": platform.major,
                    "os_family": "Debian",
                    "architecture": machine,
                },
            }
    inventory = work / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}))
    run_playbook(
        TESTS_DIR / "render_docker_ce_repository.yml",
        "--forks",
        str(len(hosts)),
        inventory=inventory,
        timeout=120,
    )
    return work


def parse_deb822(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


@pytest.mark.parametrize("machine", ARCHITECTURES)
@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda platform: platform.name)
def test_repository_definition(rendered: Path, platform: Platform, machine: str) -> None:
    sources = rendered / host_name(platform, machine) / "docker.sources"
    assert parse_deb822(sources.read_text()) == {
        "Types": "deb",
        "URIs": repo_url(platform),
        "Suites": platform.suite,
        "Components": "stable",
        "Architectures": ARCHITECTURES[machine],
        "Signed-By": f"/etc/apt/keyrings/{platform.keyring}",
    }
