"""WSGI entry point of the web container: uWSGI loads ``django_deploy.wsgi:application``.

It is the project's own application, as ``runserver`` finds it: DJANGO_DEPLOY_WSGI_APPLICATION
(the deployment's django_web_wsgi_application) when set, else the project's WSGI_APPLICATION
setting, else Django's plain handler. A project's wsgi.py that wraps the handler (WhiteNoise, say)
is kept; its ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`` leaves the deployment's
settings in place.
"""

import os

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application
from django.utils.module_loading import import_string


def load_application():
    django.setup(set_prefix=False)
    path = os.environ.get("DJANGO_DEPLOY_WSGI_APPLICATION", "").strip() or getattr(
        settings, "WSGI_APPLICATION", None
    )
    if not path:
        return get_wsgi_application()
    try:
        return import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"The WSGI application {path!r} cannot be loaded: {error}. Set "
            "django_web_wsgi_application to the project's (module.path.application)."
        ) from error


application = load_application()
