"""The plan and ledger as the core sees them: immutable values, already validated.

Storage validates the files (with pydantic) and hands the core plain dictionaries; the
`from_dict` constructors here trust that shape. Keeping pydantic out of the core keeps it
pure and keeps the start-up path light.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

DueKind = Literal["date", "quarter", "ongoing", "on_request", "none"]
DATED_KINDS: frozenset[str] = frozenset({"date", "quarter"})
ROMAN = ("I", "II", "III", "IV")


class Status(StrEnum):
    """Status of one obligation as of a date (DESIGN §3). Order = display order."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    LATE = "late"
    ON_TIME = "on_time"
    DONE = "done"
    UNDATED = "undated"


@dataclass(frozen=True, slots=True)
class Due:
    """A milestone's deadline as the plan gives it."""

    kind: DueKind
    date: dt.date | None = None
    quarter: int | None = None
    year: int | None = None

    @property
    def deadline(self) -> dt.date | None:
        """The last day on which the deliverable is on time, before any shift or extension."""
        if self.kind == "date":
            return self.date
        if self.kind == "quarter" and self.quarter and self.year:
            month = self.quarter * 3
            return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])
        return None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Due:
        return cls(
            kind=data["kind"],
            date=data.get("date"),
            quarter=data.get("quarter"),
            year=data.get("year"),
        )


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name: str
    kind: str
    short: str | None = None
    email: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.short or self.name


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    task_id: str
    title: str
    due: Due
    due_text: str
    assignees: tuple[str, ...]
    recipient: str | None
    source: str
    warn_days: int | None = None
    inputs: tuple[str, ...] = ()
    assigned_by: str | None = None


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    section: str
    title: str
    text: str
    source: str
    milestones: tuple[Milestone, ...]


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """Optional shift of deadlines off weekends and holidays (Civil Code 2015, Art. 148)."""

    shift_to_working_day: bool = False
    days_off: frozenset[dt.date] = frozenset()
    working_days: frozenset[dt.date] = frozenset()


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: str
    number: str
    title: str
    issued_on: dt.date
    place: str
    issuer: str
    signer: str
    signer_title: str
    implements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    info: PlanInfo
    warn_days: int
    calendar: CalendarRules
    units: tuple[Unit, ...]
    groups: tuple[Group, ...]
    tasks: tuple[Task, ...]
    _unit_index: dict[str, Unit] = field(default_factory=dict, compare=False, repr=False)
    _group_index: dict[str, Group] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._unit_index.update((u.id, u) for u in self.units)
        self._group_index.update((g.id, g) for g in self.groups)

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        return tuple(m for t in self.tasks for m in t.milestones)

    def unit(self, unit_id: str) -> Unit:
        return self._unit_index[unit_id]

    def has_unit(self, unit_id: str) -> bool:
        return unit_id in self._unit_index

    def group(self, group_id: str) -> Group | None:
        return self._group_index.get(group_id)

    def task(self, task_id: str) -> Task:
        return next(t for t in self.tasks if t.id == task_id)

    def milestone(self, milestone_id: str) -> Milestone:
        return next(m for m in self.milestones if m.id == milestone_id)

    def expand(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Unit ids named directly or through groups, in order, without repeats."""
        seen: dict[str, None] = {}
        for name in names:
            group = self._group_index.get(name)
            for unit_id in group.members if group else (name,):
                seen.setdefault(unit_id, None)
        return tuple(seen)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Build from the validated plan document (the shape of `storage.plan_schema`)."""
        meta = data["plan"]
        cal = data.get("calendar") or {}
        info = PlanInfo(
            id=meta["id"],
            number=meta["number"],
            title=meta["title"],
            issued_on=meta["issued_on"],
            place=meta["place"],
            issuer=meta["issuer"],
            signer=meta["signer"]["name"],
            signer_title=meta["signer"]["title"],
            implements=tuple(meta.get("implements", ())),
        )
        tasks = tuple(
            Task(
                id=t["id"],
                section=t["section"],
                title=t["title"],
                text=t["text"],
                source=t["source"],
                milestones=tuple(
                    Milestone(
                        id=m["id"],
                        task_id=t["id"],
                        title=m["title"],
                        due=Due.from_dict(m["due"]),
                        due_text=m["due_text"],
                        assignees=tuple(m["assignees"]),
                        recipient=m.get("recipient"),
                        source=m["source"],
                        warn_days=m.get("warn_days"),
                        inputs=tuple(m.get("inputs", ())),
                    )
                    for m in t.get("milestones", ())
                ),
            )
            for t in data["tasks"]
        )
        return cls(
            info=info,
            warn_days=meta.get("warn_days", 7),
            calendar=CalendarRules(
                shift_to_working_day=cal.get("shift_to_working_day", False),
                days_off=frozenset(cal.get("days_off", ())),
                working_days=frozenset(cal.get("working_days", ())),
            ),
            units=tuple(
                Unit(
                    id=u["id"],
                    name=u["name"],
                    kind=u["kind"],
                    short=u.get("short"),
                    email=tuple(u.get("email", ())),
                )
                for u in data["units"]
            ),
            groups=tuple(
                Group(id=g["id"], name=g["name"], members=tuple(g["members"]))
                for g in data.get("groups", ())
            ),
            tasks=tasks,
        )


# --- ledger records -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Record:
    """Fields every ledger record carries."""

    id: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class Submission(Record):
    milestone: str
    unit: str
    on: dt.date
    reference: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Void(Record):
    target: str
    reason: str


@dataclass(frozen=True, slots=True)
class Extension(Record):
    milestone: str
    unit: str
    to: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class AdHocTask(Record):
    """An ad-hoc task under item II.7 (nhiệm vụ đột xuất), assigned by some document."""

    milestone: str
    title: str
    due: dt.date | None
    units: tuple[str, ...]
    assigned_by: str
    recipient: str | None = None


LedgerRecord = Submission | Void | Extension | AdHocTask
# Each record's `type` in the ledger file (and in `kttn log --format json`).
RECORD_TYPES: dict[type[Record], str] = {
    Submission: "submission",
    Void: "void",
    Extension: "extension",
    AdHocTask: "task",
}


def record_from_dict(data: dict[str, Any]) -> LedgerRecord:
    """Build one record from its validated ledger table."""
    common = {
        "id": data["id"],
        "recorded_at": data["recorded_at"],
        "recorded_by": data["recorded_by"],
    }
    kind = data["type"]
    if kind == "submission":
        return Submission(
            **common,
            milestone=data["milestone"],
            unit=data["unit"],
            on=data["on"],
            reference=data.get("reference"),
            note=data.get("note"),
        )
    if kind == "void":
        return Void(**common, target=data["target"], reason=data["reason"])
    if kind == "extension":
        return Extension(
            **common,
            milestone=data["milestone"],
            unit=data["unit"],
            to=data["to"],
            reason=data["reason"],
        )
    return AdHocTask(
        **common,
        milestone=data["milestone"],
        title=data["title"],
        due=data.get("due"),
        units=tuple(data["units"]),
        assigned_by=data["assigned_by"],
        recipient=data.get("recipient"),
    )


def quarter_label(quarter: int, year: int) -> str:
    """`Quý I/2024` style label body: `I/2024`."""
    return f"{ROMAN[quarter - 1]}/{year}"
