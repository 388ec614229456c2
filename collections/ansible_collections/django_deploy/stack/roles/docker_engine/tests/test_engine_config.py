"""The engine configuration the docker_engine role renders, from its own variables and templates.

One ansible-playbook run renders daemon.json, the seccomp profile and, on Ubuntu, the universe
sources for every case below (tests/render_engine_config.yml): which engines get the role's seccomp
profile (from apt-cache policy output of their package), what that profile allows, and from which
archive universe is added.
"""

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from playbook import run_playbook

TESTS_DIR = Path(__file__).resolve().parent
ROLE_DIR = TESTS_DIR.parent
PROFILE_PATH = "/etc/docker/seccomp.json"


def policy(installed: str, candidate: str) -> str:
    return f"docker.io:\n  Installed: {installed}\n  Candidate: {candidate}\n  Version table:\n"


@dataclass(frozen=True)
class Case:
    name: str
    policy: str
    wants_profile: bool
    settings: dict = field(default_factory=dict)
    distribution: str = "Debian"
    release: str = "bookworm"
    architecture: str = "x86_64"
    sources_list: str = ""


XENIAL_SOURCES = (
    "# deb cdrom:[Ubuntu 16.04]/ xenial main\n"
    "deb http://archive.example/ubuntu xenial main\n"
    "deb http://archive.example/ubuntu xenial-updates main restricted\n"
)

CASES = [
    # Ubuntu 16.04's engine, installed or to be: its built-in profile answers clone3 with EPERM.
    Case(
        "xenial-candidate",
        policy("(none)", "18.09.7-0ubuntu1~16.04.7"),
        True,
        distribution="Ubuntu",
        release="xenial",
        sources_list=XENIAL_SOURCES,
    ),
    Case(
        "xenial-installed",
        policy("18.09.7-0ubuntu1~16.04.7", "18.09.7-0ubuntu1~16.04.7"),
        True,
        distribution="Ubuntu",
        release="xenial",
        sources_list=XENIAL_SOURCES,
    ),
    # An archive line with options, on Ubuntu 18.04.
    Case(
        "bionic-options",
        policy("(none)", "20.10.21-0ubuntu1~18.04.3"),
        False,
        distribution="Ubuntu",
        release="bionic",
        sources_list="deb [arch=amd64] http://mirror.example/ubuntu/ bionic main universe\n",
    ),
    Case("debian11", policy("(none)", "20.10.5+dfsg1-1+deb11u2"), True, release="bullseye"),
    # The installed version counts, not a newer candidate apt would not install (state: present).
    Case("installed-old-candidate-new", policy("20.10.5+dfsg1-1", "20.10.24+dfsg1-1+b3"), True),
    Case("fixed-release", policy("(none)", "20.10.10+dfsg1-1"), False),
    Case("debian12", policy("(none)", "20.10.24+dfsg1-1+deb12u1"), False),
    Case("debian13", policy("(none)", "26.1.5+dfsg1-9+b9"), False, release="trixie"),
    # Unknown version (apt knows no such package): no profile, the install then fails by itself.
    Case("unknown", "", False),
    Case(
        "forced",
        policy("(none)", "26.1.5+dfsg1-9+b9"),
        True,
        {"docker_engine_seccomp_profile": "role"},
    ),
    Case(
        "builtin",
        policy("(none)", "18.09.7-0ubuntu1~16.04.7"),
        False,
        {"docker_engine_seccomp_profile": "builtin"},
    ),
    # Docker's repository has only engines newer than the fix.
    Case("docker-ce", "", False, {"docker_engine_install_source": "docker_ce"}),
    Case("arm64", policy("(none)", "18.09.7-0ubuntu1~16.04.7"), True, architecture="aarch64"),
    # A Swarm node: dockerd refuses Swarm mode with live-restore, whatever the setting says.
    Case(
        "swarm-node",
        policy("(none)", "26.1.5+dfsg1-9+b9"),
        False,
        {"docker_engine_swarm_node": True, "docker_engine_live_restore": True},
        release="trixie",
    ),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("engine_config")
    hosts = {}
    for case in CASES:
        case_dir = work / case.name
        case_dir.mkdir()
        hosts[case.name] = {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "case_dir": str(case_dir),
            "engine_policy": case.policy,
            "sources_list": case.sources_list,
            "platform": {
                "distribution": case.distribution,
                "distribution_release": case.release,
                "distribution_major_version": "16" if case.release == "xenial" else "12",
                "architecture": case.architecture,
            },
            **case.settings,
        }
    inventory = work / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}))
    run_playbook(
        TESTS_DIR / "render_engine_config.yml",
        "--forks",
        str(len(hosts)),
        inventory=inventory,
        timeout=120,
    )
    return work


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_profile_only_for_engines_before_the_clone3_fix(rendered: Path, case: Case) -> None:
    daemon = json.loads((rendered / case.name / "daemon.json").read_text())
    assert daemon.get("seccomp-profile") == (PROFILE_PATH if case.wants_profile else None)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_live_restore_off_and_docker_sdk_only_on_swarm_nodes(rendered: Path, case: Case) -> None:
    swarm_node = case.settings.get("docker_engine_swarm_node", False)
    daemon = json.loads((rendered / case.name / "daemon.json").read_text())
    assert daemon["live-restore"] is not swarm_node
    packages = json.loads((rendered / case.name / "packages.json").read_text())
    sdk = "python-docker" if case.release == "xenial" else "python3-docker"
    assert (sdk in packages) is swarm_node


