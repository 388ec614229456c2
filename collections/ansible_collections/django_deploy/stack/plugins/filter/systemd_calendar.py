"""Filter systemd_calendar_error: why a string is not a systemd calendar event, or "".

    site_backup_schedule | django_deploy.stack.systemd_calendar_error

Runs on the controller, before anything is written to a host: the grammar of man systemd.time
(a shorthand such as "daily", or [WEEKDAYS] [[YEAR-]MONTH-DAY] [HOUR:MINUTE[:SECOND]] [TIMEZONE],
each part a list of values, ranges "a..b" and repetitions "a/step"). A time zone name is taken
as written: whether the host knows it, the host's own systemd-analyze says (the roles ask it
before they write a timer, where it has the calendar verb).
"""

import re

# Its documentation: systemd_calendar_error.yml.

SHORTHANDS = {
    "minutely",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "annually",
    "quarterly",
    "semiannually",
    "semi-annually",
}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY_NAMES = {
    **{day: day for day in WEEKDAYS},
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
# The range of each field, as systemd accepts it.
LIMITS = {
    "year": (1970, 2199),
    "month": (1, 12),
    "day": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}
TIMEZONE = re.compile(r"^(UTC|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)+)$")
NUMBER = re.compile(r"^\d+$")
SECOND = re.compile(r"^\d+(\.\d{1,6})?$")
EPOCH = re.compile(r"^@\d+$")
DATE_SHAPE = re.compile(r"^[0-9*.,/]*[-~]")
TIME_SHAPE = re.compile(r"^[0-9*.,/]*:")


class CalendarError(ValueError):
    """What is wrong with one part of the event."""


def _number(text: str, field: str) -> float:
    pattern = SECOND if field == "second" else NUMBER
    if not pattern.match(text):
        raise CalendarError(f'"{text}" is not a {field}')
    value = float(text) if field == "second" else int(text)
    low, high = LIMITS[field]
    if not low <= value < high + 1:
        raise CalendarError(f"{field} {text} is outside {low}..{high}")
    return value


def _field(text: str, field: str) -> None:
    """A comma-separated list of *, values, ranges a..b and repetitions a/step (or a..b/step)."""
    if text == "":
        raise CalendarError(f"the {field} is empty")
    for item in text.split(","):
        start, slash, step = item.partition("/")
        if slash and (not NUMBER.match(step) or int(step) == 0):
            raise CalendarError(f'"{item}": the repetition of a {field} must be a number above 0')
        if slash and start == "*":
            raise CalendarError(f'"{item}": a repetition starts from a {field}, not * (e.g. 0/15)')
        if start == "*":
            continue
        first, dots, last = start.partition("..")
        low = _number(first, field)
        if dots and _number(last, field) < low:
            raise CalendarError(f'"{item}": the {field} range ends before it starts')


def _weekdays(text: str) -> bool:
    """True when the word is a weekday list (Mon,Wed..Fri), False when it is no such list."""
    for item in text.split(","):
        first, dots, last = item.partition("..")
        names = [first, last] if dots else [first]
        if not all(name.lower() in WEEKDAY_NAMES for name in names):
            return False
        if dots and WEEKDAYS.index(WEEKDAY_NAMES[last.lower()]) < WEEKDAYS.index(
            WEEKDAY_NAMES[first.lower()]
        ):
            raise CalendarError(f'"{item}": the weekday range ends before it starts')
    return True


def _date(text: str) -> None:
    """[YEAR-]MONTH-DAY or [YEAR-]MONTH~DAY (the last days of the month)."""
    last_days = "~" in text
    head, _, day = text.rpartition("~" if last_days else "-")
    if not head:
        raise CalendarError(f'"{text}" is not a date (MONTH-DAY or YEAR-MONTH-DAY)')
    parts = head.split("-")
    if len(parts) > 2:
        raise CalendarError(f'"{text}" is not a date (MONTH-DAY or YEAR-MONTH-DAY)')
    if len(parts) == 2:
        _field(parts[0], "year")
    _field(parts[-1], "month")
    _field(day, "day")


def _time(text: str) -> None:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise CalendarError(f'"{text}" is not a time (HOUR:MINUTE or HOUR:MINUTE:SECOND)')
    for part, field in zip(parts, ("hour", "minute", "second"), strict=False):
        _field(part, field)


def calendar_error(event: str) -> str:
    """Why `event` is not a systemd calendar event; "" when it is one."""
    if not isinstance(event, str):
        return f"{event!r} is not a string"
    words = event.split()
    if not words or "\n" in event:
        return "a calendar event is one line such as daily or *-*-* 03:15:00"
    if len(words) == 1 and EPOCH.match(words[0]):
        return ""
    if words[0].lower() in SHORTHANDS:
        if len(words) > 2 or (len(words) == 2 and not TIMEZONE.match(words[1])):
            return f'"{event}": {words[0]} takes nothing after it but a time zone'
        return ""
    try:
        index = 1 if _weekdays(words[0]) else 0
        # Each part is optional, in this order; its shape says which part a word is meant to be.
        for looks_like, check in ((DATE_SHAPE, _date), (TIME_SHAPE, _time)):
            if index < len(words) and looks_like.search(words[index]):
                check(words[index])
                index += 1
        if index == 0:
            raise CalendarError(
                f'"{words[0]}" is not a weekday, date, time or shorthand such as daily'
            )
        if index < len(words) and TIMEZONE.match(words[index]):
            index += 1
        if index < len(words):
            raise CalendarError(f'"{words[index]}" is not a date, time or time zone in its place')
    except CalendarError as error:
        return f'"{event}" is not a systemd calendar event: {error}'
    return ""


class FilterModule:
    def filters(self):
        return {"systemd_calendar_error": calendar_error}
