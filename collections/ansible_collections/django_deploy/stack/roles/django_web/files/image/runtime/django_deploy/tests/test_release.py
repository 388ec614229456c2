import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TransactionTestCase
from django.urls import reverse

from django_deploy.management.commands.deploy_release import Command as ReleaseCommand

# Throwaway values for the test database, hence the noqa.
FIRST_PASSWORD = "first correct horse"  # noqa: S105
SECOND_PASSWORD = "second correct horse"  # noqa: S105
# Everything a shell or a config format might mangle on the way to the environment.
AWKWARD_PASSWORD = 'It\'s "$HOME" at 100% #1 — Grüße, señor ĸ'  # noqa: S105


class ReleaseCommandTests(TransactionTestCase):
    """Runs the command the way the deployment does, against the test database.

    A TransactionTestCase because migrate runs DDL, which MySQL cannot roll back.
    """

    def setUp(self):
        self.static_root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(self.settings(STATIC_ROOT=str(self.static_root)))
        self.enterContext(
            mock.patch.dict(
                os.environ,
                {
                    "DJANGO_ADMIN_USERNAME": "admin",
                    "DJANGO_ADMIN_PASSWORD": FIRST_PASSWORD,
                    "DJANGO_ADMIN_EMAIL": "admin@example.com",
                },
            )
        )

    def release(self, env: dict[str, str] | None = None) -> dict:
        stdout = io.StringIO()
        with mock.patch.dict(os.environ, env or {}):
            call_command("deploy_release", stdout=stdout)
        lines = stdout.getvalue().splitlines()
        self.assertEqual(len(lines), 1, "stdout must be exactly one line of JSON")
        return json.loads(lines[0])

    def test_second_run_with_nothing_new_reports_no_change(self):
        call_command("migrate", "django_deploy", "zero", verbosity=0)
        self.addCleanup(call_command, "migrate", verbosity=0)

        first = self.release()
        second = self.release()

        self.assertEqual(first["migrations_applied"], 1)
        self.assertGreater(first["static_files_copied"], 0)
        self.assertEqual(first["admin"], "created")
        self.assertEqual(
            {key: second[key] for key in ("migrations_applied", "static_files_copied", "admin")},
            {"migrations_applied": 0, "static_files_copied": 0, "admin": "unchanged"},
        )
        self.assertIn("django_deploy.0001_initial", second["migrations"])
        self.assertEqual(second["migrations"], sorted(second["migrations"]))

    def test_writes_hashed_static_files_for_nginx(self):
        manifest_storage = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        with self.settings(
            STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": manifest_storage}}
        ):
            self.release()

        manifest = json.loads((self.static_root / "staticfiles.json").read_text())
        hashed_css = manifest["paths"]["admin/css/base.css"]
        self.assertRegex(hashed_css, r"^admin/css/base\.[0-9a-f]{12}\.css$")
        self.assertTrue((self.static_root / hashed_css).is_file())

    def test_new_password_is_set_and_reported(self):
        self.release()

        changed = self.release({"DJANGO_ADMIN_PASSWORD": SECOND_PASSWORD})
        again = self.release({"DJANGO_ADMIN_PASSWORD": SECOND_PASSWORD})

        admin = get_user_model().objects.get(username="admin")
        self.assertEqual(changed["admin"], "updated")
        self.assertEqual(again["admin"], "unchanged")
        self.assertTrue(admin.check_password(SECOND_PASSWORD))
        self.assertFalse(admin.check_password(FIRST_PASSWORD))

    def test_disabled_admin_stays_disabled_and_edits_in_the_admin_stick(self):
        self.release()
        admin = get_user_model().objects.get(username="admin")
        admin.is_active = False
        admin.email = "someone@example.com"
        admin.set_password(SECOND_PASSWORD)
        admin.save()

        result = self.release()

        admin.refresh_from_db()
        self.assertEqual(result["admin"], "unchanged")
        self.assertFalse(admin.is_active)
        self.assertEqual(admin.email, "someone@example.com")
        self.assertTrue(admin.check_password(SECOND_PASSWORD))

    def test_changed_password_setting_is_applied_to_a_disabled_admin(self):
        self.release()
        get_user_model().objects.filter(username="admin").update(is_active=False)

        result = self.release({"DJANGO_ADMIN_PASSWORD": SECOND_PASSWORD})

        admin = get_user_model().objects.get(username="admin")
        self.assertEqual(result["admin"], "updated")
        self.assertTrue(admin.check_password(SECOND_PASSWORD))
        self.assertFalse(admin.is_active)

    def test_existing_admin_of_an_older_deployment_gets_the_settings_once(self):
        get_user_model().objects.create_user(
            "admin", "old@example.com", SECOND_PASSWORD, is_active=False
        )

        first = self.release()
        second = self.release()

        admin = get_user_model().objects.get(username="admin")
        self.assertEqual((first["admin"], second["admin"]), ("updated", "unchanged"))
        self.assertTrue(admin.check_password(FIRST_PASSWORD))
        self.assertEqual(admin.email, "admin@example.com")
        self.assertFalse(admin.is_active)

    def test_missing_admin_is_created_again(self):
        self.release()
        get_user_model().objects.filter(username="admin").delete()

        result = self.release()

        admin = get_user_model().objects.get(username="admin")
        self.assertEqual(result["admin"], "created")
        self.assertTrue(admin.is_active and admin.is_staff and admin.is_superuser)

    def test_awkward_password_logs_in_to_the_admin(self):
        stdout, stderr = io.StringIO(), io.StringIO()
        with mock.patch.dict(os.environ, {"DJANGO_ADMIN_PASSWORD": AWKWARD_PASSWORD}):
            call_command("deploy_release", stdout=stdout, stderr=stderr)

        response = self.client.post(
            reverse("admin:login"),
            {"username": "admin", "password": AWKWARD_PASSWORD, "next": reverse("admin:index")},
        )

        self.assertRedirects(response, reverse("admin:index"))
        self.assertNotIn(AWKWARD_PASSWORD, stdout.getvalue() + stderr.getvalue())

    def test_password_file_wins_over_the_environment_and_keeps_its_spaces(self):
        password = f" {AWKWARD_PASSWORD} "
        password_file = Path(self.enterContext(tempfile.TemporaryDirectory())) / "admin_password"
        password_file.write_text(password + "\n", encoding="utf-8")

        self.release({"DJANGO_ADMIN_PASSWORD_FILE": str(password_file)})

        response = self.client.post(
            reverse("admin:login"),
            {"username": "admin", "password": password, "next": reverse("admin:index")},
        )
        self.assertRedirects(response, reverse("admin:index"))

    def test_bad_admin_input_fails_before_anything_changes(self):
        cases = {
            "missing password": ({"DJANGO_ADMIN_PASSWORD": ""}, "set DJANGO_ADMIN_PASSWORD"),
            "weak password": ({"DJANGO_ADMIN_PASSWORD": "12345678"}, "too common"),
            "bad email": ({"DJANGO_ADMIN_EMAIL": "not-an-address"}, "DJANGO_ADMIN_EMAIL"),
        }
        for case, (env, reason) in cases.items():
            with self.subTest(case), mock.patch.dict(os.environ, env):
                with self.assertRaises(CommandError) as raised:
                    call_command("deploy_release", stdout=io.StringIO())

                message = str(raised.exception)
                self.assertTrue(message.startswith("admin failed: "), message)
                self.assertIn(reason, message)
                self.assertNotIn("12345678", message)
                self.assertEqual(list(self.static_root.iterdir()), [])
                self.assertFalse(get_user_model().objects.exists())

    def test_failure_exits_non_zero_with_one_line_naming_the_step(self):
        not_a_directory = self.static_root / "in-the-way"
        not_a_directory.write_text("")
        stdout, stderr = io.StringIO(), io.StringIO()

        with (
            self.settings(STATIC_ROOT=str(not_a_directory)),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
            self.assertRaises(SystemExit) as exited,
        ):
            ReleaseCommand().run_from_argv(["manage.py", "deploy_release"])

        self.assertEqual(exited.exception.code, 1)
        self.assertEqual(stdout.getvalue(), "")
        lines = stderr.getvalue().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("CommandError: collectstatic failed: "), lines[0])
