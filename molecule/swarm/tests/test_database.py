"""Swarm mode's database: MariaDB as a service of one task on the node labelled db, its data on that
host's disk, its passwords Swarm secrets (a changed one is a new version the service then names),
reached by the stack's name for it on the overlay network from any node."""

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import (
    HOSTS,
    MANAGER,
    NETWORK,
    PROJECT,
    SCENARIO_DIR,
    docker_json,
    on,
    run_scenario_playbook,
)

SECRETS = yaml.safe_load((SCENARIO_DIR / "group_vars" / "all" / "secrets.yml").read_text())
SERVICE = f"{PROJECT}_mysql"
PASSWORD = "vault_django_stack_database_password"  # noqa: S105 (a variable's name)


def secret(variable: str) -> str:
    """The value the settings give a vault variable: a fixed core and this run's suffix."""
    suffix = (
        Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "secrets", variable).read_text().strip()
    )
    return SECRETS["__test_secret_core"] + suffix


def deploy(*extra: str, check: bool = True):
    return run_scenario_playbook("molecule/swarm/tests/database.yml", *extra, check=check)


def changed(result) -> dict[str, int]:
    recap = result.stdout.split("PLAY RECAP")[-1]
    return {
        host: int(count)
        for host, count in re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", recap, re.M)
    }


def query(password: str, sql: str, host: str = HOSTS[-1]):
    """The site's account runs SQL, reaching the database by its stack name, from a one-off
    container of the database's image on HOST (another node than the database's)."""
    [spec] = docker_json(MANAGER, "service", "inspect", SERVICE)
    image = spec["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
    return on(
        host, "docker", "run", "--rm", "--network", NETWORK, "--env", f"MYSQL_PWD={password}",
        "--entrypoint", "mariadb", image, "--protocol=tcp", "-hmysql", f"-u{PROJECT}", "--batch",
        "--skip-column-names", PROJECT, "-e", sql,
        check=False,
    )  # fmt: skip


def container_spec() -> dict:
    [spec] = docker_json(MANAGER, "service", "inspect", SERVICE)
    return spec["Spec"]["TaskTemplate"]["ContainerSpec"]


@pytest.fixture(scope="module")
def deployed():
    return deploy()


def test_database_runs_on_its_node_with_data_on_that_disk(deployed):
    [task] = docker_json(MANAGER, "service", "ps", SERVICE, "--filter", "desired-state=running")
    assert task["Node"] == MANAGER and task["CurrentState"].startswith("Running"), task
    [spec] = docker_json(MANAGER, "service", "inspect", SERVICE)
    container = spec["Spec"]["TaskTemplate"]["ContainerSpec"]
    assert "@sha256:" in container["Image"]
    assert spec["Spec"]["UpdateConfig"]["Order"] == "stop-first"
    assert on(MANAGER, "test", "-d", f"/srv/{PROJECT}/data/mysql/{PROJECT}").rc == 0
    # The spec names its secrets; no password is in it.
    text = json.dumps(spec)
    assert secret(PASSWORD) not in text and secret("vault_mysql_server_root_password") not in text
    assert {s["SecretName"].rsplit("_v", 1)[0] for s in container["Secrets"]} == {
        f"{SERVICE}_root_password",
        f"{SERVICE}_database_password",
    }
    answer = query(
        secret(PASSWORD), "CREATE TABLE IF NOT EXISTS kept (n INT); INSERT INTO kept VALUES (7)"
    )
    assert answer.rc == 0, answer.stderr
    assert set(changed(deploy()).values()) == {0}


def test_a_new_password_is_a_new_secret_version_and_keeps_the_data(deployed):
    before = container_spec()
    new_password = secret(PASSWORD) + "-rotated"
    deploy("-e", json.dumps({"django_stack_database_password": new_password}))
    after = container_spec()
    names = {s["File"]["Name"]: s["SecretName"] for s in after["Secrets"]}
    old_names = {s["File"]["Name"]: s["SecretName"] for s in before["Secrets"]}
    assert names["database_password"] != old_names["database_password"]
    assert names["root_password"] == old_names["root_password"]
    # Rotation keeps the old password valid beside the new one until the web release retires it.
    for password in (new_password, secret(PASSWORD)):
        answer = query(password, "SELECT SUM(n) FROM kept")
        assert answer.rc == 0 and answer.stdout.strip() == "7", answer.stderr
