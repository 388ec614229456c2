import os
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path
from tempfile import TemporaryDirectory

from django_deploy import check_settings


def check(settings_text: str, environ: dict[str, str] | None = None):
    """check_settings run in a fresh Python, on a project whose settings module is settings_text."""
    with TemporaryDirectory() as top:
        package = Path(top) / "brokensite"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "settings.py").write_text(textwrap.dedent(settings_text))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([top, *sys.path]),
            "DJANGO_SETTINGS_MODULE": "brokensite.settings",
            "DJANGO_DEPLOY_PROJECT_SETTINGS": "brokensite.settings",
            **(environ or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "django_deploy.check_settings"],
            cwd=top,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )


class CheckSettingsTests(unittest.TestCase):
    def test_settings_that_load_pass(self):
        result = check('SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes"]\n')

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("settings load: brokensite.settings", result.stdout)

    def test_a_missing_module_is_named_with_the_line_of_the_import(self):
        result = check('SECRET_KEY = "x"\n\nimport no_such_package_here\n')

        self.assertEqual(result.returncode, 1)
        self.assertIn("brokensite.settings do not load", result.stderr)
        self.assertIn("No module named 'no_such_package_here'", result.stderr)
        self.assertIn("(brokensite/settings.py, line 3)", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_an_app_that_is_not_installed_fails(self):
        result = check('SECRET_KEY = "x"\nINSTALLED_APPS = ["not_an_installed_app"]\n')

        self.assertEqual(result.returncode, 1)
        self.assertIn("not_an_installed_app", result.stderr)

    def test_a_syntax_error_names_its_file_and_line(self):
        result = check('SECRET_KEY = "x"\nDEBUG = (\n')

        self.assertEqual(result.returncode, 1)
        self.assertIn("SyntaxError", result.stderr)
        self.assertIn("brokensite/settings.py, line 2", result.stderr)

    def test_the_innermost_cause_is_described(self):
        try:
            try:
                raise ModuleNotFoundError("No module named 'gone'")
            except ModuleNotFoundError as error:
                raise RuntimeError("settings failed") from error
        except RuntimeError as error:
            text = check_settings.describe(error)

        self.assertTrue(text.startswith("ModuleNotFoundError: No module named 'gone'"), text)
