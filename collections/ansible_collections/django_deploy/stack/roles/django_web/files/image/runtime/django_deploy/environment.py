"""The deployment's settings as the web container's environment carries them.

A secret comes from a file named by <NAME>_FILE, the way the deployment (and Docker secrets)
hand secrets to containers: `docker inspect` then shows a path, not the secret. <NAME> itself is
read when no file is named (tests, a one-off `docker run`).
"""

import os
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"true", "1", "yes"})


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_required(name: str, why: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable: {why}.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """Unset or empty means the default; otherwise only true/1/yes mean on."""
    value = env_str(name).lower()
    if not value:
        return default
    return value in TRUE_WORDS


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env_str(name).split(",") if item.strip()]


def read_secret(name: str) -> str:
    """The secret in the file <NAME>_FILE names, else in <NAME>; "" when neither is set.

    Never stripped, since spaces may belong to a secret; only a file's final newline is dropped.
    """
    path = os.environ.get(f"{name}_FILE", "").strip()
    if not path:
        return os.environ.get(name, "")
    try:
        return Path(path).read_text(encoding="utf-8").removesuffix("\n")
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE: cannot read {path} ({error.strerror}).") from None


def env_secret(name: str, why: str) -> str:
    value = read_secret(name)
    if not value.strip():
        raise ImproperlyConfigured(f"Set {name}_FILE (or {name}): {why}.")
    return value


def env_secret_lines(name: str) -> list[str]:
    """Secrets one per line, from <NAME>_FILE or <NAME>; empty lines are skipped."""
    return [line for line in read_secret(name).split("\n") if line.strip()]


def twelve_factor_environment() -> dict[str, str]:
    """The variables a project that reads its own settings from the environment expects
    (dj-database-url's DATABASE_URL, SECRET_KEY, REDIS_URL), composed from the deployment's:
    the secrets from their files, so only the processes see them."""
    variables = {}
    host = env_str("DATABASE_HOST")
    if host:
        user = quote(env_str("DATABASE_USER"), safe="")
        password = quote(read_secret("DATABASE_PASSWORD"), safe="")
        port = env_str("DATABASE_PORT", "3306")
        name = quote(env_str("DATABASE_NAME"), safe="")
        variables["DATABASE_URL"] = f"mysql://{user}:{password}@{host}:{port}/{name}"
    secret_key = read_secret("DJANGO_SECRET_KEY")
    if secret_key:
        variables["SECRET_KEY"] = variables["DJANGO_SECRET_KEY"] = secret_key
    redis_host = env_str("REDIS_HOST")
    if redis_host:
        password = quote(read_secret("REDIS_PASSWORD"), safe="")
        variables["REDIS_URL"] = (
            f"redis://:{password}@{redis_host}:{env_str('REDIS_PORT', '6379')}/0"
        )
    return variables


def export_twelve_factor() -> None:
    """Put twelve_factor_environment() into this process's environment (and its children's),
    leaving any variable already set as it is."""
    for name, value in twelve_factor_environment().items():
        os.environ.setdefault(name, value)
