"""plugins/test/settings.py: what counts as a usable secret and as a Docker address pool."""

import pytest
from ansible_collections.django_deploy.stack.plugins.test.settings import (
    address_pool,
    strong_secret,
)

CIDR = r"^([0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9A-Fa-f:]+/[0-9]{1,3})$"


@pytest.mark.parametrize(
    "value", ["a-long-enough-secret", "pa'ss\"wo $rd %s #1 spaçe", "x" * 11 + "y"]
)
def test_a_long_real_secret_is_strong(value):
    assert strong_secret(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "short",
        "CHANGE_ME-please-now",
        "change me please, really",
        "placeholder-value",
        "x" * 20,
        None,
        123456789012345,
        ["a-long-enough-secret"],
    ],
)
def test_empty_short_placeholder_or_not_text_is_weak(value):
    assert not strong_secret(value)


def test_a_pool_has_a_cidr_base_and_an_integer_size():
    assert address_pool({"base": "10.210.0.0/16", "size": 24}, CIDR)
    assert address_pool({"base": "fd00::/48", "size": 64}, CIDR)


@pytest.mark.parametrize(
    "pool",
    [
        {"base": "10.210.0.0", "size": 24},
        {"base": "10.210.0.0/16", "size": "24"},
        {"base": "10.210.0.0/16", "size": True},
        {"base": "10.210.0.0/16"},
        {"size": 24},
        "10.210.0.0/16",
        ["10.210.0.0/16", 24],
    ],
)
def test_anything_else_is_not_a_pool(pool):
    assert not address_pool(pool, CIDR)
