"""Obligations: each milestone × each unit that owes it, with what the ledger says of it.

Two steps (docs/architecture.md, "Obligations"):

1. `Book` reads the ledger's records one by one, in order, through the plan's mappings
   (`core.roster`): what is in force for each milestone and unit, which ad-hoc tasks
   exist, and which records point nowhere. A write applies its new records to the book
   it already has, with the same code, so it never reads the whole ledger again; the
   book is what the cache keeps, and its size follows the plan, not the ledger's length.
2. `obligations(plan, book, shift)` gives every obligation in plan order: who owes what
   (units' life spans, successors, a replaced unit's history), with its last day in
   force.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from kttn_cli.core.checks import unconfirmed_milestones
from kttn_cli.core.deadlines import last_day, last_day_in_force, stated_day
from kttn_cli.core.ledger import RECORD_ID_PREFIX
from kttn_cli.core.model import (
    AdHocTask,
    Deadline,
    Extension,
    LedgerRecord,
    Milestone,
    Plan,
    Schedule,
    Submission,
    Task,
    Void,
)
from kttn_cli.core.problems import Problem
from kttn_cli.core.roster import Roster

Shift = Callable[[date], date]
Key = tuple[str, str]  # (milestone id, unit id)


@dataclass(frozen=True, slots=True)
class Obligation:
    """One milestone owed by one unit, with everything needed to judge it."""

    task_id: str
    milestone: Milestone
    unit_id: str
    stated: date | None  # the day the plan's words name (a quarter: its last day)
    last_day: date | None  # after the counting rule ("trước ngày X" → X−1)
    shifted: date | None  # after moving off a day off, when the plan asks
    extension: Extension | None = None  # the newest extension in force
    schedule: Schedule | None = None  # the day fixed for an undated milestone
    submissions: tuple[Submission, ...] = ()  # in force, in ledger order
    owed: bool = True  # False: the deadline falls outside the unit's life span
    inherited_from: str | None = None  # the unit whose share this one took over
    history: bool = False  # a replaced unit's own past, kept visible (no longer chased)
    unconfirmed: bool = False  # its date was copied from another plan, not yet confirmed

    @property
    def planned(self) -> date | None:
        """The last day by the plan: after the counting rule and days off, or the day
        fixed for an undated milestone."""
        if self.schedule is not None:
            return self.schedule.on
        return self.shifted

    @property
    def due(self) -> date | None:
        """The last day in force: an extension wins over the plan's day."""
        return self.extension.to if self.extension is not None else self.planned

    @property
    def extended(self) -> bool:
        return self.extension is not None and self.extension.to != self.planned

    @property
    def moved(self) -> bool:
        """Whether days off moved the last day."""
        return self.shifted != self.last_day

    @property
    def submission(self) -> Submission | None:
        """The newest submission in force, whatever its date."""
        return self.submissions[-1] if self.submissions else None

    def submission_as_of(self, as_of: date) -> Submission | None:
        """The newest submission in force received on or before `as_of`.

        A report received later was not known on `as_of`, so looking back at an earlier
        date shows what the clerk knew then.
        """
        for submission in reversed(self.submissions):
            if submission.on <= as_of:
                return submission
        return None


def ad_hoc_item(plan: Plan) -> Task | None:
    """The plan's item for ad-hoc tasks (nhiệm vụ đột xuất), if it has one."""
    return next((t for t in plan.tasks if t.ad_hoc), None)


def ad_hoc_milestone(item_id: str, record: AdHocTask) -> Milestone:
    return Milestone(
        id=record.milestone,
        task_id=item_id,
        title=record.title,
        deadline=Deadline(kind="date", stated=record.due) if record.due else Deadline(kind="none"),
        assignees=record.units,
        recipients=(record.recipient,) if record.recipient else (),
        source=record.assigned_by,
        assigned_by=record.assigned_by,
    )


