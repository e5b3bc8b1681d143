"""The one row model that feeds every machine output (docs/architecture.md, "Machine
outputs"): JSON, CSV, iCalendar, the workbook, and the plain lines cron mails."""

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
    "qualifier",
    "stated_date",
    "last_day",
    "due",
    "due_text",
    "status",
    "submitted_on",
    "reference",
    "days_overdue",
    "days_late",
    "days_left",
    "extended",
    "recipients",
)


@dataclass(frozen=True, slots=True)
class Row:
    """One obligation as scripts and spreadsheets see it: plain values, no plan needed.

    `stated_date` is the day the plan's words name, `qualifier` the word before it
    ("xong trước"), `last_day` the last day by the plan's counting rule and, when the
    plan moves deadlines off days off, after that move; `due` is the day the obligation
    is judged against (an extension or a scheduled day included).
    """

    task_id: str
    task_title: str
    milestone_id: str
    milestone_title: str
    unit_id: str
    unit_name: str
    kind: str
    qualifier: str
    stated_date: date | None
    last_day: date | None
    due: date | None
    due_text: str
    status: Status
    submitted_on: date | None
    reference: str | None
    days_overdue: int | None
    days_late: int | None
    days_left: int | None
    extended: bool
    recipients: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """The row with ISO dates, status codes and lists, keys in contract order."""
        out: dict[str, Any] = {}
        for key in ROW_KEYS:
            value = getattr(self, key)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Status):
                value = value.value
            elif isinstance(value, tuple):
                value = list(value)
            out[key] = value
        return out


def to_row(plan: Plan, judged: Judged) -> Row:
    """The row of one judged obligation; the submission is the one that counts as of
    the judging day, so a report received later is not shown yet."""
    o = judged.obligation
    m = o.milestone
    sub = judged.submission
    return Row(
        task_id=o.task_id,
        task_title=plan.task(o.task_id).title,
        milestone_id=m.id,
        milestone_title=m.title,
        unit_id=o.unit_id,
        unit_name=plan.unit_name(o.unit_id),
        kind=m.deadline.kind,
        qualifier=m.deadline.qualifier,
        stated_date=o.stated,
        last_day=o.planned,
        due=o.due,
        due_text=m.deadline.text,
        status=judged.status,
        submitted_on=sub.on if sub else None,
        reference=sub.reference if sub else None,
        days_overdue=judged.days_overdue,
        days_late=judged.days_late,
        days_left=judged.days_left,
        extended=o.extended,
        recipients=m.recipients,
    )


def document(plan: Plan, as_of: date, rows: list[Row]) -> dict[str, Any]:
    """The JSON document of `export`, `overdue` and the listings: as_of, plan, rows."""
    info = plan.info
    return {
        "as_of": as_of.isoformat(),
        "plan": {
            "id": info.id,
            "number": info.number,
            "title": info.title,
            "issued_on": info.issued_on.isoformat(),
            "issuer": info.issuer,
            "before_rule": plan.rules.before.value,
            "shift_to_working_day": plan.rules.shift_to_working_day,
        },
        "obligations": [r.as_json() for r in rows],
    }