def rules(case: str, rendered: Path) -> list[dict]:
    return json.loads((rendered / case / "seccomp.json").read_text())["syscalls"]


def test_profile_refuses_by_default_and_allows_common_calls(rendered: Path) -> None:
    profile = json.loads((rendered / "xenial-candidate" / "seccomp.json").read_text())
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    assert profile["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
    allowed = {
        name
        for rule in profile["syscalls"]
        if rule["action"] == "SCMP_ACT_ALLOW" and "args" not in rule
        for name in rule["names"]
    }
    # What threads, processes, networking and newer C libraries need.
    assert {
        "read",
        "write",
        "openat",
        "futex",
        "execve",
        "rseq",
        "socket",
        "accept4",
        "epoll_wait",
        "close_range",
        "faccessat2",
        "fchmodat2",
        "statx",
        "mmap",
        "_llseek",
        "socketcall",
    } <= allowed
    refused = yaml.safe_load((ROLE_DIR / "vars" / "seccomp.yml").read_text())[
        "__docker_engine_seccomp_refused"
    ]
    for group, names in refused.items():
        assert not allowed & set(names), f"refused ({group}) but allowed"
    assert {
        "mount",
        "unshare",
        "setns",
        "ptrace",
        "bpf",
        "kexec_load",
        "init_module",
        "io_uring_setup",
    } <= {name for names in refused.values() for name in names}


def test_clone3_gets_enosys_and_clone_no_namespaces(rendered: Path) -> None:
    by_name = {}
    for rule in rules("xenial-candidate", rendered):
        for name in rule["names"]:
            by_name.setdefault(name, []).append(rule)
    assert [rule["action"] for rule in by_name["clone3"]] == ["SCMP_ACT_TRACE"]
    [clone] = by_name["clone"]
    assert clone["action"] == "SCMP_ACT_ALLOW"
    # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET must all be clear.
    assert clone["args"] == [
        {"index": 0, "value": 0x7E020000, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}
    ]
    assert sorted(rule["args"][0]["value"] for rule in by_name["personality"]) == [
        0,
        8,
        0x20000,
        0x20008,
        0xFFFFFFFF,
    ]


def test_profile_architectures_follow_the_host(rendered: Path) -> None:
    profile = json.loads((rendered / "arm64" / "seccomp.json").read_text())
    assert profile["architectures"] == ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]


@pytest.mark.parametrize(
    ("case", "archive"),
    [
        ("xenial-candidate", "http://archive.example/ubuntu"),
        ("bionic-options", "http://mirror.example/ubuntu/"),
    ],
)
def test_universe_comes_from_the_archive_of_main(rendered: Path, case: str, archive: str) -> None:
    release = next(c.release for c in CASES if c.name == case)
    lines = [
        line
        for line in (rendered / case / "ubuntu-universe.list").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == [
        f"deb {archive} {release}{suffix} universe" for suffix in ("", "-updates", "-security")
    ]
