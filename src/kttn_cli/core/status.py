"""Obligations (milestone × assigned unit) and their status as of a date (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import (
    AdHocTask,
    Due,
    Extension,
    LedgerRecord,
    Milestone,
    Plan,
    Status,
    Submission,
    Task,
    Void,
)

AD_HOC_TASK_ID = "II.7"

# Given a planned deadline, the deadline after moving it off weekends and holidays.
Shifter = Callable[[date], date]


@dataclass(frozen=True, slots=True)
class Obligation:
    """One milestone owed by one unit, with everything needed to judge its status."""

    task: Task
    milestone: Milestone
    unit_id: str
    planned_due: date | None  # the plan's date (quarter → its last day)
    shifted_due: date | None  # after moving off a weekend or holiday, if the plan asks
    extended_to: date | None  # a recorded extension (gia hạn), if any
    submissions: tuple[Submission, ...] = ()  # active ones, in ledger order

    @property
    def due(self) -> date | None:
        """The deadline in force: an extension wins over the (shifted) plan date."""
        return self.extended_to or self.shifted_due

    @property
    def extended(self) -> bool:
        """Whether a recorded extension moved the deadline in force off the plan's date."""
        return self.extended_to is not None and self.extended_to != self.shifted_due

    @property
    def submission(self) -> Submission | None:
        """The newest active submission, whatever its date."""
        return self.submissions[-1] if self.submissions else None

    def submission_as_of(self, as_of: date) -> Submission | None:
        """The newest active submission received on or before `as_of`.

        A report received later was not known on `as_of`, so looking back at an earlier
        date shows what the clerk knew then; an earlier submission that a later one
        followed still counts for the days between.
        """
        for submission in reversed(self.submissions):
            if submission.on <= as_of:
                return submission
        return None


@dataclass(frozen=True, slots=True)
class Judged:
    """An obligation and its status as of a date."""

    obligation: Obligation
    status: Status
    days_overdue: int | None
    days_late: int | None
    days_left: int | None
    submission: Submission | None = None  # the submission that counts as of the date


@dataclass(frozen=True)
class Ledger:
    """The ledger's records, resolved: what is in force after voids."""

    records: tuple[LedgerRecord, ...]

    def active(self) -> tuple[LedgerRecord, ...]:
        """The records in force: no voids, nothing voided; in ledger order."""
        return self._active

    # Not slotted, so that this can be cached on the instance: one `status` asks for the
    # active records three times (ad-hoc tasks for the view, then for the obligations,
    # then submissions), about 20 ms each at 100,000 records.
    @cached_property
    def _active(self) -> tuple[LedgerRecord, ...]:
        voided = {r.target for r in self.records if isinstance(r, Void)}
        return tuple(r for r in self.records if r.id not in voided and not isinstance(r, Void))


EMPTY_LEDGER = Ledger(records=())


def with_ad_hoc_tasks(plan: Plan, ledger: Ledger) -> Plan:
    """The plan with the ledger's ad-hoc tasks added as milestones of item II.7."""
    extra = [r for r in ledger.active() if isinstance(r, AdHocTask)]
    if not extra:
        return plan
    tasks = []
    for task in plan.tasks:
        if task.id == AD_HOC_TASK_ID:
            added = tuple(
                Milestone(
                    id=r.milestone,
                    task_id=task.id,
                    title=r.title,
                    due=Due(kind="date", date=r.due) if r.due else Due(kind="none"),
                    due_text=show_date(r.due),
                    assignees=r.units,
                    recipient=r.recipient,
                    source=r.assigned_by,
                    assigned_by=r.assigned_by,
                )
                for r in extra
            )
            task = replace(task, milestones=task.milestones + added)
        tasks.append(task)
    return replace(plan, tasks=tuple(tasks))


