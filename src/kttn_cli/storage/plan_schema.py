"""The plan file format: pydantic models (shape) and semantic checks (meaning).

`kttn schema` prints the JSON Schema of `PlanFile`; the bundled plan's `#:schema` line
points to a committed copy that a test keeps equal to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64),
    Field(description="ASCII identifier: letters, digits, '.', '_' and '-'"),
]
Text = Annotated[str, StringConstraints(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Signer(Strict):
    name: Text = Field(description="The signer's name as written in the document")
    title: Text = Field(description="The signer's title(s) as written")


class PlanMeta(Strict):
    id: Id = Field(description="Short id of this plan; names its ledger file")
    number: Text = Field(description="Document number as written, e.g. 01-KH/BCĐ")
    title: Text
    issued_on: dt.date
    place: Text
    issuer: Text = Field(description="The issuing body as written in the header")
    signer: Signer
    implements: list[Text] = Field(
        default_factory=list, description="The decisions and rules the plan implements"
    )
    warn_days: int = Field(default=7, ge=0, le=366, description="Warning window in days")


class CalendarSettings(Strict):
    shift_to_working_day: bool = Field(
        default=False,
        description="Move a deadline that falls on a weekend or Vietnamese public holiday "
        "to the next working day (Civil Code 2015, Art. 148)",
    )
    days_off: list[dt.date] = Field(default_factory=list, description="Extra days off")
    working_days: list[dt.date] = Field(
        default_factory=list, description="Make-up working days (weekend days worked)"
    )


UnitKind = Literal[
    "steering_committee",
    "standing_office",
    "party_committee",
    "district_committee",
    "agency",
    "collective",
]


class UnitModel(Strict):
    id: Id
    name: Text = Field(description="Vietnamese name")
    short: Text | None = Field(default=None, description="Short name, e.g. Văn Lâm")
    kind: UnitKind
    email: list[Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")]] = Field(
        default_factory=list
    )


class GroupModel(Strict):
    id: Id
    name: Text
    members: list[Id] = Field(min_length=1)


class DateDue(Strict):
    kind: Literal["date"]
    date: dt.date


class QuarterDue(Strict):
    kind: Literal["quarter"]
    # The I–IV range is a semantic check so that its message can say so in words.
    quarter: int
    year: int = Field(ge=2000, le=2100)


class OpenDue(Strict):
    kind: Literal["ongoing", "on_request", "none"]


Due = Annotated[DateDue | QuarterDue | OpenDue, Field(discriminator="kind")]


class MilestoneModel(Strict):
    id: Id
    title: Text
    due: Due
    due_text: str = Field(description="The plan's own wording of the deadline")
    assignees: list[Id] = Field(description="Units or groups that owe this deliverable")
    recipient: Id | None = Field(default=None, description="The unit that receives it")
    warn_days: int | None = Field(default=None, ge=0, le=366)
    inputs: list[Id] = Field(
        default_factory=list,
        description="Milestones whose results this one consolidates",
    )
    source: Text = Field(description="Where it stands in the document")


class TaskModel(Strict):
    id: Id = Field(description="The plan's numbering, e.g. II.4 or III.2")
    section: Text
    title: Text
    text: Text = Field(description="The plan's original wording")
    source: Text
    milestones: list[MilestoneModel] = Field(default_factory=list)


class PlanFile(Strict):
    """A plan: the document, its units and groups, its tasks and their milestones."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="kttn plan",
        json_schema_extra={"$id": "https://kttn.invalid/plan.schema.json"},
    )

    schema_version: Literal[1]
    plan: PlanMeta
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    units: list[UnitModel] = Field(min_length=1)
    groups: list[GroupModel] = Field(default_factory=list)
    tasks: list[TaskModel] = Field(min_length=1)


Loc = tuple[str | int, ...]
# (where, message key of kttn_cli.i18n, its parameters)
Problem = tuple[Loc, str, dict[str, Any]]


