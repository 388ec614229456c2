"""plugins/filter/systemd_calendar.py: calendar settings are refused on the controller when systemd
would refuse them on the host (after the timer unit was written)."""

import shutil
import subprocess

import pytest
from ansible_collections.django_deploy.stack.plugins.filter import systemd_calendar as calendar

VALID = [
    "daily",
    "Weekly",
    "hourly UTC",
    "*-*-* 03:15:00",
    "*-*-* 03,15:00:00",
    "Mon..Fri 09:00",
    "Sat,Sun 10:30",
    "monday *-*-* 04:00:00",
    "*:0/15",
    "*-*-01 04:00",
    "12-25 08:00",
    "2026-12-05 12:00:00 UTC",
    "*-*-* 02:00:00 Europe/Berlin",
    "*-02~03",
    "Mon *-05~07/1",
    "03:15",
    "*-*-* *:*:30.5",
    "2026..2030-01,07-01 00:00",
    "semi-annually",
    "Mon..Sunday",
    "2020/2-01-01",
    "@1234",
]

INVALID = [
    ("every day", '"every" is not a weekday'),
    ("", "one line"),
    ("   ", "one line"),
    ("daily\nhourly", "one line"),
    ("daily at 3", "takes nothing after it"),
    ("*-*-* 25:00", "hour 25 is outside 0..23"),
    ("*-13-01", "month 13 is outside 1..12"),
    ("*-*-32", "day 32 is outside 1..31"),
    ("*-*-* 03:60", "minute 60"),
    ("1:2:3:4", "is not a time"),
    ("Mon..Fri 9", '"9" is not a date, time or time zone'),
    ("*-*-* 03:00/0", "repetition"),
    ("*-*-* 05..03:00", "range ends before it starts"),
    ("1-2-3-4", "is not a date"),
    ("Fri 03:00 04:00", '"04:00" is not a date, time or time zone'),
    ("*-*-* 03:x", '"x" is not a minute'),
    ("Fri..Mon 03:00", "weekday range ends before it starts"),
    ("*-*-* 00:*/5", "not *"),
    ("UTC", '"UTC" is not a weekday'),
    ("today", '"today" is not a weekday'),
]


@pytest.mark.parametrize("event", VALID)
def test_valid_event_passes(event):
    assert calendar.calendar_error(event) == ""


@pytest.mark.parametrize(("event", "reason"), INVALID)
def test_invalid_event_is_refused_with_the_reason(event, reason):
    error = calendar.calendar_error(event)
    assert reason in error, error


def test_not_a_string_is_refused():
    assert "is not a string" in calendar.calendar_error(3)


def test_filter_is_registered_under_its_name():
    filters = calendar.FilterModule().filters()
    assert filters["systemd_calendar_error"]("daily") == ""


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def systemd_accepts(event: str) -> bool:
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "calendar", "--", event], capture_output=True, text=True, check=False
    )
    return result.returncode == 0


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="no systemd-analyze on this controller")
@pytest.mark.parametrize(
    "event", [e for e in VALID if " Europe/" not in e] + [e for e, _ in INVALID if e.strip()]
)
def test_same_verdict_as_systemd(event):
    """Where the controller has systemd, its own parser agrees (time zones depend on the host)."""
    assert systemd_accepts(event) == (calendar.calendar_error(event) == ""), event
