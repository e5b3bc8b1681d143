"""The one row model that feeds every output format (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kttn_cli.core.model import Plan, Status
from kttn_cli.core.status import Judged

# The machine contract: these keys, in this order, in JSON objects and as the CSV header.
ROW_KEYS = (
    "task_id",
    "task_title",
    "milestone_id",
    "milestone_title",
    "unit_id",
    "unit_name",
    "kind",
    "due",
    "due_text",
    "planned_due",
    "status",
    "submitted_on",
    "reference",
    "days_overdue",
    "days_late",
    "recipient_id",
)


@dataclass(frozen=True, slots=True)
class Row:
    """One obligation as scripts and spreadsheets see it: plain values, no Rich, no plan."""

    task_id: str
    task_title: str
    milestone_id: str
    milestone_title: str
    unit_id: str
    unit_name: str
    kind: str
    due: date | None
    due_text: str
    planned_due: date | None
    status: Status
    submitted_on: date | None
    reference: str | None
    days_overdue: int | None
    days_late: int | None
    recipient_id: str | None

    def as_json(self) -> dict[str, Any]:
        """The row with ISO dates and status codes, keys in contract order."""
        out: dict[str, Any] = {}
        for key in ROW_KEYS:
            value = getattr(self, key)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Status):
                value = value.value
            out[key] = value
        return out


def to_row(plan: Plan, judged: Judged) -> Row:
    """The row of one judged obligation: `due` is the deadline in force (shifted or
    extended), `planned_due` the plan's own; the submission is the one that counts as of
    the judging date, so a report received later is not shown yet."""
    o = judged.obligation
    sub = judged.submission
    return Row(
        task_id=o.task.id,
        task_title=o.task.title,
        milestone_id=o.milestone.id,
        milestone_title=o.milestone.title,
        unit_id=o.unit_id,
        unit_name=plan.unit(o.unit_id).name,
        kind=o.milestone.due.kind,
        due=o.due,
        due_text=o.milestone.due_text,
        planned_due=o.planned_due,
        status=judged.status,
        submitted_on=sub.on if sub else None,
        reference=sub.reference if sub else None,
        days_overdue=judged.days_overdue,
        days_late=judged.days_late,
        recipient_id=o.milestone.recipient,
    )


def document(plan: Plan, as_of: date, rows: list[Row]) -> dict[str, Any]:
    """The JSON document of `export` and `overdue`: as_of, plan, obligations."""
    return {
        "as_of": as_of.isoformat(),
        "plan": {"id": plan.info.id, "number": plan.info.number, "title": plan.info.title},
        "obligations": [r.as_json() for r in rows],
    }
