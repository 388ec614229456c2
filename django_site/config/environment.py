"""Reading the site's settings from the environment, for config.settings and the commands.

A secret may also come from a file named by <NAME>_FILE, the way the deployment (and Docker
secrets) hand secrets to containers: `docker inspect` then shows a path, not the secret.
"""

import os
from pathlib import Path

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