def with_ad_hoc_tasks(plan: Plan, tasks: Iterable[AdHocTask]) -> Plan:
    """The plan with ad-hoc tasks as milestones of its ad-hoc item."""
    item = ad_hoc_item(plan)
    added = tuple(ad_hoc_milestone(item.id, r) for r in tasks) if item else ()
    if not added or item is None:
        return plan
    tasks_out = tuple(
        replace(t, milestones=t.milestones + added) if t.id == item.id else t for t in plan.tasks
    )
    return replace(plan, tasks=tasks_out)


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A record in force that points nowhere (yet): its place and what is wrong."""

    index: int
    code: str
    key: str  # the record's field at fault
    args: tuple[tuple[str, str], ...]


@dataclass
class IdSet:
    """Every record id read, kept small: kttn's ids (`r1`, `r2`, …) as runs of numbers,
    other ids (hand-written ones) by name. A ledger written by kttn is one run, so the
    book's size still follows the plan, not the ledger's length."""

    runs: list[list[int]] = field(default_factory=list)  # sorted, disjoint [first, last]
    names: set[str] = field(default_factory=set)

    def __contains__(self, ident: str) -> bool:
        number = _number(ident)
        return ident in self.names if number is None else self._has(number)

    def _has(self, number: int) -> bool:
        index = bisect_right(self.runs, [number, _MAX]) - 1
        return index >= 0 and self.runs[index][0] <= number <= self.runs[index][1]

    def add(self, ident: str) -> None:
        number = _number(ident)
        if number is None:
            self.names.add(ident)
            return
        if self.runs and self.runs[-1][1] + 1 == number:  # the usual case: the next id
            self.runs[-1][1] = number
            return
        if self._has(number):
            return
        index = bisect_right(self.runs, [number, _MAX])
        self.runs.insert(index, [number, number])
        # Join with the neighbours it touches.
        if index + 1 < len(self.runs) and self.runs[index + 1][0] == number + 1:
            self.runs[index][1] = self.runs.pop(index + 1)[1]
        if index > 0 and self.runs[index - 1][1] + 1 == number:
            self.runs[index - 1][1] = self.runs.pop(index)[1]


_MAX = 1 << 62


def _number(ident: str) -> int | None:
    """The number of a kttn id (`r12` → 12); None for any other id (`r012`, `x1`)."""
    digits = ident[len(RECORD_ID_PREFIX) :]
    if ident.startswith(RECORD_ID_PREFIX) and digits.isascii() and digits.isdigit():
        number = int(digits) if digits[0] != "0" else None
        return number if number is not None and number < _MAX else None
    return None


@dataclass
class Book:
    """What the ledger's records in force say, read through the plan (step 1).

    Built by `Book.read(plan, records)`; `add(records, first_index)` applies more records
    with the same rules, which is how a write brings the book up to date.
    """

    submissions: dict[Key, tuple[Submission, ...]] = field(default_factory=dict)
    extensions: dict[Key, tuple[Extension, ...]] = field(default_factory=dict)
    schedules: dict[str, tuple[Schedule, ...]] = field(default_factory=dict)
    tasks: tuple[AdHocTask, ...] = ()
    # Records in force that a void may target: id → where they sit in the maps above.
    in_force: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    unresolved: dict[str, Unresolved] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # duplicate ids, bad voids
    count: int = 0
    last_number: int = 0
    # Voids met before their target (a hand-edited ledger): the target is withdrawn.
    early_voids: dict[str, int] = field(default_factory=dict)
    ids: IdSet = field(default_factory=IdSet)  # every id read (duplicates, void targets)
    # The plan with the ad-hoc tasks read so far, and its roster: rebuilt only when the
    # tasks change, not for every record.
    _context: tuple[int, Plan, Roster] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def read(cls, plan: Plan, records: Iterable[LedgerRecord]) -> Book:
        """The book of a whole ledger, with duplicate ids and dangling voids reported."""
        book = cls()
        seen: dict[str, int] = {}
        for index, record in enumerate(records):
            if record.id in seen:
                book.problems.append(
                    Problem(
                        "duplicate_id",
                        "ledger",
                        ("records", index, "id"),
                        {"id": record.id},
                        related=("records", seen[record.id], "id"),
                    )
                )
            seen.setdefault(record.id, index)
            book.ids.add(record.id)
            book._apply(plan, record, index)
        book.problems += book._dangling_voids()
        return book

    def add(self, plan: Plan, records: Iterable[LedgerRecord]) -> list[Problem]:
        """Apply records appended after the ones read; the problems they bring — the
        same as reading the whole ledger would find in them (a property test keeps the
        two equal): records that point nowhere, ids already used, voids of no record."""
        before = set(self.unresolved)
        start = self.count
        problems: list[Problem] = []
        for offset, record in enumerate(records):
            index = start + offset
            if record.id in self.ids:
                problems.append(
                    Problem("duplicate_id", "ledger", ("records", index, "id"), {"id": record.id})
                )
            self.ids.add(record.id)
            self._apply(plan, record, index)
        problems += self._dangling_voids()
        new = [u for ident, u in self.unresolved.items() if ident not in before]
        return [*problems, *(_problem(u) for u in new)]

    def _dangling_voids(self) -> list[Problem]:
        """Voids whose target no record has (read so far); the voids met before their
        target are settled once all records are read."""
        found = [
            Problem("unknown_target", "ledger", ("records", index, "target"), {"id": target})
            for target, index in self.early_voids.items()
            if target not in self.ids
        ]
        self.early_voids.clear()
        return found

    def ledger_problems(self) -> list[Problem]:
        """Every problem of the records read: the ones stored and those still unresolved."""
        return [*self.problems, *(_problem(u) for u in self.unresolved.values())]

    def plan_with_tasks(self, plan: Plan) -> Plan:
        return self._plan_and_roster(plan)[0]

    def _plan_and_roster(self, plan: Plan) -> tuple[Plan, Roster]:
        stamp = hash((id(plan), self.tasks))
        if self._context is None or self._context[0] != stamp:
            full = with_ad_hoc_tasks(plan, self.tasks)
            self._context = (stamp, full, Roster.of(full))
        return self._context[1], self._context[2]

    def next_ids(self, count: int) -> list[str]:
        """Sequential record ids after the highest one (`r1`, `r2`, …)."""
        return [f"{RECORD_ID_PREFIX}{self.last_number + i}" for i in range(1, count + 1)]

    # --- applying one record ----------------------------------------------------------

    def _apply(self, plan: Plan, record: LedgerRecord, index: int) -> None:
        self.count = index + 1
        ident = record.id
        if ident.startswith(RECORD_ID_PREFIX) and ident[1:].isdigit():
            self.last_number = max(self.last_number, int(ident[1:]))
        if isinstance(record, Void):
            self._void(record, index)
            return
        if ident in self.early_voids:
            del self.early_voids[ident]
            return
        full, roster = self._plan_and_roster(plan)
        if isinstance(record, AdHocTask):
            self._task(plan, full, record, index)
            return
        milestone_id = roster.milestone(full, record.milestone)
        if milestone_id is None:
            self._unresolved(record, index, "orphan_milestone", "milestone", id=record.milestone)
            return
        if isinstance(record, Schedule):
            self.schedules[milestone_id] = (*self.schedules.get(milestone_id, ()), record)
            self.in_force[ident] = ("schedule", milestone_id, "")
            return
        reading = roster.unit(full, record.unit)
        if reading is None:
            self._unresolved(record, index, "orphan_unit", "unit", id=record.unit)
            return
        key = (milestone_id, reading.unit_id)
        if not reading.history and not _assigned(full, roster, key):
            self._unresolved(
                record, index, "not_assigned", "unit", unit=record.unit, milestone=milestone_id
            )
            return
        if isinstance(record, Submission):
            self.submissions[key] = (*self.submissions.get(key, ()), record)
            self.in_force[ident] = ("submission", *key)
        else:
            self.extensions[key] = (*self.extensions.get(key, ()), record)
            self.in_force[ident] = ("extension", *key)

    def _task(self, plan: Plan, full: Plan, record: AdHocTask, index: int) -> None:
        if ad_hoc_item(plan) is None:
            self._unresolved(record, index, "no_ad_hoc_item", "milestone", id=record.milestone)
            return
        if full.has_milestone(record.milestone) or full.has_task(record.milestone):
            self._unresolved(record, index, "ad_hoc_collision", "milestone", id=record.milestone)
            return
        for name in record.units:
            if not full.has_unit(name) and full.group(name) is None:
                self._unresolved(record, index, "unknown_assignee", "units", id=name)
                return
        self.tasks = (*self.tasks, record)
        self.in_force[record.id] = ("task", record.milestone, "")

    def _void(self, record: Void, index: int) -> None:
        target = record.target
        self.unresolved.pop(target, None)
        place = self.in_force.pop(target, None)
        if place is None:
            # Not in force: already withdrawn, itself a void, or not read yet.
            self.early_voids.setdefault(target, index)
            return
        kind, first, second = place
        if kind == "unresolved":
            return
        if kind == "task":
            self.tasks = tuple(t for t in self.tasks if t.id != target)
        elif kind == "schedule":
            self.schedules[first] = tuple(s for s in self.schedules[first] if s.id != target)
        elif kind == "submission":
            key = (first, second)
            self.submissions[key] = tuple(s for s in self.submissions[key] if s.id != target)
        else:
            key = (first, second)
            self.extensions[key] = tuple(e for e in self.extensions[key] if e.id != target)

    def _unresolved(
        self, record: LedgerRecord, index: int, code: str, key: str, **args: str
    ) -> None:
        self.unresolved[record.id] = Unresolved(
            index, code, key, tuple(sorted({**args, "record": record.id}.items()))
        )
        self.in_force[record.id] = ("unresolved", "", "")


def _problem(u: Unresolved) -> Problem:
    return Problem(u.code, "ledger", ("records", u.index, u.key), dict(u.args))


def _assigned(plan: Plan, roster: Roster, key: Key) -> bool:
    """Whether a record of this unit for this milestone has a place: the unit owes the
    milestone (directly or through a group), took it over from a unit that owed it, or
    was replaced by a unit that owes it (its own past, kept as its history)."""
    milestone_id, unit_id = key
    assigned = plan.expand(plan.milestone(milestone_id).assignees)
    return unit_id in assigned or any(u in assigned for u in roster.related(unit_id))


def obligations(
    plan: Plan, book: Book, shift: Shift | None = None, *, only: str | None = None
) -> list[Obligation]:
    """Every obligation of the plan and its ad-hoc tasks, in plan order (step 2); with
    `only` (a milestone id), that milestone's alone (a write names one milestone).

    A unit whose life span does not cover a milestone's last day (or the day fixed for
    it) does not owe it, unless it has delivered it already: the obligation is shown as
    not owed. Its heirs (the units that `replaces` it, along a chain, that exist on that
    day) take over that share. A submission the plan gives no obligation to any more — a
    placeholder replaced by several units, a unit replaced while the group now names its
    successor — stays visible as that unit's history and counts as it was recorded (an
    extension alone changes nothing for anyone: it stays in the ledger and its log).
    """
    full = book.plan_with_tasks(plan)
    roster = Roster.of(full)
    to_confirm = unconfirmed_milestones(plan)
    submitted: dict[str, list[str]] = {}  # milestone → units with a submission in force
    for (milestone_id, unit_id), found in book.submissions.items():
        if found:
            submitted.setdefault(milestone_id, []).append(unit_id)
    result: list[Obligation] = []
    for task in full.tasks:
        for milestone in task.milestones:
            if only is not None and milestone.id != only:
                continue
            last = last_day(milestone.deadline, full.rules)
            schedules = book.schedules.get(milestone.id, ())
            base = Obligation(
                task_id=task.id,
                milestone=milestone,
                unit_id="",
                stated=stated_day(milestone.deadline),
                last_day=last,
                shifted=last_day_in_force(milestone.deadline, full.rules, shift),
                schedule=schedules[-1] if schedules else None,
                unconfirmed=milestone.id in to_confirm,
            )
            # The day that decides who owes it: the plan's last day by its words, or the
            # day the committee fixed for an undated milestone.
            day = base.schedule.on if base.schedule is not None else last
            taken: set[str] = set()
            assigned = full.expand(milestone.assignees)
            for unit_id in assigned:
                owed = (
                    day is None
                    or not full.has_unit(unit_id)
                    or full.unit(unit_id).active_on(day)
                    or bool(book.submissions.get((milestone.id, unit_id)))
                )
                result.append(_with_records(base, book, unit_id, owed=owed))
                taken.add(unit_id)
                if owed or day is None:
                    continue
                for heir in roster.heirs(full, unit_id, day):
                    if heir not in taken and heir not in assigned:
                        result.append(_with_records(base, book, heir, inherited=unit_id))
                        taken.add(heir)
            # Submissions no obligation above holds: a replaced unit's own past.
            for unit_id in sorted(set(submitted.get(milestone.id, ())) - taken):
                result.append(_with_records(base, book, unit_id, history=True))
    return result


def _with_records(
    base: Obligation,
    book: Book,
    unit_id: str,
    *,
    owed: bool = True,
    inherited: str | None = None,
    history: bool = False,
) -> Obligation:
    key = (base.milestone.id, unit_id)
    extensions = book.extensions.get(key, ())
    return replace(
        base,
        unit_id=unit_id,
        owed=owed,
        inherited_from=inherited,
        history=history,
        extension=extensions[-1] if extensions else None,
        submissions=book.submissions.get(key, ()),
    )
