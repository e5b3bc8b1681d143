"""The plan and the ledger as the core sees them: immutable values, already validated.

The file formats live in `kttn_cli.schema`; each schema model converts itself into these
objects, so the core never sees a file's key names (docs/architecture.md, "Layers").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

DeadlineKind = Literal["date", "quarter", "ongoing", "on_request", "when_arises", "none"]
# Kinds with a day the plan states (a quarter states its period, whose last day counts).
DATED_KINDS: frozenset[str] = frozenset({"date", "quarter"})
# Kinds the plan leaves without a day; the committee may fix one later (`kttn schedule`).
OPEN_KINDS: frozenset[str] = frozenset({"ongoing", "on_request", "when_arises", "none"})
ROMAN = ("I", "II", "III", "IV")


class Status(StrEnum):
    """Status of one obligation as of a date (docs/architecture.md, "Status")."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    LATE = "late"
    ON_TIME = "on_time"
    DONE = "done"
    UNDATED = "undated"
    NOT_OWED = "not_owed"


class BeforeRule(StrEnum):
    """How a plan counts "trước ngày X" (before day X)."""

    EXCLUSIVE = "exclusive"  # the literal reading: the last day is X−1
    INCLUSIVE = "inclusive"  # day X itself still counts


@dataclass(frozen=True, slots=True)
class Deadline:
    """A milestone's deadline as the plan writes it.

    `stated` is the day the words name ("xong trước 30/6/2024" → 30/06/2024); a quarter
    names its period instead. `qualifier` is the plan's word before the date ("trước",
    "xong trước", "chậm nhất", "vào ngày"; "trong" for a quarter), `text` the plan's whole
    wording. `core.deadlines` turns these into the last day.
    """

    kind: DeadlineKind
    text: str = ""
    stated: dt.date | None = None
    qualifier: str = ""
    quarter: int | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class DeadlineRules:
    """The plan's counting rules, stated once for every deadline."""

    before: BeforeRule = BeforeRule.EXCLUSIVE
    # Civil Code 2015, Art. 148: a period whose last day is a day off ends on the next
    # working day. Only when the plan says so.
    shift_to_working_day: bool = False
    days_off: frozenset[dt.date] = frozenset()
    working_days: frozenset[dt.date] = frozenset()


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name: str
    kind: str
    short: str | None = None  # tên viết tắt, e.g. "Văn Lâm"
    email: tuple[str, ...] = ()
    active_from: dt.date | None = None
    active_until: dt.date | None = None
    replaces: tuple[str, ...] = ()  # units (or placeholders) this one takes over from

    @property
    def label(self) -> str:
        return self.short or self.name

    def active_on(self, day: dt.date) -> bool:
        """Whether the unit exists on `day` (both ends included)."""
        if self.active_from is not None and day < self.active_from:
            return False
        return self.active_until is None or day <= self.active_until


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Inference:
    """A fact the plan file infers rather than reads in the text, and where from."""

    what: str  # the field inferred: "inputs", "assignees", "recipients", "deadline"
    basis: str  # where the inference comes from, e.g. "Mục III, điểm 3"


PeriodKind = Literal["month", "quarter", "half", "year"]


@dataclass(frozen=True, slots=True)
class Period:
    """One period of a repeating deadline: month 5, quarter 2, half 1 or the year 2025."""

    kind: PeriodKind
    index: int
    year: int


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    task_id: str
    title: str
    deadline: Deadline
    assignees: tuple[str, ...]
    recipients: tuple[str, ...]
    source: str
    warn_days: int | None = None
    inputs: tuple[str, ...] = ()
    inferred: tuple[Inference, ...] = ()
    renamed_from: tuple[str, ...] = ()
    assigned_by: str | None = None  # an ad-hoc task: the document that assigned it
    repeat_of: str | None = None  # an occurrence of a repeating milestone: its base id
    period: Period | None = None  # an occurrence's period, e.g. quarter II of 2025
    short: str | None = None  # a short title for narrow places (a board's column)

    @property
    def label(self) -> str:
        return self.short or self.id


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    section: str
    title: str
    text: str
    source: str
    milestones: tuple[Milestone, ...]
    ad_hoc: bool = False  # the plan's item for ad-hoc tasks (`kttn task add` adds here)


