"""Any Django project deploys as it is: a site made by `django-admin startproject`, with an app this
test writes, deployed beside the blog on the same host under a project name and port of its own.

The generated files are kept byte for byte; the only lines added to them are the ones the Django
tutorial has every developer add (the app in INSTALLED_APPS, its URLs). Nothing of the deployment
is in the project: its settings keep DEBUG on, SQLite and the generated key, its requirements are
one unpinned line, and it has no health view, no release command, no uWSGI and no mysqlclient.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from conftest import (
    HOST_VARS,
    RequestLoop,
    admin_add_in_browser,
    backup_manifest,
    backup_taken,
    run_site_yml,
    run_stack_playbook,
    secret_hits,
)
from sample_projects import FACTOR_PROJECT, append, startproject, write

NAME = "mysite"
PORT = HOST_VARS["harness_extra_ports"][0]
URL = f"http://localhost:{PORT}"
# The blog's settings with this project's name, directory and port: its own containers, network,
# database and /srv/mysite on the same host.
SETTINGS = {
    "django_stack_project_name": NAME,
    "django_stack_http_port": PORT,
    "django_stack_tls": "off",
}

# A project written for a PaaS: settings read the environment (dj-database-url, Celery's broker
# from REDIS_URL), requirements are includes of unpinned lines, a Procfile names its release
# command and a Celery worker. Deployed with django_web_wrap_settings off and Redis on.
FACTOR = "factor"
FACTOR_PORT = HOST_VARS["harness_extra_ports"][1]
FACTOR_URL = f"http://localhost:{FACTOR_PORT}"
FACTOR_SETTINGS = {
    "django_stack_project_name": FACTOR,
    "django_stack_http_port": FACTOR_PORT,
    "django_stack_tls": "off",
    "django_web_wrap_settings": False,
    "django_stack_redis": True,
    "django_stack_redis_password": "{{ vault_django_stack_redis_password }}",
    "django_web_jobs": [
        {"name": "record", "command": "record_release", "on_calendar": "*-1-1 04:00"}
    ],
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """startproject, the notes app and its first migration, `Django` unpinned as the only
    requirement (sample_projects.startproject)."""
    return startproject(tmp_path_factory.mktemp("projects") / NAME, NAME)


def deploy(
    source: Path, *extra: str, settings: dict = SETTINGS, check: bool = True
) -> subprocess.CompletedProcess[str]:
    with_source = {**settings, "django_web_source_dir": str(source)}
    return run_site_yml("-e", json.dumps(with_source), *extra, check=check)


def copy_of(project: Path, tmp_path: Path) -> Path:
    source = tmp_path / NAME
    shutil.copytree(project, source, ignore=shutil.ignore_patterns("__pycache__"))
    return source


def remove_project(host, name: str) -> None:
    """Everything a deploy of project `name` made on the host: containers, networks, images,
    timers and /srv/<name>."""
    host.run(
        f"docker rm -f $(docker ps -aq --filter label=django-deploy.project={name}) 2>/dev/null;"
        f" docker rm -f $(docker ps -aq --filter name={name}_) 2>/dev/null;"
        f" docker network rm {name}_backend {name}_frontend 2>/dev/null;"
        f" docker rmi -f $(docker images -q '{name}/*') 2>/dev/null;"
        f" systemctl disable --now $(systemctl list-units --all --plain --no-legend '{name}-*'"
        f" | awk '{{print $1}}') 2>/dev/null; rm -rf /srv/{name}"
    )


@pytest.fixture(scope="module")
def deployed(host, project):
    """The project deployed; everything of it is removed from the host afterwards."""
    try:
        deploy(project)
        yield project
    finally:
        remove_project(host, NAME)


def home_page(base_url: str = URL) -> str:
    response = requests.get(base_url + "/", timeout=10)
    assert response.status_code == 200, response.text[:500]
    return response.text


def test_startproject_site_serves_through_nginx_in_production_mode(host, deployed):
    assert "<h1>Notes</h1>" in home_page()
    # DEBUG is off whatever the project's settings say: no debug page for an unknown URL.
    missing = requests.get(URL + "/no-such-page/", timeout=10)
    assert missing.status_code == 404
    assert "Using the URLconf" not in missing.text
    # The admin's static files, collected by the release step and served by nginx.
    css = requests.get(URL + "/static/admin/css/base.css", timeout=10)
    assert css.status_code == 200 and "nginx" in css.headers.get("Server", "")
    # The database is the deployment's MariaDB, not the project's SQLite file.
    database = host.check_output(
        "docker exec %s_web python manage.py shell -c %s",
        NAME,
        "from django.db import connection; from notes.models import Note; "
        "print(connection.vendor, connection.settings_dict['HOST'], Note.objects.count())",
    )
    assert re.search(r"^mysql mysql \d+$", database, re.M), database


def test_admin_login_in_a_browser_and_a_note_added_there_shows_on_the_site(
    deployed, browser, admin_password
):
    title = f"Note {uuid.uuid4().hex[:8]}"
    admin_add_in_browser(browser, URL, admin_password, "notes/note", {"title": title})

    browser.get(URL + "/")
    assert title in browser.page_source


def test_code_change_goes_live_without_a_failed_request(deployed, tmp_path):
    source = copy_of(deployed, tmp_path)
    marker = f"code-{uuid.uuid4().hex[:8]}"
    views = source / "notes" / "views.py"
    views.write_text(views.read_text().replace("<h1>Notes</h1>", f"<h1>Notes</h1><p>{marker}</p>"))

    with RequestLoop(URL) as loop:
        deploy(source)

    loop.assert_none_failed()
    assert marker in home_page()


PYPROJECT = """\
[project]
name = "mysite"
version = "1.0"
requires-python = ">=3.11"
dependencies = {dependencies}

