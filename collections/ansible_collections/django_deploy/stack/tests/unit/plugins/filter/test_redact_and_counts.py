"""plugins/filter/redact.py and count_errors: secrets hidden in shown output, counts in range."""

from ansible_collections.django_deploy.stack.plugins.filter.redact import redact
from ansible_collections.django_deploy.stack.plugins.filter.settings import count_errors


def test_every_occurrence_of_each_secret_is_replaced_by_its_name():
    text = "DATABASE_PASSWORD=s3cret-pass failed; retry with s3cret-pass; key=k3y-value"
    shown = redact(
        text,
        {"django_stack_database_password": "s3cret-pass", "django_web_secret_key": "k3y-value"},
    )
    assert shown == (
        "DATABASE_PASSWORD=<django_stack_database_password> failed; retry with "
        "<django_stack_database_password>; key=<django_web_secret_key>"
    )


def test_a_secret_containing_another_is_replaced_whole():
    shown = redact("value: abc-long-abc", {"short": "abc", "long": "abc-long-abc"})
    assert shown == "value: <long>"


def test_empty_secrets_and_no_text_are_left_alone():
    assert redact("nothing to hide", {"unset": "", "none": None}) == "nothing to hide"
    assert redact(None, {"a": "b"}) == ""


def test_counts_outside_their_range_are_named_with_the_range():
    settings = {"procs": 0, "threads": "4", "harakiri": 7200, "max": "many", "flag": True}
    limits = {"procs": 512, "threads": 256, "harakiri": 3600, "max": 10, "flag": 5}
    assert count_errors(settings, limits) == [
        "procs: 0 must be from 1 to 512.",
        "harakiri: 7200 must be from 1 to 3600.",
        "max: many must be from 1 to 10.",
        "flag: True must be from 1 to 5.",
    ]


def test_counts_read_as_jinja_int_reads_them_and_honour_low():
    assert count_errors({"n": "2.0", "m": 0}, {"n": 5, "m": 3}, low=0) == []
    assert count_errors({}, {"n": 5}) == ["n: None must be from 1 to 5."]
