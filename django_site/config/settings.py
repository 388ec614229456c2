"""Settings for the site, read from the environment.

Everything a deployment changes comes from an environment variable; README.md lists them.
Secrets have no default: a missing one stops the process with ImproperlyConfigured
instead of running with a value an attacker could guess. Each secret may instead be read from
the file its <NAME>_FILE variable names, which is how the deployment passes them.
"""

from django.core.exceptions import ImproperlyConfigured

from config.environment import (
    env_bool,
    env_int,
    env_list,
    env_required,
    env_secret,
    env_secret_lines,
    env_str,
)

LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


# Core

SECRET_KEY = env_secret(
    "DJANGO_SECRET_KEY",
    "a long random string (50+ characters) that signs sessions and password-reset links",
)
# Keys replaced by a rotation, newest first, one per line: what they signed stays valid.
SECRET_KEY_FALLBACKS = env_secret_lines("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEST_RUNNER = "config.testing.TestRunner"

ADMIN_URL = env_str("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured(
        "DJANGO_ADMIN_URL must name a path such as 'admin/', not the site root."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "blog",
    "release",
]

MIDDLEWARE = [
    # First, so container health checks get an answer whatever Host header they send.
    "health.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database

DATABASE_ENGINE = env_str("DATABASE_ENGINE", "mysql").lower()
if DATABASE_ENGINE == "mysql":
    DATABASES = {
        "default": {
            # Django's MySQL backend, retrying new connections for a few seconds while the
            # server or its name (Docker's DNS, during an engine restart) is briefly unreachable.
            "ENGINE": "config.db.mysql",
            "HOST": env_required("DATABASE_HOST", "the MariaDB/MySQL server's host name"),
            "PORT": env_int("DATABASE_PORT", 3306),
            "NAME": env_required("DATABASE_NAME", "the database the site uses"),
            "USER": env_required("DATABASE_USER", "the account the site connects as"),
            "PASSWORD": env_secret("DATABASE_PASSWORD", "the password of DATABASE_USER"),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "charset": "utf8mb4",
                # Strict mode makes the server reject data it would otherwise silently truncate.
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            },
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
elif DATABASE_ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_required(
                "DATABASE_NAME", "the path of the SQLite file, in a directory the site can write"
            ),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    raise ImproperlyConfigured(
        f"DATABASE_ENGINE must be 'mysql' or 'sqlite', not {DATABASE_ENGINE!r}."
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static and uploaded files: Django writes them, nginx serves them.

STATIC_URL = "/static/"
STATIC_ROOT = env_str("DJANGO_STATIC_ROOT", "/var/www/static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("DJANGO_MEDIA_ROOT", "/var/www/media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Content-hashed file names, so nginx can let browsers cache static files for a year.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    },
}

# Security. The TLS-only settings stay off until nginx terminates TLS; turn them on then.

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE")
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Logging: everything to stdout, where the container runtime collects it.

LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in LOG_LEVELS:
    raise ImproperlyConfigured(f"DJANGO_LOG_LEVEL must be one of {', '.join(sorted(LOG_LEVELS))}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
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
