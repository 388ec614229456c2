"""Shared fixtures: the site's URL as users reach it and the test run's secrets."""

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import request_loop
import requests
import testinfra
import yaml
from playbook import run_playbook

# The scenario's throwaway host; MOLECULE_TEST_HOST names another scenario's (its host_vars in
# that scenario's directory), so a copy of this scenario can run beside this one.
HOST = os.environ.get("MOLECULE_TEST_HOST", "stack-debian13")
PROJECT = "blog"
# The test host's own settings: its ports (main.yml) and the fixed core of its secrets.
HOST_VARS_DIR = (
    Path(os.environ.get("MOLECULE_SCENARIO_DIRECTORY", Path(__file__).resolve().parents[1]))
    / "host_vars"
    / HOST
)
HOST_VARS = {
    key: value
    for name in ("main.yml", "secrets.yml")
    for key, value in yaml.safe_load((HOST_VARS_DIR / name).read_text()).items()
}

# `make molecule` runs these files (or file::test) on a second host (scenario default2) while the
# default scenario runs the others, so the two halves share the machine's cores: STACK_TESTS=first
# or second picks a half, unset runs every test. test_tls.py stays on the first host, whose HTTP
# port is the one the harness's ACME CA validates on, and so does test_projects.py (its controller
# has Django, uv and selenium). Of the two broken-release tests, one runs under each controller.
SECOND_HOST_TESTS = {
    "test_backup.py",
    "test_bad_settings.py",
    "test_check_mode.py",
    "test_collection.py",
    "test_releases.py::test_new_image_release_and_rollback_drop_no_request",
    "test_releases.py::test_code_change_alone_takes_the_quick_path_yet_repairs_the_host",
    "test_releases.py::test_nginx_configuration_change_is_a_reload_and_a_new_image_a_side_by_side_swap",
    "test_releases.py::test_uwsgi_change_is_a_new_release_and_old_releases_are_pruned",
    "test_releases.py::test_failed_release_step_keeps_the_old_release",
    "test_rotation.py",
    "test_secret_output.py",
    "test_site.py",
    "test_unchanged.py",
}
_HALF = os.environ.get("STACK_TESTS", "all")


def _on_second_host(item) -> bool:
    """Is the test in SECOND_HOST_TESTS, by its file's name or as file::test?"""
    test = f"{item.path.name}::{item.originalname}"
    return item.path.name in SECOND_HOST_TESTS or test in SECOND_HOST_TESTS


def pytest_collection_modifyitems(config, items) -> None:
    """Keep the half of the test files STACK_TESTS names (Molecule passes each file by name, which
    `collect_ignore` would not stop)."""
    if _HALF not in ("all", "first", "second"):
        raise pytest.UsageError(f"STACK_TESTS={_HALF!r}: use first, second or all")
    if _HALF == "all":
        return
    keep = [item for item in items if _on_second_host(item) == (_HALF == "second")]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


BASE_URL = f"http://localhost:{HOST_VARS['django_stack_http_port']}"


def _container_of_this_engine(name: str) -> bool:
    try:
        found = subprocess.run(
            ["docker", "container", "inspect", name], capture_output=True, check=False
        )
    except FileNotFoundError:
        return False
    return found.returncode == 0


@pytest.fixture(scope="module")
def host(_testinfra_host):
    """The test host as testinfra's `host`. Molecule's goes through Ansible (an ansible run of
    about 2 s of CPU for each command); a throwaway host that is a container of this machine's
    Docker engine is reached through `docker exec` instead (0.1 s), the same commands as root.
    Other hosts (the vm-stack scenario's virtual machine) stay Molecule's."""
    if _container_of_this_engine(HOST):
        return testinfra.get_host(f"docker://{HOST}")
    return _testinfra_host


def random_part(variable: str) -> str:
    """This run's random suffix of a vault variable's value."""
    path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "secrets" / variable
    return path.read_text().strip()


