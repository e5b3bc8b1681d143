"""Dates typed by people and dates shown to people (docs/architecture.md, "Dates")."""

from __future__ import annotations

import re
from datetime import date, timedelta, timezone

# Deadlines are days in Vietnam: "today", and the times shown to people, are taken in
# Vietnam's time, never the machine's. That is UTC+7 with no daylight saving since 1975
# (the tz database's Asia/Ho_Chi_Minh), earlier than any clock kttn reads or any record
# it writes: the fixed offset is exact, and no time-zone database is loaded for it.
VN_TIME = timezone(timedelta(hours=7))

# Only two forms, both with a 4-digit year: ISO, or day first. dateutil's parser is not
# used on purpose: with dayfirst=True it still reads 2024-05-02 as 5 February, accepts
# 02/13/2024 and turns 1/2/69 into 2069.
# [0-9], not \d: \d also matches full-width and other scripts' digits.
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# The years a person may type: any plan's, far from the calendar's ends (year 1 and 9999,
# where the day before or a week later does not exist).
YEARS = range(1900, 3000)


def parse_user_date(text: str) -> date | None:
    """`YYYY-MM-DD` or `DD/MM/YYYY` → date; anything else (or an impossible day) → None."""
    text = text.strip()
    if m := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def has_date_shape(text: str) -> bool:
    """Whether text is written as a date kttn reads (`YYYY-MM-DD`, `DD/MM/YYYY`), be the
    day real or not (31/06/2024 has the shape and no day)."""
    text = text.strip()
    return bool(_ISO.fullmatch(text) or _DMY.fullmatch(text))


def show_date(day: date | None) -> str:
    """dd/mm/yyyy, or an empty string."""
    # Not strftime: its %Y writes the year 24 as "24", and a typo should show as "0024".
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""
