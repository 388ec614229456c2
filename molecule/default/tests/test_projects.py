"""Any Django project deploys as it is: a site made by `django-admin startproject`, with an app this
test writes, deployed beside the blog on the same host under a project name and port of its own.

The generated files are kept byte for byte; the only lines added to them are the ones the Django
tutorial has every developer add (the app in INSTALLED_APPS, its URLs). Nothing of the deployment
is in the project: its settings keep DEBUG on, SQLite and the generated key, its requirements are
one unpinned line, and it has no health view, no release command, no uWSGI and no mysqlclient.
"""

import json
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import requests
from conftest import HOST_VARS, RequestLoop, login, run_site_yml, run_stack_playbook

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

NOTES_APP = {
    "notes/__init__.py": "",
    "notes/apps.py": """\
        from django.apps import AppConfig


        class NotesConfig(AppConfig):
            default_auto_field = "django.db.models.BigAutoField"
            name = "notes"
        """,
    "notes/models.py": """\
        from django.db import models


        class Note(models.Model):
            title = models.CharField(max_length=200)
            created = models.DateTimeField(auto_now_add=True)

            def __str__(self):
                return self.title
        """,
    "notes/admin.py": """\
        from django.contrib import admin

        from .models import Note

        admin.site.register(Note)
        """,
    "notes/views.py": """\
        from django.http import HttpResponse
        from django.utils.html import escape

        from .models import Note


        def index(request):
            titles = "".join(f"<li>{escape(note.title)}</li>" for note in Note.objects.all())
            return HttpResponse(f"<h1>Notes</h1><ul>{titles}</ul>")
        """,
    "notes/urls.py": """\
        from django.urls import path

        from . import views

        urlpatterns = [path("", views.index, name="index")]
        """,
    "notes/migrations/__init__.py": "",
}


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + textwrap.dedent(text))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """startproject, the notes app and its first migration (made with the controller's Django,
    on SQLite, as a developer would), and `Django` unpinned as the only requirement."""
    root = tmp_path_factory.mktemp("projects") / NAME
    root.mkdir()
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run([django_admin, "startproject", NAME, str(root)], check=True)
    write(root, NOTES_APP)
    append(root / NAME / "settings.py", '\nINSTALLED_APPS += ["notes"]\n')
    append(
        root / NAME / "urls.py",
        '\nfrom django.urls import include\n\nurlpatterns += [path("", include("notes.urls"))]\n',
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "notes"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    (root / "db.sqlite3").unlink(missing_ok=True)
    (root / "requirements.txt").write_text("Django\n")
    return root


def deploy(source: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    settings = {**SETTINGS, "django_web_source_dir": str(source)}
    return run_site_yml("-e", json.dumps(settings), *extra, check=check)


def copy_of(project: Path, tmp_path: Path) -> Path:
    source = tmp_path / NAME
    shutil.copytree(project, source, ignore=shutil.ignore_patterns("__pycache__"))
    return source


@pytest.fixture(scope="module")
def deployed(host, project):
    """The project deployed; everything of it is removed from the host afterwards."""
    try:
        deploy(project)
        yield project
    finally:
        host.run(
            "docker rm -f $(docker ps -aq --filter label=django-deploy.project=%s) 2>/dev/null;"
            " docker rm -f $(docker ps -aq --filter name=%s_) 2>/dev/null;"
            " docker network rm %s_backend %s_frontend 2>/dev/null;"
            " docker rmi -f $(docker images -q '%s/*') 2>/dev/null;"
            " systemctl disable --now $(systemctl list-units --all --plain --no-legend '%s-*'"
            " | awk '{print $1}') 2>/dev/null; rm -rf /srv/%s",
            NAME,
            NAME,
            NAME,
            NAME,
            NAME,
            NAME,
            NAME,
        )


def notes_page() -> str:
    response = requests.get(URL + "/", timeout=10)
    assert response.status_code == 200, response.text[:500]
    return response.text


def add_note(session: requests.Session, title: str) -> None:
    form = session.get(f"{URL}/admin/notes/note/add/", timeout=10)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = session.post(
        f"{URL}/admin/notes/note/add/",
        data={"csrfmiddlewaretoken": token, "title": title, "_save": "Save"},
        headers={"Referer": f"{URL}/admin/notes/note/add/"},
        timeout=10,
    )
    assert "was added successfully" in response.text, response.text[:2000]


def test_startproject_site_serves_through_nginx_in_production_mode(host, deployed):
    assert "<h1>Notes</h1>" in notes_page()
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


def test_admin_login_and_a_note_added_there_shows_on_the_site(deployed, admin_password):
    title = f"Note {uuid.uuid4().hex[:8]}"
    with requests.Session() as session:
        login(session, admin_password, base_url=URL)
        add_note(session, title)

    assert title in notes_page()


def test_code_change_goes_live_without_a_failed_request(deployed, tmp_path):
    source = copy_of(deployed, tmp_path)
    marker = f"code-{uuid.uuid4().hex[:8]}"
    views = source / "notes" / "views.py"
    views.write_text(views.read_text().replace("<h1>Notes</h1>", f"<h1>Notes</h1><p>{marker}</p>"))

    with RequestLoop(URL) as loop:
        deploy(source)

    loop.assert_none_failed()
    assert marker in notes_page()


def test_dependency_change_goes_live_and_rolls_back(host, deployed, tmp_path):
    """A new requirement is a new image; the rollback goes back to the image without it."""
    source = copy_of(deployed, tmp_path)
    (source / "requirements.txt").write_text("Django\nhumanize\n")
    views = source / "notes" / "views.py"
    views.write_text(
        views.read_text().replace(
            'return HttpResponse(f"<h1>Notes</h1><ul>{titles}</ul>")',
            "import humanize\n\n"
            "    count = humanize.apnumber(Note.objects.count())\n"
            '    return HttpResponse(f"<h1>Notes</h1><p>{count} notes</p><ul>{titles}</ul>")',
        )
    )
    image_before = host.check_output("docker inspect --format '{{.Config.Image}}' %s_web", NAME)

    with RequestLoop(URL) as loop:
        deploy(source)
    loop.assert_none_failed()
    assert re.search(r"<p>\w+ notes</p>", notes_page())
    assert host.check_output("docker inspect --format '{{.Config.Image}}' %s_web", NAME) != (
        image_before
    )

    with RequestLoop(URL) as loop:
        run_stack_playbook("playbooks/rollback.yml", "-e", json.dumps(SETTINGS))
    loop.assert_none_failed()
    assert not re.search(r"<p>\w+ notes</p>", notes_page())
    assert host.check_output("docker inspect --format '{{.Config.Image}}' %s_web", NAME) == (
        image_before
    )
