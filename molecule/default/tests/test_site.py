"""What a user of the deployed site notices, checked from the controller over real HTTP.

Tests run in file order: the last ones change the deployment (code update, recreation, reboot).
"""

import re
import shlex
import shutil
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests
from conftest import (
    BASE_URL,
    HOST,
    PROJECT,
    containers,
    inspect,
    run_site_yml,
    stack_containers,
    wait_for_site,
)
from playbook import REPO

TLS_ONLY_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def login(session: requests.Session, password: str) -> None:
    page = session.get(f"{BASE_URL}/admin/login/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{BASE_URL}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "admin", "password": password},
        headers={"Referer": f"{BASE_URL}/admin/login/"},
        timeout=10,
    )
    assert response.status_code == 200
    assert "Log out" in response.text or "logout" in response.text, "admin login failed"


def create_post(session: requests.Session, title: str) -> None:
    form = session.get(f"{BASE_URL}/admin/blog/post/add/", timeout=10)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    author = re.search(r'<option value="(\d+)" selected>', form.text).group(1)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    response = session.post(
        f"{BASE_URL}/admin/blog/post/add/",
        data={
            "csrfmiddlewaretoken": token,
            "title": title,
            "slug": slug,
            "body": f"Body of {title}",
            "author": author,
            "published": "on",
            "_save": "Save",
        },
        headers={"Referer": f"{BASE_URL}/admin/blog/post/add/"},
        timeout=10,
    )
    assert response.status_code == 200
    assert "was added successfully" in response.text, response.text[:2000]


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


def test_only_nginx_publishes_a_port(host):
    published = {
        c["Name"].lstrip("/"): {
            port: bindings for port, bindings in c["NetworkSettings"]["Ports"].items() if bindings
        }
        for c in stack_containers(host)
    }
    assert set(published) == {f"{PROJECT}_nginx", f"{PROJECT}_web", f"{PROJECT}_mysql"}
    assert list(published[f"{PROJECT}_nginx"]) == ["8080/tcp"]
    assert published[f"{PROJECT}_web"] == {}
    assert published[f"{PROJECT}_mysql"] == {}
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
        f"-e DATABASE_PASSWORD={shlex.quote(root_password)} {image} "
        "python manage.py test --noinput -v 2"
    )
    result = host.run(command)
    assert result.rc == 0, result.stderr[-4000:]
    assert re.search(r"Ran [1-9]\d* tests?", result.stderr), result.stderr[-2000:]


class RequestLoop:
    """Requests / every 100 ms from a thread while in use; counts the answers that were not 200."""

    def __init__(self) -> None:
        self.sent = 0
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.sent += 1
            try:
                status = requests.get(BASE_URL + "/", timeout=5).status_code
            except requests.RequestException as error:
                self.failed.append(type(error).__name__)
                continue
            if status != 200:
                self.failed.append(str(status))

    def __enter__(self) -> "RequestLoop":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


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
    assert loop.sent > 0
    assert loop.failed == [], f"{len(loop.failed)} of {loop.sent} requests failed: {loop.failed}"


def test_code_only_change_served_without_restart(host, tmp_path):
    before = containers(host)
    source = tmp_path / "django_site"
    shutil.copytree(REPO / "django_site", source, ignore=shutil.ignore_patterns("__pycache__"))
    marker = f"code-update-{uuid.uuid4().hex[:8]}"
    base = source / "blog" / "templates" / "blog" / "base.html"
    base.write_text(base.read_text().replace("</body>", f"<!-- {marker} --></body>"))

    run_site_yml("-e", f"django_web_source_dir={source}")

    deadline = time.monotonic() + 60
    while marker not in requests.get(BASE_URL + "/", timeout=10).text:
        assert time.monotonic() < deadline, "the code change was not served within 60 s"
        time.sleep(2)
    assert containers(host) == before, "a container was restarted for a code-only change"


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
