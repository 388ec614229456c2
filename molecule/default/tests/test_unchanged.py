"""An unchanged rerun skips every role in seconds, yet repairs what changed on the host.

Each role's settings, role files and code are fingerprinted on the controller; the last complete
run recorded them on the host with what the role's files, containers and units looked like. A
role is skipped only when both still match.
"""

import re

import requests
from conftest import BASE_URL, PROJECT, containers, host_state, inspect, run_site_yml

ROLES = [
    "django_web",
    "docker_engine",
    "mysql_server",
    "nginx_proxy",
    "redis_server",
    "site_backup",
]
UWSGI_INI = f"/srv/{PROJECT}/config/web/uwsgi.ini"


def recap(output: str) -> dict[str, int]:
    line = [line for line in output.splitlines() if " : ok=" in line][-1]
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}


def skipped_roles(output: str) -> list[str]:
    found = re.search(r"Unchanged since the last deploy, skipped: ([^.]*)\.", output)
    assert found, "the run does not say which roles it skipped"
    return sorted(found.group(1).split(", ")) if found.group(1) != "none" else []


def test_unchanged_rerun_skips_every_role_and_changes_nothing(host):
    run_site_yml()
    before = host_state(host)
    live = inspect(host, f"{PROJECT}_web")[0]["Config"]["Labels"]["django-deploy.release"]

    output = run_site_yml().stdout

    assert recap(output)["changed"] == 0
    assert skipped_roles(output) == ROLES
    assert host_state(host) == before
    assert requests.get(BASE_URL + "/", timeout=10).status_code == 200
    last = host.check_output("tail -n 1 /srv/%s/logs/deploy.log", PROJECT)
    assert f"release={live} " in last and "result=ok" in last, last


def test_what_changed_on_the_host_is_repaired_by_an_unchanged_rerun(host):
    """A stopped container and a hand-edited file make their roles run again, and only them."""
    expected = host.file(UWSGI_INI).content_string
    host.check_output("docker stop %s_nginx", PROJECT)
    host.check_output("echo '# edited by hand' >> %s", UWSGI_INI)

    output = run_site_yml().stdout

    assert skipped_roles(output) == ["docker_engine", "mysql_server", "redis_server", "site_backup"]
    assert f"container {PROJECT}_nginx changed since the last deploy" in output
    assert f"file {UWSGI_INI} changed since the last deploy" in output
    assert recap(output)["changed"] > 0
    assert host.file(UWSGI_INI).content_string == expected
    assert inspect(host, f"{PROJECT}_nginx")[0]["State"]["Running"]
    assert requests.get(BASE_URL + "/", timeout=10).status_code == 200
    # Repaired and recorded: the next rerun skips everything again.
    assert skipped_roles(run_site_yml().stdout) == ROLES


def test_every_task_of_a_full_rerun_changes_nothing(host):
    before = containers(host)
    output = run_site_yml("-e", "django_stack_skip_unchanged=false").stdout
    assert recap(output)["changed"] == 0
    assert "Unchanged since the last deploy" not in output
    assert containers(host) == before
