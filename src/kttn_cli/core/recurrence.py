"""Repeating deadlines: one milestone of the plan, one obligation per period.

A plan may say "báo cáo quý, trước ngày 20 tháng cuối quý, trong năm 2025". The plan
file gives the period (month, quarter, half-year, year), the day of the month and the
month of the period; `python-dateutil`'s `rrule` (RFC 5545 recurrence rules) lists the
days, and each becomes a milestone of its own with an id suffix and its period
(docs/architecture.md, "Repeating deadlines").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from kttn_cli.core.model import Deadline, Milestone, Period, PeriodKind, Plan

Loc = tuple[str | int, ...]

MONTHS_PER_PERIOD: dict[PeriodKind, int] = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True, slots=True)
class Repeat:
    """`every` period from `starts` to `ends`, on `day` (−1: the last day) of the
    `month`-th month of the period (−1: its last month)."""

    every: PeriodKind
    day: int
    starts: date
    ends: date
    month: int = -1


def month_ok(every: PeriodKind, month: int) -> bool:
    """Whether `month` names a month of the period: 1 to its length, or −1 (its last)."""
    return month == -1 or 1 <= month <= MONTHS_PER_PERIOD[every]


def day_ok(day: int) -> bool:
    """Whether `day` names a day of a month: 1–31 (the last day when the month is
    shorter), or −1 (the last day)."""
    return day == -1 or 1 <= day <= 31


def occurrence_days(repeat: Repeat) -> list[date]:
    """The stated days, in order, each inside [starts, ends].

    A day the month does not have (31 in April, 30 in February) is the month's last
    day: "ngày 31" of a month that has 30 days cannot mean the next month's first.
    """
    from dateutil.rrule import MONTHLY, rrule

    size = MONTHS_PER_PERIOD[repeat.every]
    month_in_period = size if repeat.month == -1 else repeat.month
    months = tuple(range(month_in_period, 13, size))
    if repeat.day == -1:
        by_day: tuple[int, ...] = (-1,)
        position = None
    elif repeat.day > 28:
        # "Ngày 30" in February means its last day: the latest of 28..day that exists.
        by_day = tuple(range(28, repeat.day + 1))
        position = -1
    else:
        by_day = (repeat.day,)
        position = None
    rule = rrule(
        MONTHLY,
        dtstart=repeat.starts,
        until=repeat.ends,
        bymonth=months,
        bymonthday=by_day,
        bysetpos=position,
    )
    return [moment.date() for moment in rule]


def period_of(day: date, every: PeriodKind) -> Period:
    """The period a stated day belongs to."""
    size = MONTHS_PER_PERIOD[every]
    return Period(every, (day.month - 1) // size + 1, day.year)


def suffix(period: Period) -> str:
    """The id suffix of an occurrence: `2025-q2`, `2025-05`, `2025-h1`, `2025`."""
    if period.kind == "month":
        return f"{period.year}-{period.index:02d}"
    if period.kind == "quarter":
        return f"{period.year}-q{period.index}"
    if period.kind == "half":
        return f"{period.year}-h{period.index}"
    return str(period.year)


def expand(base: Milestone, repeat: Repeat) -> tuple[Milestone, ...]:
    """One milestone per occurrence: `<id>-<suffix>`, the base's words on its own date."""
    out = []
    for day in occurrence_days(repeat):
        period = period_of(day, repeat.every)
        deadline: Deadline = replace(base.deadline, kind="date", stated=day)
        out.append(
            replace(
                base,
                id=f"{base.id}-{suffix(period)}",
                deadline=deadline,
                repeat_of=base.id,
                period=period,
                renamed_from=tuple(f"{old}-{suffix(period)}" for old in base.renamed_from),
            )
        )
    return tuple(out)


def file_milestones(plan: Plan) -> Iterator[tuple[Loc, Milestone]]:
    """Each milestone with its place in the plan file (`("tasks", i, "milestones", j)`):
    the occurrences of a repeating milestone all stand where their one table stands."""
    for i, task in enumerate(plan.tasks):
        j = -1
        previous: str | None = None
        for milestone in task.milestones:
            if milestone.repeat_of is None or milestone.repeat_of != previous:
                j += 1
            previous = milestone.repeat_of
            yield ("tasks", i, "milestones", j), milestone