[dependency-groups]
dev = ["pytest"]
"""


def pyproject_copy(project: Path, tmp_path: Path, dependencies: list[str], more: str = "") -> Path:
    """The project with a pyproject.toml (the dependencies, pytest in the dev group) instead of
    its requirements.txt."""
    source = copy_of(project, tmp_path)
    (source / "requirements.txt").unlink()
    text = PYPROJECT.format(dependencies=json.dumps(dependencies)) + more
    (source / "pyproject.toml").write_text(text)
    return source


def deploy_and_compare_with_the_lock(
    host, source: Path, lock: str, absent: list[str], settings: dict = SETTINGS
) -> None:
    """Deployed without a failed request, the image has the lock's Django and humanize, and none
    of the modules in `absent`."""
    locked = [
        re.search(rf'name = "{name}"\nversion = "([^"]+)"', lock).group(1)
        for name in ("django", "humanize")
    ]
    with RequestLoop(URL) as loop:
        deploy(source, settings=settings)
    loop.assert_none_failed()
    assert "<h1>Notes</h1>" in home_page()
    installed = host.check_output(
        "docker exec %s_web python -c %s",
        NAME,
        "import importlib.metadata as m; print(m.version('django'), m.version('humanize'))",
    )
    assert installed.split() == locked
    for module in absent:
        assert host.run("docker exec %s_web python -c 'import %s'", NAME, module).rc != 0


def uses_humanize(source: Path) -> None:
    """The notes view counts the notes in words, with humanize (a new dependency)."""
    views = source / "notes" / "views.py"
    views.write_text(
        views.read_text().replace(
            'return HttpResponse(f"<h1>Notes</h1><ul>{titles}</ul>")',
            "import humanize\n\n"
            "    count = humanize.apnumber(Note.objects.count())\n"
            '    return HttpResponse(f"<h1>Notes</h1><p>{count} notes</p><ul>{titles}</ul>")',
        )
    )


def test_dependency_change_to_a_uv_lock_goes_live_and_rolls_back(host, deployed, tmp_path):
    """The project moves from requirements.txt to pyproject.toml and the uv.lock `uv lock` made,
    with a new dependency its view uses: a new image with the lock's versions (not the dev
    group), live without a failed request; the rollback goes back to the image without it. The
    lock also has python-magic, which needs the system's libmagic: the settings add it to the
    image, and headers to the build stage alone."""
    source = pyproject_copy(deployed, tmp_path, ["Django", "humanize", "python-magic"])
    uses_humanize(source)
    settings = {
        **SETTINGS,
        "django_web_system_packages": ["libmagic1"],
        "django_web_build_packages": ["libmagic-dev"],
    }
    # Locked as of a past date: older versions than pip would pick today, so the image shows
    # whether it installed the lock or resolved afresh.
    subprocess.run(
        [Path(sys.executable).with_name("uv"), "lock", "--quiet", "--exclude-newer", "2025-06-01"],
        cwd=source,
        check=True,
    )
    image_before = image_of(host, f"{NAME}_web")

    lock = (source / "uv.lock").read_text()
    deploy_and_compare_with_the_lock(host, source, lock, ["pytest"], settings=settings)
    assert re.search(r"<p>\w+ notes</p>", home_page())
    assert image_of(host, f"{NAME}_web") != image_before
    sniff = "import magic; print(magic.from_buffer(b'%PDF-1.4'))"
    pdf = host.check_output("docker exec %s_web python -c %s", NAME, sniff)
    assert pdf.startswith("PDF document"), pdf
    # The headers are in the build stage kept for the next build, not in the image that runs.
    header = "/usr/include/magic.h"
    assert host.run("docker exec %s_web test -e %s", NAME, header).rc == 1
    build_stage = f"{NAME}/web-build:cache"
    assert host.run("docker run --rm %s test -e %s", build_stage, header).rc == 0

    with RequestLoop(URL) as loop:
        run_stack_playbook("playbooks/rollback.yml", "-e", json.dumps(SETTINGS))
    loop.assert_none_failed()
    assert not re.search(r"<p>\w+ notes</p>", home_page())
    assert image_of(host, f"{NAME}_web") == image_before


def test_project_with_pyproject_and_poetry_lock_deploys_its_main_group(host, deployed, tmp_path):
    """No requirements.txt: pyproject.toml and the poetry.lock Poetry 2 made (run from PyPI by
    uv, as a developer might): the image has the lock's versions of the main group, not the dev
    group, nor a package the lock marks for Windows only."""
    source = pyproject_copy(
        deployed,
        tmp_path,
        ["Django>=5.2,<6", "humanize"],
        more="\n[tool.poetry]\npackage-mode = false\n",
    )
    subprocess.run(
        [Path(sys.executable).with_name("uv"), "tool", "run", "--quiet"]
        + ["--from", "poetry>=2.1,<3", "poetry", "lock", "--no-interaction"],
        cwd=source,
        check=True,
        env={**os.environ, "POETRY_VIRTUALENVS_CREATE": "false"},
    )
    lock = (source / "poetry.lock").read_text()
    assert 'lock-version = "2.1"' in lock
    assert 'name = "tzdata"' in lock and 'name = "pytest"' in lock
    deploy_and_compare_with_the_lock(host, source, lock, ["pytest", "tzdata"])


def test_requirement_pip_cannot_resolve_is_refused_with_pips_error(deployed, tmp_path):
    source = copy_of(deployed, tmp_path)
    (source / "requirements.txt").write_text("Django\nno-such-package-for-django-deploy==1.0\n")

    with RequestLoop(URL) as loop:
        refused = deploy(source, check=False)
    loop.assert_none_failed()
    assert refused.returncode != 0
    # pip's own words, not the whole build log.
    assert "The image build failed at step" in refused.stdout, refused.stdout[-3000:]
    assert "No matching distribution found for no-such-package-for-django-deploy" in refused.stdout
    assert "Step 1/" not in refused.stdout
    assert "<h1>Notes</h1>" in home_page()


def test_settings_that_do_not_import_are_refused_before_the_release_starts(
    host, deployed, tmp_path
):
    source = copy_of(deployed, tmp_path)
    append(source / NAME / "settings.py", "\nimport debug_toolbar_not_installed  # noqa\n")
    live = code_of(host, f"{NAME}_web")

    refused = deploy(source, check=False)
    assert refused.returncode != 0
    # One line: the module, the error and where in the project it came from.
    assert re.search(
        rf"The settings {NAME}\.settings do not load: ModuleNotFoundError: No module named"
        rf" 'debug_toolbar_not_installed' \({NAME}/settings\.py, line \d+\)",
        refused.stdout,
    ), refused.stdout[-3000:]
    assert "was not started" in refused.stdout
    assert code_of(host, f"{NAME}_web") == live
    assert "<h1>Notes</h1>" in home_page()


def shell(host, project: str, code: str) -> str:
    """Python run by `manage.py shell` in the project's live web container."""
    return host.check_output("docker exec %s_web python manage.py shell -v 0 -c %s", project, code)


