from unittest import mock

from django.db import OperationalError, connections
from django.http import HttpResponse
from django.test import RequestFactory, TestCase

from django_deploy.middleware import HealthCheckMiddleware


class HealthCheckTests(TestCase):
    def test_answers_whatever_the_host_header(self):
        # Hosts a container health check might send; none is in ALLOWED_HOSTS.
        for host in ["bogus.invalid", "172.18.0.5:8000", "localhost", ""]:
            with self.subTest(host=host):
                response = self.client.get("/healthz", HTTP_HOST=host)

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json(), {"status": "ok"})

    def test_other_pages_still_reject_unknown_hosts(self):
        with self.assertLogs("django.security.DisallowedHost", "ERROR"):
            response = self.client.get("/", HTTP_HOST="bogus.invalid")

        self.assertEqual(response.status_code, 400)

    def test_runs_one_query_and_sets_no_cookie(self):
        with self.assertNumQueries(1):
            response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 200)
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertEqual(response.cookies, {})

    def test_unavailable_when_the_database_fails(self):
        broken = OperationalError(2002, "Can't connect to server")

        with (
            mock.patch.object(connections["default"], "cursor", side_effect=broken),
            self.assertLogs("django_deploy.middleware", "ERROR") as logs,
            self.assertLogs("django.request", "ERROR"),
        ):
            response = self.client.get("/healthz", HTTP_HOST="bogus.invalid")

        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"status": "error", "database": "unavailable"})
        self.assertIn("Can't connect to server", logs.output[0])

    def test_live_answers_without_asking_the_database(self):
        broken = OperationalError(2002, "Can't connect to server")

        with (
            mock.patch.object(connections["default"], "cursor", side_effect=broken),
            self.assertNumQueries(0),
        ):
            response = self.client.get("/healthz?live", HTTP_HOST="10.0.1.5:3031")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "not checked"})
        self.assertIn("no-cache", response["Cache-Control"])

    def test_passes_other_requests_on_without_touching_the_database(self):
        page = HttpResponse("the page")
        middleware = HealthCheckMiddleware(lambda request: page)

        with self.assertNumQueries(0):
            for path in ["/", "/healthz/", "/healthz-report/"]:
                with self.subTest(path=path):
                    self.assertIs(middleware(RequestFactory().get(path)), page)
