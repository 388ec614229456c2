"""Django projects the tests and the benchmark deploy, written as their developers would: a
`django-admin startproject` site with a notes app, and a project made for a PaaS (settings from
the environment, requirements as includes, a Procfile with a release command and a Celery worker
on Redis). Importable as `sample_projects` (pytest.ini and benchmark.py put this directory on
sys.path); nothing of the deployment is in them.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

# The app a startproject site gets (models, a view, the admin), as the Django tutorial writes one.
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


# Settings from the environment (dj-database-url, Celery's broker from REDIS_URL), requirements as
# includes of unpinned lines, a Procfile with a release command and a Celery worker, a view that
# queues a task the worker does; deployed with django_web_wrap_settings off and Redis on. One
# requirement has no wheel, so the build compiles one (the wheel cache's case).
FACTOR_PROJECT = {
    "manage.py": """\
        #!/usr/bin/env python
        import os
        import sys

        if __name__ == "__main__":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factor.settings")
            from django.core.management import execute_from_command_line

            execute_from_command_line(sys.argv)
        """,
    "Procfile": """\
        web: gunicorn factor.wsgi --log-file -
        release: python manage.py record_release
        worker: celery -A factor worker --loglevel=info --concurrency=1
        """,
    "requirements.txt": "-r requirements/production.txt\n",
    "requirements/production.txt": "-r base.txt\n",
    # docopt is published as a source distribution only: each image build compiles it into a
    # wheel, unless the host's wheel cache has it already.
    "requirements/base.txt": "Django\ndj-database-url\ncelery[redis]\ndocopt\n",
    "factor/__init__.py": "from .celery import app as celery_app\n\n__all__ = ['celery_app']\n",
    "factor/celery.py": """\
        import os

        from celery import Celery

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factor.settings")
        app = Celery("factor")
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.autodiscover_tasks()
        """,
    "factor/settings.py": """\
        import os
        from pathlib import Path

        import dj_database_url

        BASE_DIR = Path(__file__).resolve().parent.parent
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        DEBUG = os.environ.get("DJANGO_DEBUG", "false") == "true"
        ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")
        CSRF_TRUSTED_ORIGINS = os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
        INSTALLED_APPS = [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "jobs",
        ]
        MIDDLEWARE = [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ]
        ROOT_URLCONF = "factor.urls"
        TEMPLATES = [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ]
        WSGI_APPLICATION = "factor.wsgi.application"
        DATABASES = {"default": dj_database_url.config(conn_max_age=60)}
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
        USE_TZ = True
        STATIC_URL = "static/"
        CELERY_BROKER_URL = os.environ["REDIS_URL"]
        """,
    "factor/urls.py": """\
        from django.contrib import admin
        from django.urls import include, path

        urlpatterns = [path("admin/", admin.site.urls), path("", include("jobs.urls"))]
        """,
    "factor/wsgi.py": """\
        import os

        from django.core.wsgi import get_wsgi_application

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factor.settings")
        application = get_wsgi_application()
        """,
    "jobs/__init__.py": "",
    "jobs/migrations/__init__.py": "",
    "jobs/management/__init__.py": "",
    "jobs/management/commands/__init__.py": "",
    "jobs/models.py": """\
        from django.db import models


        class Job(models.Model):
            number = models.IntegerField()
            square = models.IntegerField(null=True, blank=True)


        class ReleaseRun(models.Model):
            at = models.DateTimeField(auto_now_add=True)
        """,
    "jobs/migrations/0001_initial.py": """\
        from django.db import migrations, models


        def id_field():
            return models.BigAutoField(
                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
            )


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        ("id", id_field()),
                        ("number", models.IntegerField()),
                        ("square", models.IntegerField(blank=True, null=True)),
                    ],
                ),
                migrations.CreateModel(
                    name="ReleaseRun",
                    fields=[("id", id_field()), ("at", models.DateTimeField(auto_now_add=True))],
                ),
            ]
        """,
    "jobs/admin.py": """\
        from django.contrib import admin

        from .models import Job

        admin.site.register(Job)
        """,
    "jobs/tasks.py": """\
        from celery import shared_task

        from .models import Job


        @shared_task
        def square(job_id):
            job = Job.objects.get(pk=job_id)
            job.square = job.number * job.number
            job.save()
        """,
    "jobs/views.py": """\
        from django.http import HttpResponse

        from .models import Job, ReleaseRun
        from .tasks import square


        def index(request):
            jobs = "".join(
                f"<li>{job.number} squared is {job.square}</li>" for job in Job.objects.all()
            )
            return HttpResponse(
                f"<h1>Jobs</h1><p>releases: {ReleaseRun.objects.count()}</p><ul>{jobs}</ul>"
            )


        def submit(request):
            job = Job.objects.create(number=int(request.GET["n"]))
            square.delay(job.pk)
            return HttpResponse(f"queued {job.pk}")
        """,
    "jobs/urls.py": """\
        from django.urls import path

        from . import views

        urlpatterns = [path("", views.index), path("submit", views.submit)]
        """,
    "jobs/management/commands/record_release.py": """\
        from django.core.management.base import BaseCommand

        from jobs.models import ReleaseRun


        class Command(BaseCommand):
            def handle(self, *args, **options):
                ReleaseRun.objects.create()
                self.stdout.write("release recorded")
        """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + textwrap.dedent(text))


def startproject(root: Path, name: str) -> Path:
    """`django-admin startproject name root` with the notes app, its first migration (made with
    the controller's Django, on SQLite, as a developer would), and `Django` unpinned as the only
    requirement. The generated files get only the lines the tutorial has every developer add."""
    root.mkdir(parents=True)
    django_admin = Path(sys.executable).with_name("django-admin")
    # This Python's django-admin, with fixed arguments.
    subprocess.run([django_admin, "startproject", name, str(root)], check=True)  # noqa: S603
    write(root, NOTES_APP)
    append(root / name / "settings.py", '\nINSTALLED_APPS += ["notes"]\n')
    append(
        root / name / "urls.py",
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