def test_startproject_site_backup_and_restore_bring_notes_and_uploads_back(host, deployed):
    title = f"Kept {uuid.uuid4().hex[:8]}"
    shell(host, NAME, f"from notes.models import Note; Note.objects.create(title={title!r})")
    upload = f"/srv/{NAME}/data/media/kept.txt"
    host.check_output("printf 'kept upload' > %s", upload)
    name = backup_taken(
        run_stack_playbook("playbooks/backup.yml", "-e", json.dumps(SETTINGS)).stdout
    )
    verified = backup_manifest(host, name, NAME)["verified"]
    assert verified.startswith("restored into a scratch database")

    shell(host, NAME, "from notes.models import Note; Note.objects.all().delete()")
    host.check_output("rm %s", upload)
    assert title not in home_page()

    run_stack_playbook("playbooks/restore.yml", "-e", json.dumps({**SETTINGS, "backup": name}))
    assert title in home_page()
    assert requests.get(f"{URL}/media/kept.txt", timeout=10).text == "kept upload"


# The first deploy's output, at the highest verbosity (test_paas_project_shows_no_secret).
FACTOR_FIRST_DEPLOY: list[str] = []


@pytest.fixture(scope="module")
def factor_deployed(host, tmp_path_factory) -> Path:
    """The PaaS-shaped project deployed with Redis on (-vvv); removed from the host afterwards."""
    root = tmp_path_factory.mktemp("projects") / FACTOR
    write(root, FACTOR_PROJECT)
    try:
        first = deploy(root, "-vvv", settings=FACTOR_SETTINGS)
        FACTOR_FIRST_DEPLOY.append(first.stdout + first.stderr)
        yield root
    finally:
        remove_project(host, FACTOR)


