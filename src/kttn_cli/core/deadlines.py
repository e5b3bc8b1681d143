"""From the plan's words to one last day (docs/architecture.md, "Deadlines").

A deadline is read in three steps, each a rule the plan states once:

1. the words: "trước ngày X" (before day X) read literally excludes X, so the last day
   is X−1 unless the plan says it counts X; "chậm nhất (là) ngày X" and "vào ngày X"
   include X; "trong Quý I/2024" is a period whose last day is the quarter's last day;
2. days off: when the plan asks for it, a last day that falls on a weekend, a public
   holiday or an announced extra day off moves to the next working day (Civil Code 2015,
   Art. 148); announced make-up working days count as working days. A quarter is a
   period: its last day never leaves the quarter, so it is not moved;
3. the ledger: an extension (gia hạn) moves one unit's last day later; a schedule fixes
   a day for a milestone the plan leaves undated. Those live in `core.status`.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

from kttn_cli.core.model import BeforeRule, Deadline, DeadlineRules

# The words the plan may write before a date, by how they count the day they name.
# "trước" and its forms read literally exclude the day; the plan's rule may include it.
BEFORE_WORDS = frozenset({"trước", "xong trước", "hoàn thành trước", "gửi trước"})
# These include the day they name.
BY_WORDS = frozenset({"", "chậm nhất", "chậm nhất là", "chậm nhất ngày", "vào ngày", "đến ngày"})
DATE_QUALIFIERS = BEFORE_WORDS | BY_WORDS
QUARTER_QUALIFIERS = frozenset({"", "trong"})

# Is this day a public holiday (the `holidays` library's answer, through storage)?
HolidayTest = Callable[[date], bool]


def quarter_end(quarter: int, year: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def stated_day(deadline: Deadline) -> date | None:
    """The day the plan's words name: the date written, or a quarter's last day."""
    if deadline.kind == "date":
        return deadline.stated
    if deadline.kind == "quarter" and deadline.quarter and deadline.year:
        return quarter_end(deadline.quarter, deadline.year)
    return None


def excludes_stated_day(deadline: Deadline, rules: DeadlineRules) -> bool:
    """Whether the last day is the day before the one written ("trước ngày X")."""
    return (
        deadline.kind == "date"
        and deadline.qualifier in BEFORE_WORDS
        and rules.before is BeforeRule.EXCLUSIVE
    )


def last_day(deadline: Deadline, rules: DeadlineRules) -> date | None:
    """The last day on which the deliverable is on time, by the words alone (step 1)."""
    day = stated_day(deadline)
    if day is None:
        return None
    return day - timedelta(days=1) if excludes_stated_day(deadline, rules) else day


def working_day_shift(rules: DeadlineRules, is_holiday: HolidayTest) -> Callable[[date], date]:
    """Step 2: move a day off to the next working day, by the plan's calendar."""

    def is_off(day: date) -> bool:
        if day in rules.working_days:
            return False
        return day.weekday() >= 5 or day in rules.days_off or is_holiday(day)

    def shift(day: date) -> date:
        # A run of days off is never longer than Tết plus weekends; the bound only stops
        # a calendar that marks every day off from looping for ever.
        for _ in range(366):
            if not is_off(day) or day == date.max:
                return day
            day += timedelta(days=1)
        return day

    return shift


def last_day_in_force(
    deadline: Deadline, rules: DeadlineRules, shift: Callable[[date], date] | None
) -> date | None:
    """Steps 1 and 2: the last day after the counting rule and, for dates, days off."""
    day = last_day(deadline, rules)
    if day is None or shift is None or deadline.kind == "quarter":
        return day
    return shift(day)
