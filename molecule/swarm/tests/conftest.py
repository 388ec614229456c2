"""The swarm scenario's hosts as the tests reach them: each one's Docker engine through
`docker exec` on this machine's engine, and the playbooks users run with Molecule's inventory."""

import functools
import json
import os
import re
import subprocess
from pathlib import Path

import testinfra
import yaml
from playbook import run_playbook

SCENARIO_DIR = Path(
    os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parents[1])
)
PLATFORMS = yaml.safe_load((SCENARIO_DIR / "molecule.yml").read_text())["platforms"]
HOSTS = [platform["name"] for platform in PLATFORMS]
MANAGER = next(p["name"] for p in PLATFORMS if "swarm_managers" in p["groups"])
SETTINGS = yaml.safe_load((SCENARIO_DIR / "group_vars" / "all" / "main.yml").read_text())
SECRETS = yaml.safe_load((SCENARIO_DIR / "group_vars" / "all" / "secrets.yml").read_text())
PROJECT = SETTINGS.get("django_stack_project_name", "blog")
NETWORK = f"{PROJECT}_swarm"
# A Debian image every node pulls through the harness's registry mirror, with perl-base's sockets.
PROBE_IMAGE = "debian:trixie-slim"


@functools.cache
def _node(host: str):
    """The throwaway host as testinfra reaches a container of this machine's engine."""
    return testinfra.get_host(f"docker://{host}")


def on(host: str, *argv: str, check: bool = True):
    """Run argv as root inside the throwaway host; testinfra's result (rc, stdout, stderr)."""
    result = _node(host).run(" ".join(["%s"] * len(argv)), *argv)
    if check and result.rc != 0:
        raise AssertionError(f"{' '.join(argv)} on {host} failed ({result.rc}): {result.stderr}")
    return result


def docker_json(host: str, *argv: str):
    """A docker command's --format '{{json .}}' output on the host, one JSON value per line."""
    lines = on(host, "docker", *argv, "--format", "{{json .}}").stdout.splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@functools.cache
def registry_address() -> str:
    """host:port of the Swarm's registry: the manager's Swarm address and the default port."""
    [manager] = docker_json(MANAGER, "node", "inspect", MANAGER)
    return f"{manager['Status']['Addr']}:5000"


def run_scenario_playbook(
    playbook: str, *extra: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """A playbook (path in the repository) against the scenario's hosts (Molecule's inventory)."""
    inventory = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "inventory"
    return run_playbook(playbook, *extra, inventory=inventory, check=check, timeout=600)


def run_swarm_playbook(*extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """playbooks/swarm.yml, as site.yml runs it, against the scenario's hosts."""
    return run_scenario_playbook("playbooks/swarm.yml", *extra, check=check)


def secret(variable: str) -> str:
    """The value the settings give a vault variable: a fixed core and this run's suffix."""
    suffix = (
        Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "secrets", variable).read_text().strip()
    )
    return SECRETS["__test_secret_core"] + suffix


def changed(result) -> dict[str, int]:
    recap = result.stdout.split("PLAY RECAP")[-1]
    return {
        host: int(count)
        for host, count in re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", recap, re.M)
    }