def releases_recorded() -> int:
    return int(re.search(r"releases: (\d+)", home_page(FACTOR_URL)).group(1))


def square_by_the_worker(number: int, timeout: float = 60.0) -> None:
    """Queue a job through the site; the Procfile's Celery worker, through Redis, writes it."""
    queued = requests.get(f"{FACTOR_URL}/submit", params={"n": number}, timeout=10)
    assert queued.status_code == 200 and queued.text.startswith("queued"), queued.text[:500]
    expected = f"{number} squared is {number * number}"
    deadline = time.monotonic() + timeout
    while expected not in home_page(FACTOR_URL):
        assert time.monotonic() < deadline, f"the worker did not finish {expected!r}"
        time.sleep(1)


def image_of(host, container: str) -> str:
    return host.check_output("docker inspect --format '{{.Config.Image}}' %s", container)


def code_of(host, container: str) -> str:
    """The release directory whose code the container runs (mounted on /app)."""
    return host.check_output(
        'docker inspect --format \'{{range .Mounts}}{{if eq .Destination "/app"}}'
        "{{.Source}}{{end}}{{end}}' %s",
        container,
    )


def compiled_wheels(host, project: str) -> dict[str, str]:
    """The host's wheel cache of the project: each wheel's file name and modification time."""
    found = host.check_output(
        "find %s -name '*.whl' -printf '%%f %%T@\\n'", f"/srv/{project}/cache/wheels"
    )
    return dict(line.split() for line in found.splitlines())


