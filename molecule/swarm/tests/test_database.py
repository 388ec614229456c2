"""Swarm mode's database: MariaDB as a service of one task on the node labelled db, its data on that
host's disk, its passwords Swarm secrets (a changed one is a new version the service then names),
reached by the stack's name for it on the overlay network from any node."""

import json

from conftest import (
    HOSTS,
    MANAGER,
    NETWORK,
    PROJECT,
    docker_json,
    on,
    run_scenario_playbook,
    secret,
)

SERVICE = f"{PROJECT}_mysql"
PASSWORD = "vault_django_stack_database_password"  # noqa: S105 (a variable's name)


def deploy(*extra: str, check: bool = True):
    return run_scenario_playbook("molecule/swarm/tests/database.yml", *extra, check=check)


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


def test_database_runs_on_its_node_with_data_on_that_disk():
    """As site.yml (the scenario's converge) left it (test_site.py reruns site.yml: changed=0)."""
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


def test_a_new_password_is_a_new_secret_version_and_keeps_the_data():
    before = container_spec()
    new_password = secret(PASSWORD) + "-rotated"
    try:
        deploy("-e", json.dumps({"django_stack_database_password": new_password}))
        after = container_spec()
        # Rotation keeps the old password valid beside the new one until the web release retires it.
        answers = [
            query(password, "SELECT SUM(n) FROM kept")
            for password in (new_password, secret(PASSWORD))
        ]
    finally:
        # The settings' password again (its own secret version, a restart of the server): the
        # site's tests that follow run under request loops.
        deploy()
    names = {s["File"]["Name"]: s["SecretName"] for s in after["Secrets"]}
    old_names = {s["File"]["Name"]: s["SecretName"] for s in before["Secrets"]}
    assert names["database_password"] != old_names["database_password"]
    assert names["root_password"] == old_names["root_password"]
    for answer in answers:
        assert answer.rc == 0 and answer.stdout.strip() == "7", answer.stderr
