from unittest import mock

from django.db.backends.mysql import base as django_mysql
from django.test import SimpleTestCase
from MySQLdb import OperationalError

from django_deploy.db.mysql import base


class RetryingMySQLBackendTests(SimpleTestCase):
    def wrapper(self, retry_seconds: float = 5) -> base.DatabaseWrapper:
        return base.DatabaseWrapper(
            {"ENGINE": "django_deploy.db.mysql", "CONNECT_RETRY_SECONDS": retry_seconds}
        )

    def connect(self, wrapper, attempts):
        with (
            mock.patch.object(
                django_mysql.DatabaseWrapper, "get_new_connection", side_effect=attempts
            ) as connect,
            mock.patch.object(base.time, "sleep") as sleep,
        ):
            try:
                return wrapper.get_new_connection({}), connect.call_count, sleep.call_count
            except OperationalError as error:
                return error, connect.call_count, sleep.call_count

    def test_a_name_that_does_not_resolve_for_a_moment_is_tried_again(self):
        unknown_host = OperationalError(2005, "Unknown MySQL server host 'mysql' (-3)")
        result, calls, _ = self.connect(self.wrapper(), [unknown_host, unknown_host, "connection"])

        self.assertEqual(result, "connection")
        self.assertEqual(calls, 3)

    def test_a_refused_connection_is_tried_again(self):
        refused = OperationalError(2003, "Can't connect to MySQL server on 'mysql' (111)")
        result, calls, _ = self.connect(self.wrapper(), [refused, "connection"])

        self.assertEqual((result, calls), ("connection", 2))

    def test_other_errors_go_up_at_once(self):
        denied = OperationalError(1045, "Access denied for user 'blog'")
        result, calls, sleeps = self.connect(self.wrapper(), [denied, "connection"])

        self.assertIs(result, denied)
        self.assertEqual((calls, sleeps), (1, 0))

    def test_gives_up_after_the_retry_time(self):
        unknown_host = OperationalError(2005, "Unknown MySQL server host 'mysql' (-3)")
        clock = iter(range(0, 100, 2))  # every look at the clock is two seconds later
        with mock.patch.object(base.time, "monotonic", side_effect=lambda: next(clock)):
            result, calls, _ = self.connect(self.wrapper(retry_seconds=5), [unknown_host] * 10)

        self.assertIs(result, unknown_host)
        self.assertEqual(calls, 3)