@dataclass(frozen=True, slots=True)
class Signer:
    name: str
    title: str


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """The plan document's identity: what heads every view and export."""

    id: str
    number: str
    title: str
    issued_on: dt.date
    place: str
    issuer: str  # the issuing body as the running text names it ("Ban Chỉ đạo tỉnh")
    header: tuple[str, ...]  # the header block, line by line, as printed
    signer: Signer
    basis: tuple[str, ...] = ()  # the documents it implements (căn cứ)
    purpose: tuple[str, ...] = ()  # I.1 Mục đích
    requirements: tuple[str, ...] = ()  # I.2 Yêu cầu
    distribution: tuple[str, ...] = ()  # Nơi nhận
    starts_on: dt.date | None = None  # when records may begin, if not the issue date
    unconfirmed: tuple[str, ...] = ()  # key paths of dates copied from another plan

    @property
    def records_from(self) -> dt.date:
        return self.starts_on or self.issued_on


@dataclass(frozen=True)
class Plan:
    info: PlanInfo
    warn_days: int
    rules: DeadlineRules
    units: tuple[Unit, ...]
    groups: tuple[Group, ...]
    tasks: tuple[Task, ...]
    # Indexes, built once from the fields above; not compared, not shown, not stored.
    _units: dict[str, Unit] = field(init=False, compare=False, repr=False)
    _groups: dict[str, Group] = field(init=False, compare=False, repr=False)
    _milestones: dict[str, Milestone] = field(init=False, compare=False, repr=False)
    _tasks: dict[str, Task] = field(init=False, compare=False, repr=False)
    # expand()'s answers: asked once per ledger record, the same few lists over and over.
    _expanded: dict[tuple[str, ...], tuple[str, ...]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Frozen: the indexes are set once, here.
        object.__setattr__(self, "_units", {u.id: u for u in self.units})
        object.__setattr__(self, "_groups", {g.id: g for g in self.groups})
        object.__setattr__(self, "_tasks", {t.id: t for t in self.tasks})
        object.__setattr__(self, "_expanded", {})
        milestones = {m.id: m for t in self.tasks for m in t.milestones}
        object.__setattr__(self, "_milestones", milestones)

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        return tuple(m for t in self.tasks for m in t.milestones)

    def unit(self, unit_id: str) -> Unit:
        return self._units[unit_id]

    def has_unit(self, unit_id: str) -> bool:
        return unit_id in self._units

    def unit_label(self, unit_id: str) -> str:
        """A unit's short name; a unit the plan no longer lists keeps its id."""
        unit = self._units.get(unit_id)
        return unit.label if unit else unit_id

    def unit_name(self, unit_id: str) -> str:
        unit = self._units.get(unit_id)
        return unit.name if unit else unit_id

    def group(self, group_id: str) -> Group | None:
        return self._groups.get(group_id)

    def task(self, task_id: str) -> Task:
        return self._tasks[task_id]

    def has_task(self, task_id: str) -> bool:
        return task_id in self._tasks

    def milestone(self, milestone_id: str) -> Milestone:
        return self._milestones[milestone_id]

    def has_milestone(self, milestone_id: str) -> bool:
        return milestone_id in self._milestones

    def expand(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Unit ids named directly or through groups, in order, without repeats."""
        found = self._expanded.get(names)
        if found is None:
            seen: dict[str, None] = {}
            for name in names:
                group = self._groups.get(name)
                for unit_id in group.members if group else (name,):
                    seen.setdefault(unit_id, None)
            found = self._expanded[names] = tuple(seen)
        return found


# --- ledger records -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Record:
    """Fields every ledger record carries."""

    id: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class Submission(Record):
    """A deliverable received (a report sent, a conference held, a document issued)."""

    milestone: str
    unit: str
    on: dt.date
    reference: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Void(Record):
    """A record withdrawn; the withdrawn record stays in the ledger for audit."""

    target: str
    reason: str


@dataclass(frozen=True, slots=True)
class Extension(Record):
    """A deadline extension (gia hạn) for one unit's share of a milestone."""

    milestone: str
    unit: str
    to: dt.date
    reason: str
    after_submission: bool = False  # recorded with --force over a received deliverable


@dataclass(frozen=True, slots=True)
class Schedule(Record):
    """The day the committee fixed for a milestone the plan leaves undated."""

    milestone: str
    on: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class AdHocTask(Record):
    """An ad-hoc task (nhiệm vụ đột xuất), assigned by some document."""

    milestone: str
    title: str
    due: dt.date | None
    units: tuple[str, ...]
    assigned_by: str
    recipient: str | None = None


LedgerRecord = Submission | Void | Extension | Schedule | AdHocTask


def quarter_label(quarter: int, year: int) -> str:
    """The body of a quarter's name: `I/2024` (as in "Quý I/2024")."""
    return f"{ROMAN[quarter - 1]}/{year}"