def secret(variable: str) -> str:
    """The value the deploy used for a vault variable: the fixed core + this run's suffix."""
    return HOST_VARS["__test_secret_core"] + random_part(variable)


def secret_hits(text: str, variables: list[str]) -> dict[str, int]:
    """How often each variable's value, or its random part, occurs in text."""
    return {name: text.count(secret(name)) + text.count(random_part(name)) for name in variables}


@pytest.fixture
def admin_password() -> str:
    return secret("vault_django_web_admin_password")


@pytest.fixture
def root_password() -> str:
    return secret("vault_mysql_server_root_password")


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


class RequestLoop(request_loop.RequestLoop):
    """2 clients, one request to the site's / every 50 ms each, while in use (`base_url` and
    `verify` for HTTPS)."""

    def __init__(self, base_url: str = BASE_URL, verify: bool | str = True) -> None:
        super().__init__(base_url + "/", verify=verify)


@pytest.fixture
def browser():
    """Debian's chromium, headless, through its chromedriver (molecule/resources/tasks/browser.yml
    installs both); selenium is told not to download any browser or driver."""
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    # As root in a container: no user namespace sandbox, and a small /dev/shm.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    )
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def admin_add_in_browser(
    driver, base_url: str, password: str, model: str, fields: dict[str, str]
) -> None:
    """Log in to the admin in the browser, as a user types it, and add an object of `model`
    (app/model) through its form."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/admin/login/?next=/admin/{model}/add/")
    driver.find_element(By.ID, "id_username").send_keys("admin")
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.NAME, "_save"))
    for name, value in fields.items():
        driver.find_element(By.ID, f"id_{name}").send_keys(value)
    driver.find_element(By.NAME, "_save").click()
    WebDriverWait(driver, 20).until(lambda d: "was added successfully" in d.page_source)


def login(session: requests.Session, password: str, base_url: str = BASE_URL) -> None:
    """Log in to the admin as users do: the login form, its CSRF token, the Referer."""
    page = session.get(f"{base_url}/admin/login/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base_url}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "admin", "password": password},
        headers={"Referer": f"{base_url}/admin/login/"},
        timeout=10,
    )
    assert response.status_code == 200
    assert "Log out" in response.text or "logout" in response.text, "admin login failed"


def run_stack_playbook(
    playbook: str, *extra: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one of the playbooks users run (site.yml, playbooks/rollback.yml, ...) against the
    throwaway host, with Molecule's inventory."""
    inventory = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "inventory"
    return run_playbook(playbook, *extra, inventory=inventory, check=check, env=env)


def run_site_yml(*extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run site.yml against the throwaway host the way users run it."""
    return run_stack_playbook("site.yml", *extra, check=check)


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


WATCHED_FILES = [
    "/etc/docker/daemon.json",
    f"/srv/{PROJECT}/config/nginx/nginx.conf",
    f"/srv/{PROJECT}/config/web/uwsgi.ini",
]


def host_state(host) -> str:
    """What a deploy that must change nothing may not touch: the configuration files, the
    containers and the images on the host (one command, as it runs once per case)."""
    return host.check_output(
        "sha256sum "
        + " ".join(["%s"] * len(WATCHED_FILES))
        + " && docker ps --all --quiet --no-trunc | sort"
        " && docker images --all --quiet --no-trunc | sort",
        *WATCHED_FILES,
    )


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


def backup_taken(output: str) -> str:
    """The name of the backup backup.yml reports it took."""
    found = re.search(r"backup (\d{8}T\d{6}Z-[a-z0-9-]+): ", output)
    assert found, output[-3000:]
    return found.group(1)


def backup_manifest(host, name: str, project: str = PROJECT) -> dict:
    """The manifest.json of backup `name` of `project`."""
    return json.loads(host.check_output("cat /srv/%s/backups/%s/manifest.json", project, name))
