import logging
from collections.abc import Callable

from django.db import Error, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

HEALTH_PATH = "/healthz"
# /healthz?live: the application loaded and answers, without asking the database. Swarm mode's
# health check asks this: Swarm replaces an unhealthy task, and a database that is down for a
# moment must not take every web task down with it (static files and pages without queries keep
# being served, and the tasks are ready the moment it is back).
LIVE_QUERY = "live"

logger = logging.getLogger(__name__)


def database_is_up() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Error:
        logger.exception("Health check: the database query failed")
        return False


class HealthCheckMiddleware:
    """Answer /healthz with the database's state (/healthz?live: that the application answers);
    pass every other request on untouched.

    It must come first in MIDDLEWARE: container health checks call it with whatever Host
    header they have (often none, or the container's IP), which ALLOWED_HOSTS would reject
    as soon as anything called request.get_host(). Skipping that check here is safe because
    the response never uses the Host header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        if request.META.get("QUERY_STRING") == LIVE_QUERY:
            response = JsonResponse({"status": "ok", "database": "not checked"})
        elif database_is_up():
            response = JsonResponse({"status": "ok"})
        else:
            response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        add_never_cache_headers(response)
        return response
