"""Dates typed by people and dates shown to people (DESIGN §4)."""

from __future__ import annotations

import re
from datetime import date

from kttn_cli.core.model import Due, quarter_label

# Deadlines are days in Vietnam (DESIGN §3): "today", and the times shown to people, are
# taken in this zone, never the machine's.
VN_ZONE = "Asia/Ho_Chi_Minh"

# Only two forms, both with a 4-digit year: ISO, or day first. dateutil's parser is not
# used on purpose: with dayfirst=True it still reads 2024-05-02 as 5 February, accepts
# 02/13/2024 and turns 1/2/69 into 2069.
# [0-9], not \d: \d also matches full-width and other scripts' digits.
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


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


def show_date(day: date | None) -> str:
    """dd/mm/yyyy, or an empty string."""
    # Not strftime: its %Y writes the year 24 as "24", and a typo should show as "0024".
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


def show_due(due: Due, quarter_word: str) -> str:
    """A milestone's deadline as a person reads it: a date, `Quý I/2024`, or nothing."""
    if due.kind == "date":
        return show_date(due.date)
    if due.kind == "quarter" and due.quarter and due.year:
        return f"{quarter_word} {quarter_label(due.quarter, due.year)}"
    return ""
