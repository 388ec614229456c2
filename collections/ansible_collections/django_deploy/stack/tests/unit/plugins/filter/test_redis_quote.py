"""plugins/filter/redis_quote.py: any password is one argument of a redis.conf line (the Redis of
molecule/default/tests/test_projects.py reads the test secrets, quotes and all, through it)."""

from ansible_collections.django_deploy.stack.plugins.filter.redis_quote import redis_quote


def test_quotes_backslashes_and_control_characters_are_escaped():
    assert redis_quote("q'u\"o $HOME %s #h spaçe ñø") == '"q\'u\\"o $HOME %s #h spaçe ñø"'
    assert redis_quote("a\\b") == '"a\\\\b"'
    assert redis_quote("tab\there\x01") == '"tab\\there\\x01"'
    assert redis_quote(None) == '""'
