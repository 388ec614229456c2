"""Shared fixtures: the site's URL as users reach it and the test run's secrets."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests

BASE_URL = "http://localhost:18080"
HOST = "stack-debian13"
PROJECT = "blog"
REPO = Path(__file__).resolve().parents[3]
# Must match __test_nasty in ../host_vars/stack-debian13/main.yml.
NASTY = "q'u\"o $HOME %s #h spaçe ñø"


def secret(name: str) -> str:
    path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "secrets" / name
    return NASTY + path.read_text().strip()


@pytest.fixture
def admin_password() -> str:
    return secret("admin")


@pytest.fixture
def root_password() -> str:
    return secret("mysql_root")


def wait_for_site(timeout: float = 180.0) -> requests.Response:
    """Poll / until it answers 200; returns the last response."""
    deadline = time.monotonic() + timeout
    last: Exception | requests.Response | None = None
    while time.monotonic() < deadline:
        try:
            last = requests.get(BASE_URL + "/", timeout=5)
            if last.status_code == 200:
                return last
        except requests.RequestException as error:
            last = error
        time.sleep(2)
    raise AssertionError(f"the site did not come back within {timeout:.0f}s: {last!r}")


def run_site_yml(*extra: str) -> subprocess.CompletedProcess[str]:
    """Run site.yml against the throwaway host the way users run it, with Molecule's inventory."""
    inventory = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "inventory"
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_FORCE_COLOR": "0"}
    result = subprocess.run(
        ["ansible-playbook", "-i", str(inventory), str(REPO / "site.yml"), *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


def inspect(host, *names: str) -> list[dict]:
    """`docker inspect` of containers on the host. JSON, not Go templates: the command goes
    through Ansible, which would take {{ }} for Jinja."""
    return json.loads(host.check_output("docker inspect " + " ".join(names)))


def stack_containers(host) -> list[dict]:
    ids = host.check_output("docker ps -q --filter name=%s_", PROJECT).split()
    return inspect(host, *ids) if ids else []


def containers(host) -> dict[str, str]:
    """Name -> "<id> <started at>" of the stack's running containers."""
    running = stack_containers(host)
    return {c["Name"].lstrip("/"): f"{c['Id']} {c['State']['StartedAt']}" for c in running}