def semantic_problems(plan: PlanFile | dict[str, Any]) -> list[Problem]:
    """Checks beyond shape, each as (key path, message key, its parameters).

    Returns every problem at once: duplicate or unknown ids, quarters outside I–IV,
    milestones with no assignee, cycles among `inputs`. Also accepts the plain document
    when its shape is wrong, so that `kttn check` reports meaning and shape problems
    together; whatever is malformed there is left to the shape check.
    """
    data = plan.model_dump() if isinstance(plan, PlanFile) else plan
    problems: list[Problem] = []
    units = _tables(data.get("units"))
    groups = _tables(data.get("groups"))
    tasks = _tables(data.get("tasks"))
    unit_ids: dict[str, int] = {}
    for i, unit in units:
        ident = unit.get("id")
        if not isinstance(ident, str):
            continue
        if ident in unit_ids:
            problems.append((("units", i, "id"), "duplicate_id", {"id": ident}))
        unit_ids.setdefault(ident, i)
    group_ids: dict[str, int] = {}
    for i, group in groups:
        ident = group.get("id")
        if isinstance(ident, str):
            if ident in group_ids or ident in unit_ids:
                problems.append((("groups", i, "id"), "duplicate_id", {"id": ident}))
            group_ids.setdefault(ident, i)
        for j, member in _strings(group.get("members")):
            if member not in unit_ids:
                problems.append((("groups", i, "members", j), "unknown_unit", {"id": member}))
    task_ids: set[str] = set()
    milestones: list[tuple[Loc, dict[str, Any]]] = []
    milestone_ids: dict[str, Loc] = {}
    for i, task in tasks:
        ident = task.get("id")
        if isinstance(ident, str):
            if ident in task_ids:
                problems.append((("tasks", i, "id"), "duplicate_id", {"id": ident}))
            task_ids.add(ident)
        for j, ms in _tables(task.get("milestones")):
            loc: Loc = ("tasks", i, "milestones", j)
            milestones.append((loc, ms))
            ident = ms.get("id")
            if not isinstance(ident, str):
                continue
            if ident in milestone_ids or ident in task_ids:
                problems.append(((*loc, "id"), "duplicate_id", {"id": ident}))
            milestone_ids.setdefault(ident, loc)
    for loc, ms in milestones:
        due = ms.get("due")
        if isinstance(due, dict) and due.get("kind") == "quarter":
            quarter = due.get("quarter")
            if isinstance(quarter, int) and not 1 <= quarter <= 4:
                problems.append(((*loc, "due", "quarter"), "bad_quarter", {"quarter": quarter}))
        assignees = ms.get("assignees")
        if isinstance(assignees, list) and not assignees:
            problems.append(((*loc, "assignees"), "no_assignee", {}))
        for k, name in _strings(assignees):
            if name not in unit_ids and name not in group_ids:
                problems.append(((*loc, "assignees", k), "unknown_assignee", {"id": name}))
        recipient = ms.get("recipient")
        if isinstance(recipient, str) and recipient not in unit_ids:
            problems.append(((*loc, "recipient"), "unknown_unit", {"id": recipient}))
        for k, name in _strings(ms.get("inputs")):
            if name not in milestone_ids:
                problems.append(((*loc, "inputs", k), "unknown_milestone", {"id": name}))
    problems.extend(_input_cycles(milestones, milestone_ids))
    return problems


def _tables(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def _strings(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]


def _input_cycles(
    milestones: list[tuple[Loc, dict[str, Any]]], where: dict[str, Loc]
) -> list[Problem]:
    """Each cycle among `inputs` once, at the `inputs` of the milestone that closes it."""
    inputs: dict[str, list[str]] = {}
    for loc, ms in milestones:
        ident = ms.get("id")
        # A duplicated id is reported as such; its second owner's inputs are not a cycle.
        if isinstance(ident, str) and where.get(ident) == loc:
            inputs[ident] = [name for _, name in _strings(ms.get("inputs")) if name in where]
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in inputs.get(node, []):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                problems.append(
                    ((*where[node], "inputs"), "input_cycle", {"cycle": " → ".join(cycle)})
                )
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in inputs:
        if node not in state:
            visit(node, [node])
    return problems
