"""django_deploy.settings around project settings the tests write: each case imports it in a
fresh interpreter, with the environment a web container would have."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

PROJECT_SETTINGS = """
DEBUG = True
SECRET_KEY = "the project's development key"
ALLOWED_HOSTS = ["*"]
TIME_ZONE = "Europe/Paris"
INSTALLED_APPS = ("django.contrib.contenttypes", "django.contrib.auth")
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"},
    "reports": {"ENGINE": "django.db.backends.sqlite3", "NAME": "reports.sqlite3"},
}
STATIC_URL = "assets/"
"""
TWELVE_FACTOR_SETTINGS = """
import os
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DATABASE_URL = os.environ["DATABASE_URL"]
DEBUG = False
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
"""
READ = (
    "import json; from django.conf import settings; print(json.dumps({name: getattr(settings, "
    "name, None) for name in %r}, default=str))"
)


class WrappedSettingsTests(SimpleTestCase):
    def setUp(self):
        self.project = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.secrets = self.project / "secrets"
        self.secrets.mkdir()
        (self.secrets / "secret_key").write_text("k" * 50 + "\n")
        (self.secrets / "database_password").write_text("p@ss word/#1")

    def settings_of(self, source, names, **env):
        (self.project / "mysite_settings.py").write_text(source)
        environment = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": os.pathsep.join([str(self.project), *sys.path]),
            "DJANGO_SETTINGS_MODULE": "django_deploy.settings",
            "DJANGO_DEPLOY_PROJECT_SETTINGS": "mysite_settings",
            "DJANGO_SECRET_KEY_FILE": str(self.secrets / "secret_key"),
            "DATABASE_PASSWORD_FILE": str(self.secrets / "database_password"),
            "DATABASE_HOST": "mysql",
            "DATABASE_NAME": "mysite",
            "DATABASE_USER": "mysite",
            "DJANGO_ALLOWED_HOSTS": "example.com,www.example.com",
            **env,
        }
        result = subprocess.run(
            [sys.executable, "-c", READ % (names,)],
            env=environment,
            cwd=self.project,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            return result.stderr
        return json.loads(result.stdout)

    def test_production_values_replace_the_projects_and_the_rest_is_kept(self):
        names = [
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "TIME_ZONE",
            "DATABASES",
            "STATIC_URL",
            "STATIC_ROOT",
            "INSTALLED_APPS",
            "MIDDLEWARE",
        ]
        values = self.settings_of(PROJECT_SETTINGS, names)

        self.assertIs(values["DEBUG"], False)
        self.assertEqual(values["SECRET_KEY"], "k" * 50)
        self.assertEqual(values["ALLOWED_HOSTS"], ["example.com", "www.example.com"])
        self.assertEqual(values["TIME_ZONE"], "Europe/Paris")
        default = values["DATABASES"]["default"]
        self.assertEqual(default["ENGINE"], "django_deploy.db.mysql")
        self.assertEqual((default["HOST"], default["PASSWORD"]), ("mysql", "p@ss word/#1"))
        self.assertEqual(values["DATABASES"]["reports"]["NAME"], "reports.sqlite3")
        self.assertEqual(
            (values["STATIC_URL"], values["STATIC_ROOT"]), ("/static/", "/var/www/static")
        )
        self.assertEqual(values["INSTALLED_APPS"][-1], "django_deploy")
        self.assertEqual(values["MIDDLEWARE"][0], "django_deploy.middleware.HealthCheckMiddleware")

    def test_a_project_reading_the_environment_gets_twelve_factor_variables(self):
        names = [
            "SECRET_KEY",
            "DATABASE_URL",
            "DATABASES",
            "INSTALLED_APPS",
            "MIDDLEWARE",
            "STATIC_ROOT",
        ]
        values = self.settings_of(
            TWELVE_FACTOR_SETTINGS, names, DJANGO_DEPLOY_WRAP_SETTINGS="false"
        )

        self.assertEqual(values["SECRET_KEY"], "k" * 50)
        self.assertEqual(
            values["DATABASE_URL"], "mysql://mysite:p%40ss%20word%2F%231@mysql:3306/mysite"
        )
        # Left alone: the project builds DATABASES from DATABASE_URL itself.
        self.assertEqual(values["DATABASES"], {})
        self.assertEqual(values["INSTALLED_APPS"][-1], "django_deploy")
        self.assertEqual(values["MIDDLEWARE"], ["django_deploy.middleware.HealthCheckMiddleware"])
        # The code is mounted read-only: collectstatic writes where nginx serves from.
        self.assertEqual(values["STATIC_ROOT"], "/var/www/static")

    def test_settings_that_cannot_be_imported_say_why(self):
        error = self.settings_of("import not_installed_anywhere\n", ["DEBUG"])

        self.assertIn("The project's settings module mysite_settings cannot be imported", error)
        self.assertIn("No module named 'not_installed_anywhere'", error)