def test_paas_project_runs_its_release_command_worker_and_redis(host, factor_deployed):
    # The Procfile's release command ran once, in the release step of the deploy.
    assert releases_recorded() == 1
    # The requirement with no wheel was compiled once, and the wheel kept for the next build.
    assert [name for name in compiled_wheels(host, FACTOR) if name.startswith("docopt-")]
    square_by_the_worker(7)
    worker = host.docker(f"{FACTOR}_worker")
    assert worker.is_running
    assert image_of(host, f"{FACTOR}_worker") == image_of(host, f"{FACTOR}_web")
    # Redis answers only with its password, and only on the backend network.
    refused = host.run("docker exec %s_redis redis-cli ping", FACTOR)
    assert "NOAUTH" in refused.stdout + refused.stderr
    assert host.check_output("docker port %s_redis", FACTOR) == ""
    # An unchanged rerun changes nothing, the worker and Redis included.
    rerun = deploy(factor_deployed, settings=FACTOR_SETTINGS)
    assert re.search(r"changed=0\b", rerun.stdout), rerun.stdout[-3000:]


def test_paas_project_shows_no_secret_in_its_verbose_deploy_or_containers(host, factor_deployed):
    """Redis's password too: its tasks, the redis.conf include and REDIS_URL (composed in the
    container) keep it out of the -vvv output and out of `docker inspect`."""
    variables = [name for name in HOST_VARS if name.startswith("vault_")]
    assert "vault_django_stack_redis_password" in variables
    (output,) = FACTOR_FIRST_DEPLOY
    assert secret_hits(output, variables) == dict.fromkeys(variables, 0)
    containers = host.check_output(
        "docker inspect $(docker ps --all --quiet --filter label=django-deploy.project=%s)", FACTOR
    )
    assert secret_hits(containers, variables) == dict.fromkeys(variables, 0)
    assert "REDIS_PASSWORD_FILE" in containers


def test_paas_project_admin_in_a_browser(factor_deployed, browser, admin_password):
    admin_add_in_browser(browser, FACTOR_URL, admin_password, "jobs/job", {"number": "31"})

    browser.get(FACTOR_URL + "/")
    assert "31 squared is None" in browser.page_source


def test_one_off_manage_command_runs_in_the_live_release(host, factor_deployed):
    command = (
        "shell -c 'from jobs.models import ReleaseRun;"
        ' print("runs:", ReleaseRun.objects.count())\''
    )
    ran = run_stack_playbook(
        "playbooks/manage.yml", "-e", json.dumps({**FACTOR_SETTINGS, "command": command})
    )
    assert re.search(r"runs: 1\b", ran.stdout), ran.stdout[-3000:]
    # The one-off container is gone; the site's containers are the ones it had.
    assert host.check_output("docker ps -aq --filter name=%s_manage", FACTOR) == ""
    failed = run_stack_playbook(
        "playbooks/manage.yml",
        "-e",
        json.dumps({**FACTOR_SETTINGS, "command": "no_such_command"}),
        check=False,
    )
    assert failed.returncode != 0
    assert "Unknown command: 'no_such_command'" in failed.stdout, failed.stdout[-3000:]
    assert "manage.py no_such_command exited with status 1" in failed.stdout
    # On the host, the same in one command, for a terminal or a script.
    on_host = host.run(
        "/usr/local/sbin/%s-manage shell -v 0 -c %s",
        FACTOR,
        "from jobs.models import ReleaseRun; print('runs:', ReleaseRun.objects.count())",
    )
    assert on_host.rc == 0 and on_host.stdout.strip() == "runs: 1", on_host.stderr
    assert host.run("/usr/local/sbin/%s-manage no_such_command", FACTOR).rc == 1
    assert host.check_output("docker ps -aq --filter label=django-deploy.service=manage") == ""


def test_scheduled_job_runs_in_the_live_release(host, factor_deployed):
    timer = host.service(f"{FACTOR}-job-record.timer")
    assert timer.is_enabled and timer.is_running
    before = releases_recorded()
    host.check_output("systemctl start %s-job-record.service", FACTOR)
    result = host.check_output("systemctl show -p Result --value %s-job-record.service", FACTOR)
    assert result == "success"
    assert releases_recorded() == before + 1
    # It ran in a container of its own, which is gone; the site's web container ran nothing.
    journal = host.check_output("journalctl -u %s-job-record.service -o cat --no-pager", FACTOR)
    assert "release recorded" in journal
    assert host.check_output("docker ps -aq --filter name=%s_job_record", FACTOR) == ""


