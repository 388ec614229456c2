"""Tests for the settings checks: value is django_deploy.stack.<test>.

    password is django_deploy.stack.strong_secret
    pool is django_deploy.stack.address_pool(cidr_pattern)

Their documentation: strong_secret.yml and address_pool.yml.
"""

import re

# What the example vault and the docs show instead of a real secret.
PLACEHOLDER = re.compile(r"(?i)change[_ -]?me|placeholder|^x+$")
MIN_SECRET_LENGTH = 12


def strong_secret(value) -> bool:
    """A text of 12 characters or more that is not an example's placeholder."""
    return (
        isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH and not PLACEHOLDER.search(value)
    )


def address_pool(value, cidr_pattern: str) -> bool:
    """A mapping with base (a CIDR that matches the pattern) and size (an integer prefix length)."""
    return (
        isinstance(value, dict)
        and re.match(cidr_pattern, str(value.get("base", ""))) is not None
        and isinstance(value.get("size"), int)
        and not isinstance(value.get("size"), bool)
    )


class TestModule:
    def tests(self):
        return {"strong_secret": strong_secret, "address_pool": address_pool}