def obligations(plan: Plan, ledger: Ledger, shift: Shifter | None = None) -> list[Obligation]:
    """Every obligation of the plan (plus the ledger's ad-hoc tasks), in plan order.

    Every active submission is kept (judging picks the one that counts as of a date); the
    newest active extension applies; voided records are ignored. `shift` moves dated plan
    deadlines (a quarter's last day included) when given; an extension is a date a person
    chose and is not moved.
    """
    plan = with_ad_hoc_tasks(plan, ledger)
    submitted: dict[tuple[str, str], list[Submission]] = {}
    extended: dict[tuple[str, str], date] = {}
    for record in ledger.active():
        if isinstance(record, Submission):
            submitted.setdefault((record.milestone, record.unit), []).append(record)
        elif isinstance(record, Extension):
            extended[(record.milestone, record.unit)] = record.to
    result = []
    for task in plan.tasks:
        for milestone in task.milestones:
            planned = milestone.due.deadline
            shifted = shift(planned) if (shift and planned) else planned
            for unit_id in plan.expand(milestone.assignees):
                key = (milestone.id, unit_id)
                result.append(
                    Obligation(
                        task=task,
                        milestone=milestone,
                        unit_id=unit_id,
                        planned_due=planned,
                        shifted_due=shifted,
                        extended_to=extended.get(key),
                        submissions=tuple(submitted.get(key, ())),
                    )
                )
    return result


def judge(obligation: Obligation, as_of: date, warn_days: int) -> Judged:
    """The status of one obligation as of `as_of` (DESIGN §3).

    A submission counts only once its date of receipt has come (see
    `Obligation.submission_as_of`). A date deadline covers its whole day: due on the 30th
    is on time when received on the 30th and overdue from the 1st. The warning window is
    the milestone's own `warn_days` when it has one, else the plan's `warn_days`.
    """
    due = obligation.due
    submission = obligation.submission_as_of(as_of)
    warn = obligation.milestone.warn_days
    window = warn if warn is not None else warn_days
    if submission is not None:
        if due is None:
            return Judged(obligation, Status.DONE, None, None, None, submission)
        late_by = (submission.on - due).days
        if late_by > 0:
            return Judged(obligation, Status.LATE, None, late_by, None, submission)
        return Judged(obligation, Status.ON_TIME, None, None, None, submission)
    if due is None:
        return Judged(obligation, Status.UNDATED, None, None, None)
    left = (due - as_of).days
    if left < 0:
        return Judged(obligation, Status.OVERDUE, -left, None, None)
    if left <= window:
        return Judged(obligation, Status.DUE_SOON, None, None, left)
    return Judged(obligation, Status.PENDING, None, None, left)


def judge_all(
    plan: Plan, ledger: Ledger, as_of: date, shift: Shifter | None = None
) -> list[Judged]:
    """Every obligation of the plan with its status as of `as_of`, in plan order."""
    return [judge(o, as_of, plan.warn_days) for o in obligations(plan, ledger, shift)]


@dataclass(frozen=True, slots=True)
class Rates:
    """Counts per status and the two rates of the Government Office's task reports."""

    counts: dict[Status, int]

    @property
    def denominator(self) -> int:
        c = self.counts
        return c[Status.ON_TIME] + c[Status.LATE] + c[Status.OVERDUE]

    @property
    def completion(self) -> float | None:
        """(on time + late) ÷ (on time + late + overdue); None when nothing is due yet."""
        d = self.denominator
        return (self.counts[Status.ON_TIME] + self.counts[Status.LATE]) / d if d else None

    @property
    def on_time(self) -> float | None:
        """on time ÷ (on time + late + overdue); None when nothing is due yet."""
        d = self.denominator
        return self.counts[Status.ON_TIME] / d if d else None


def rates(judged: Iterable[Judged]) -> Rates:
    """Count the statuses of `judged`; the rates follow from the counts (DESIGN §3)."""
    counts = dict.fromkeys(Status, 0)
    for j in judged:
        counts[j.status] += 1
    return Rates(counts)


def next_working_day(
    holidays: Callable[[date], bool], days_off: frozenset[date], working_days: frozenset[date]
) -> Shifter:
    """A shifter that moves a deadline off weekends, public holidays and plan-given days off.

    Civil Code 2015, Art. 148: a period ending on a day off ends on the next working day.
    Make-up working days listed by the plan count as working days even on a weekend.
    """

    def is_off(day: date) -> bool:
        if day in working_days:
            return False
        return day.weekday() >= 5 or day in days_off or holidays(day)

    def shift(day: date) -> date:
        while is_off(day):
            day += timedelta(days=1)
        return day

    return shift
