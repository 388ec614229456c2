"""What a user of the deployed site notices, checked from the controller over real HTTP.

Tests run in file order: the last ones change the deployment (code update, recreation, reboot).
"""

import re
import shlex
import shutil
import socket
import subprocess
import uuid

import pytest
import requests
from conftest import (
    BASE_URL,
    HOST,
    PROJECT,
    RequestLoop,
    containers,
    create_post,
    inspect,
    login,
    run_site_yml,
    stack_containers,
    wait_for_site,
)
from playbook import REPO

TLS_ONLY_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_home_page_answers_through_nginx():
    response = requests.get(BASE_URL + "/", timeout=10)
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx", "server_tokens should hide the version"
    assert "<html" in response.text.lower()


def test_static_file_served_by_nginx_with_cache_headers():
    page = requests.get(BASE_URL + "/", timeout=10).text
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheet, "home page links no stylesheet under /static/"
    response = requests.get(BASE_URL + stylesheet.group(1), timeout=10)
    assert response.status_code == 200
    assert "max-age" in response.headers.get("Cache-Control", "")
    assert "text/css" in response.headers["Content-Type"]


def test_healthz_answers_for_any_host_name():
    for host_header in ("localhost", "unknown.example", "10.0.0.1"):
        response = requests.get(BASE_URL + "/healthz", headers={"Host": host_header}, timeout=10)
        assert response.status_code == 200, host_header


def test_unknown_host_gets_no_site():
    with pytest.raises(requests.ConnectionError):
        requests.get(BASE_URL + "/", headers={"Host": "unknown.example"}, timeout=10)


def test_admin_login_and_post_appears_on_home_page(admin_password):
    session = requests.Session()
    login(session, admin_password)
    title = f"Post {uuid.uuid4().hex[:8]}"
    create_post(session, title)
    assert title in requests.get(BASE_URL + "/", timeout=10).text


def test_only_nginx_listens_on_a_host_port(host):
    """nginx is in the host's network (an engine restart never takes its port away); web and the
    database publish nothing and are reachable only on their internal network."""
    stack = {c["Name"].lstrip("/"): c for c in stack_containers(host)}
    assert set(stack) == {f"{PROJECT}_nginx", f"{PROJECT}_web", f"{PROJECT}_mysql"}
    assert stack[f"{PROJECT}_nginx"]["HostConfig"]["NetworkMode"] == "host"
    for name in (f"{PROJECT}_web", f"{PROJECT}_mysql"):
        assert stack[name]["HostConfig"]["NetworkMode"] != "host", name
        assert not any(stack[name]["NetworkSettings"]["Ports"].values()), name
        assert set(stack[name]["NetworkSettings"]["Networks"]) == {f"{PROJECT}_backend"}, name
    assert not host.run("timeout 3 bash -c '</dev/tcp/127.0.0.1/3306'").succeeded


def test_mysql_unreachable_from_the_controller():
    with socket.socket() as probe:
        probe.settimeout(3)
        assert probe.connect_ex(("127.0.0.1", 3306)) != 0


def test_web_and_nginx_run_as_non_root(host):
    for name in ("web", "nginx"):
        uid = host.check_output("docker exec %s_%s id -u", PROJECT, name)
        assert uid != "0", name


def test_check_deploy_warns_only_about_tls(host):
    result = host.run(
        "docker exec %s_web python manage.py check --deploy --fail-level CRITICAL", PROJECT
    )
    assert result.rc == 0, result.stderr
    warnings = set(re.findall(r"\((security\.W\d+)\)", result.stdout + result.stderr))
    assert warnings <= TLS_ONLY_WARNINGS, warnings


def test_django_tests_pass_against_mariadb(host, root_password):
    image = inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"]
    command = (
        f"docker run --rm --network {PROJECT}_backend -v /srv/{PROJECT}/code:/app:ro "
        f"-e DJANGO_SECRET_KEY=test-only-{uuid.uuid4().hex} -e DATABASE_HOST=mysql "
        f"-e DATABASE_NAME={PROJECT} -e DATABASE_USER=root "
        f"-e DATABASE_PASSWORD={shlex.quote(root_password)} "
        f"-e DJANGO_DEPLOY_PROJECT_SETTINGS=config.settings {image} "
        # The site's tests and those of the deployment's package in the image (django_deploy).
        "python manage.py test --noinput -v 2 . django_deploy"
    )
    result = host.run(command)
    assert result.rc == 0, result.stderr[-4000:]
    assert re.search(r"Ran [1-9]\d* tests?", result.stderr), result.stderr[-2000:]
    assert "django_deploy.tests.test_release" in result.stderr


def test_engine_restart_keeps_containers_and_site_up(host):
    """A daemon.json change restarts dockerd; live-restore keeps every container running."""
    before = containers(host)
    started = host.check_output("systemctl show docker --property ActiveEnterTimestamp")
    try:
        with RequestLoop() as loop:
            run_site_yml("-e", '{"docker_engine_log_max_file": 4}')
    finally:
        run_site_yml()
    assert host.check_output("systemctl show docker --property ActiveEnterTimestamp") != started
    assert containers(host) == before, "a container was restarted with the engine"
    loop.assert_none_failed()


def test_code_only_change_goes_live_without_a_failed_request(host, tmp_path):
    """A code change is a new release: a new web container beside the old one, no rebuild, and
    nginx and the database untouched."""
    before = containers(host)
    web_image = inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"]
    source = tmp_path / "django_site"
    shutil.copytree(REPO / "django_site", source, ignore=shutil.ignore_patterns("__pycache__"))
    marker = f"code-update-{uuid.uuid4().hex[:8]}"
    base = source / "blog" / "templates" / "blog" / "base.html"
    base.write_text(base.read_text().replace("</body>", f"<!-- {marker} --></body>"))

    try:
        with RequestLoop() as loop:
            run_site_yml("-e", f"django_web_source_dir={source}")
        assert marker in requests.get(BASE_URL + "/", timeout=10).text
        after = containers(host)
    finally:
        run_site_yml()
    loop.assert_none_failed()
    assert after[f"{PROJECT}_web"] != before[f"{PROJECT}_web"], "the code went live in place"
    assert inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"] == web_image, "a rebuilt image"
    for name in (f"{PROJECT}_nginx", f"{PROJECT}_mysql"):
        assert after[name] == before[name], f"{name} was restarted for a code change"
    assert marker not in requests.get(BASE_URL + "/", timeout=10).text


def test_site_survives_recreation_and_host_restart(host, admin_password):
    session = requests.Session()
    login(session, admin_password)
    title = f"Durable {uuid.uuid4().hex[:8]}"
    create_post(session, title)

    host.check_output("docker rm -f %s_nginx %s_web %s_mysql", PROJECT, PROJECT, PROJECT)
    run_site_yml()
    assert title in wait_for_site().text

    subprocess.run(["docker", "restart", HOST], check=True, capture_output=True)
    assert title in wait_for_site().text
