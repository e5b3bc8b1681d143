"""The status of each obligation as of a date, and the rates (docs/architecture.md, "Status")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kttn_cli.core.model import Status, Submission
from kttn_cli.core.obligations import Obligation

# Statuses of a deliverable received; what is still owed; what is outside the rates.
SUBMITTED = frozenset({Status.ON_TIME, Status.LATE, Status.DONE})
OPEN = frozenset({Status.OVERDUE, Status.DUE_SOON, Status.PENDING, Status.UNDATED})


@dataclass(frozen=True, slots=True)
class Judged:
    """An obligation and its status as of a date."""

    obligation: Obligation
    status: Status
    days_overdue: int | None = None
    days_late: int | None = None
    days_left: int | None = None
    submission: Submission | None = None  # the submission that counts as of the date


def judge(obligation: Obligation, as_of: date, warn_days: int) -> Judged:
    """The status of one obligation as of `as_of`.

    A submission counts once its day of receipt has come (`submission_as_of`). The last
    day in force is a whole day: last day 29/06 is on time when received on 29/06 and
    overdue from 30/06. The warning window is the milestone's own `warn_days` when it has
    one, else the plan's. An obligation outside its unit's life span is not owed.
    """
    if not obligation.owed:
        return Judged(obligation, Status.NOT_OWED)
    due = obligation.due
    submission = obligation.submission_as_of(as_of)
    if submission is not None:
        if due is None:
            return Judged(obligation, Status.DONE, submission=submission)
        late_by = (submission.on - due).days
        if late_by > 0:
            return Judged(obligation, Status.LATE, days_late=late_by, submission=submission)
        return Judged(obligation, Status.ON_TIME, submission=submission)
    if due is None:
        return Judged(obligation, Status.UNDATED)
    left = (due - as_of).days
    if left < 0:
        return Judged(obligation, Status.OVERDUE, days_overdue=-left)
    own = obligation.milestone.warn_days
    window = own if own is not None else warn_days
    if left <= window:
        return Judged(obligation, Status.DUE_SOON, days_left=left)
    return Judged(obligation, Status.PENDING, days_left=left)


def judge_all(obligations: Iterable[Obligation], as_of: date, warn_days: int) -> list[Judged]:
    """Every obligation with its status as of `as_of`, in the order given."""
    return [judge(o, as_of, warn_days) for o in obligations]


@dataclass(frozen=True, slots=True)
class Rates:
    """Counts per status and the two rates of the Government Office's task reports."""

    counts: dict[Status, int]

    @property
    def denominator(self) -> int:
        c = self.counts
        return c[Status.ON_TIME] + c[Status.LATE] + c[Status.OVERDUE]

    @property
    def done(self) -> int:
        return self.counts[Status.ON_TIME] + self.counts[Status.LATE]

    @property
    def completion(self) -> float | None:
        """(on time + late) ÷ (on time + late + overdue); None when nothing is due yet."""
        d = self.denominator
        return self.done / d if d else None

    @property
    def on_time(self) -> float | None:
        """on time ÷ (on time + late + overdue); None when nothing is due yet."""
        d = self.denominator
        return self.counts[Status.ON_TIME] / d if d else None


def rates(judged: Iterable[Judged]) -> Rates:
    """Count the statuses; the rates follow from the counts (undated and not-owed
    obligations are outside both)."""
    counts = dict.fromkeys(Status, 0)
    for j in judged:
        counts[j.status] += 1
    return Rates(counts)
