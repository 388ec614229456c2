"""Production settings around the project's own: DJANGO_SETTINGS_MODULE of every web container.

The project's settings module (DJANGO_DEPLOY_PROJECT_SETTINGS, found in its manage.py by the
deployment or given as django_web_settings_module) is imported unchanged; every setting it
defines is taken over, then what production needs is set from the container's environment:

- DATABASES["default"]: the deployment's MariaDB through mysqlclient, retrying a new connection
  for a few seconds while the server or its name is unreachable (django_deploy.db.mysql); other
  aliases are the project's;
- SECRET_KEY and SECRET_KEY_FALLBACKS from the secret files, DEBUG, ALLOWED_HOSTS,
  CSRF_TRUSTED_ORIGINS;
- STATIC_URL and MEDIA_URL: the paths nginx serves the two directories at;
- behind nginx: the forwarded scheme, and with TLS on the redirect, HSTS and secure cookies;
- LOGGING: everything to the container's output.

With DJANGO_DEPLOY_WRAP_SETTINGS=false (django_web_wrap_settings) the project's settings stay as
they are, for projects that read the environment themselves: they get DATABASE_URL, SECRET_KEY,
DJANGO_SECRET_KEY and REDIS_URL composed from the secret files before their settings load
(django_deploy.environment), and the non-secret variables from the container.

Either way STATIC_ROOT and MEDIA_ROOT are the directories mounted for them (the code is
read-only), the health check middleware comes first and the deployment's app (the release step's
record of the admin account) is installed.
"""

import importlib

from django.core.exceptions import ImproperlyConfigured

from django_deploy import environment

environment.export_twelve_factor()

PROJECT_SETTINGS_MODULE = environment.env_required(
    "DJANGO_DEPLOY_PROJECT_SETTINGS", "the project's settings module, e.g. mysite.settings"
)
try:
    _project = importlib.import_module(PROJECT_SETTINGS_MODULE)
except ImportError as error:
    raise ImproperlyConfigured(
        f"The project's settings module {PROJECT_SETTINGS_MODULE} cannot be imported: {error}"
    ) from error
globals().update((name, value) for name, value in vars(_project).items() if name.isupper())

_LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
_HEALTH_MIDDLEWARE = "django_deploy.middleware.HealthCheckMiddleware"

if environment.env_bool("DJANGO_DEPLOY_WRAP_SETTINGS", default=True):
    SECRET_KEY = environment.env_secret(
        "DJANGO_SECRET_KEY",
        "a long random string (50+ characters) that signs sessions and password-reset links",
    )
    # Keys replaced by a rotation, newest first, one per line: what they signed stays valid.
    SECRET_KEY_FALLBACKS = environment.env_secret_lines("DJANGO_SECRET_KEY_FALLBACKS")
    DEBUG = environment.env_bool("DJANGO_DEBUG")
    ALLOWED_HOSTS = environment.env_list("DJANGO_ALLOWED_HOSTS")
    CSRF_TRUSTED_ORIGINS = environment.env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

    DATABASES = {
        **globals().get("DATABASES", {}),
        "default": {
            "ENGINE": "django_deploy.db.mysql",
            "HOST": environment.env_required("DATABASE_HOST", "the database server's host name"),
            "PORT": environment.env_int("DATABASE_PORT", 3306),
            "NAME": environment.env_required("DATABASE_NAME", "the database the site uses"),
            "USER": environment.env_required("DATABASE_USER", "the account the site connects as"),
            "PASSWORD": environment.env_secret(
                "DATABASE_PASSWORD", "the password of DATABASE_USER"
            ),
            "CONN_MAX_AGE": environment.env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "charset": "utf8mb4",
                # Strict mode: the server rejects data it would otherwise silently truncate.
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            },
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        },
    }

    # nginx serves the two directories below at these two paths.
    STATIC_URL = "/static/"
    MEDIA_URL = "/media/"

    # nginx overwrites X-Forwarded-Proto with the scheme the request came in with.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = environment.env_bool("DJANGO_SECURE_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = environment.env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = environment.env_bool(
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
    )
    SECURE_HSTS_PRELOAD = environment.env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = environment.env_bool("DJANGO_SESSION_COOKIE_SECURE")
    CSRF_COOKIE_SECURE = environment.env_bool("DJANGO_CSRF_COOKIE_SECURE")

    LOG_LEVEL = environment.env_str("DJANGO_LOG_LEVEL", "INFO").upper()
    if LOG_LEVEL not in _LOG_LEVELS:
        raise ImproperlyConfigured(
            f"DJANGO_LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}, not {LOG_LEVEL!r}."
        )
    LOGGING_CONFIG = "logging.config.dictConfig"
    LOGGING = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "plain",
            },
        },
        "root": {"handlers": ["console"], "level": LOG_LEVEL},
        "loggers": {
            # Replaces Django's own handlers, which would print DEBUG-mode records twice.
            "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        },
    }

# The directories mounted for static files and uploads (the project's code is read-only), which
# nginx serves.
STATIC_ROOT = environment.env_str("DJANGO_STATIC_ROOT", "/var/www/static")
MEDIA_ROOT = environment.env_str("DJANGO_MEDIA_ROOT", "/var/www/media")

# First, so container health checks get an answer whatever Host header they send.
MIDDLEWARE = [_HEALTH_MIDDLEWARE] + [
    name for name in globals().get("MIDDLEWARE", []) if name != _HEALTH_MIDDLEWARE
]
INSTALLED_APPS = [
    *(name for name in globals().get("INSTALLED_APPS", []) if name != "django_deploy"),
    "django_deploy",
]
