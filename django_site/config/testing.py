"""Test runner that renders pages with the same static storage as production."""

import tempfile

from django.core.management import call_command
from django.test.runner import DiscoverRunner
from django.test.utils import override_settings


class TestRunner(DiscoverRunner):
    """Collect static files into a throwaway STATIC_ROOT before the tests run.

    ManifestStaticFilesStorage only knows the hashed names once collectstatic has written
    its manifest, so without this every template using {% static %} would fail. Doing it for
    real also makes a template that names a missing static file fail its test.
    """

    def setup_test_environment(self, **kwargs) -> None:
        super().setup_test_environment(**kwargs)
        self._static_root = tempfile.TemporaryDirectory(prefix="static-")
        self._static_settings = override_settings(STATIC_ROOT=self._static_root.name)
        self._static_settings.enable()
        call_command("collectstatic", interactive=False, verbosity=0)

    def teardown_test_environment(self, **kwargs) -> None:
        self._static_settings.disable()
        self._static_root.cleanup()
        super().teardown_test_environment(**kwargs)