def test_paas_project_code_and_dependency_change_releases_again_and_rolls_back(
    host, factor_deployed, tmp_path
):
    """A new view and a new requirement in the includes: a new image and code for web and the
    worker, live without a failed request, built with the wheel the first build compiled; the
    rollback brings both back."""
    source = tmp_path / FACTOR
    shutil.copytree(factor_deployed, source)
    append(source / "requirements" / "base.txt", "humanize\n")
    views = source / "jobs" / "views.py"
    views.write_text(
        "import humanize\n"
        + views.read_text().replace("<h1>Jobs</h1>", "<h1>Jobs {humanize.apnumber(2)}</h1>")
    )
    code_before = code_of(host, f"{FACTOR}_web")
    image_before = image_of(host, f"{FACTOR}_web")
    releases_before = releases_recorded()
    wheels_before = compiled_wheels(host, FACTOR)

    with RequestLoop(FACTOR_URL) as loop:
        deploy(source, settings=FACTOR_SETTINGS)
    loop.assert_none_failed()
    assert "<h1>Jobs two</h1>" in home_page(FACTOR_URL)
    # Only the new requirement was fetched: docopt's wheel came from the cache, not compiled again.
    assert compiled_wheels(host, FACTOR) == wheels_before
    host.check_output("docker exec %s_web python -c 'import docopt, humanize'", FACTOR)
    assert releases_recorded() == releases_before + 1
    # The worker runs the new release's code and image.
    assert code_of(host, f"{FACTOR}_worker") == code_of(host, f"{FACTOR}_web") != code_before
    assert image_of(host, f"{FACTOR}_worker") == image_of(host, f"{FACTOR}_web") != image_before
    square_by_the_worker(12)

    with RequestLoop(FACTOR_URL) as loop:
        run_stack_playbook("playbooks/rollback.yml", "-e", json.dumps(FACTOR_SETTINGS))
    loop.assert_none_failed()
    assert "<h1>Jobs two</h1>" not in home_page(FACTOR_URL)
    assert code_of(host, f"{FACTOR}_web") == code_before == code_of(host, f"{FACTOR}_worker")
    assert image_of(host, f"{FACTOR}_worker") == image_before
    square_by_the_worker(5)


def redis(host, *command: str) -> str:
    """redis-cli's answer in the project's Redis container, with the password from its secret
    file (empty while the container is not running)."""
    return host.run(
        "docker exec %s_redis sh -c %s",
        FACTOR,
        'REDISCLI_AUTH="$(cat /run/secrets/password)" redis-cli ' + " ".join(command),
    ).stdout.strip()


def test_paas_project_backup_and_restore_bring_database_and_redis_back(host, factor_deployed):
    square_by_the_worker(9)
    assert redis(host, "set", "kept-key", "before") == "OK"
    name = backup_taken(
        run_stack_playbook("playbooks/backup.yml", "-e", json.dumps(FACTOR_SETTINGS)).stdout
    )
    recorded = backup_manifest(host, name, FACTOR)
    assert recorded["redis"]["keys"] >= 1, recorded

    shell(host, FACTOR, "from jobs.models import Job; Job.objects.all().delete()")
    assert redis(host, "set", "kept-key", "after") == "OK"
    assert "9 squared is 81" not in home_page(FACTOR_URL)

    restored = run_stack_playbook(
        "playbooks/restore.yml", "-e", json.dumps({**FACTOR_SETTINGS, "backup": name})
    )
    assert "9 squared is 81" in home_page(FACTOR_URL), restored.stdout[-3000:]
    assert redis(host, "get", "kept-key") == "before"
    # Redis starts from its append-only file again, which now holds the backup's data.
    assert redis(host, "config", "get", "appendonly").split() == ["appendonly", "yes"]
    host.check_output("docker restart %s_redis", FACTOR)
    deadline = time.monotonic() + 60
    while (value := redis(host, "get", "kept-key")) != "before":
        assert time.monotonic() < deadline, f"after a restart Redis answers {value!r} for kept-key"
        time.sleep(1)
    # The worker is back on the restored broker.
    square_by_the_worker(4)
