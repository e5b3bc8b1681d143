"""The plan file format: pydantic models (shape) and semantic checks (meaning).

`kttn schema` prints the JSON Schema of `PlanFile`; the bundled plan's `#:schema` line
points to a committed copy that a test keeps equal to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_VERSION = 1

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


def semantic_problems(plan: PlanFile) -> list[Problem]:
    """Checks beyond shape, each as (key path, English message key + args).

    Returns every problem at once: duplicate or unknown ids, quarters outside I–IV,
    milestones with no assignee, cycles among `inputs`.
    """
    problems: list[Problem] = []
    unit_ids: dict[str, int] = {}
    for i, unit in enumerate(plan.units):
        if unit.id in unit_ids:
            problems.append((("units", i, "id"), "duplicate_id", {"id": unit.id}))
        unit_ids.setdefault(unit.id, i)
    group_ids: dict[str, int] = {}
    for i, group in enumerate(plan.groups):
        if group.id in group_ids or group.id in unit_ids:
            problems.append((("groups", i, "id"), "duplicate_id", {"id": group.id}))
        group_ids.setdefault(group.id, i)
        for j, member in enumerate(group.members):
            if member not in unit_ids:
                problems.append(
                    (("groups", i, "members", j), "unknown_unit", {"id": member})
                )
    task_ids: set[str] = set()
    milestone_ids: dict[str, Loc] = {}
    for i, task in enumerate(plan.tasks):
        if task.id in task_ids:
            problems.append((("tasks", i, "id"), "duplicate_id", {"id": task.id}))
        task_ids.add(task.id)
        for j, ms in enumerate(task.milestones):
            loc: Loc = ("tasks", i, "milestones", j)
            if ms.id in milestone_ids or ms.id in task_ids:
                problems.append(((*loc, "id"), "duplicate_id", {"id": ms.id}))
            milestone_ids.setdefault(ms.id, loc)
    for i, task in enumerate(plan.tasks):
        for j, ms in enumerate(task.milestones):
            loc = ("tasks", i, "milestones", j)
            if isinstance(ms.due, QuarterDue) and not 1 <= ms.due.quarter <= 4:
                problems.append(
                    ((*loc, "due", "quarter"), "bad_quarter", {"quarter": ms.due.quarter})
                )
            if not ms.assignees:
                problems.append(((*loc, "assignees"), "no_assignee", {}))
            for k, name in enumerate(ms.assignees):
                if name not in unit_ids and name not in group_ids:
                    problems.append(
                        ((*loc, "assignees", k), "unknown_assignee", {"id": name})
                    )
            if ms.recipient is not None and ms.recipient not in unit_ids:
                problems.append(((*loc, "recipient"), "unknown_unit", {"id": ms.recipient}))
            for k, name in enumerate(ms.inputs):
                if name not in milestone_ids:
                    problems.append(((*loc, "inputs", k), "unknown_milestone", {"id": name}))
    problems.extend(_input_cycles(plan, milestone_ids))
    return problems


def _input_cycles(plan: PlanFile, where: dict[str, Loc]) -> list[Problem]:
    inputs = {ms.id: [i for i in ms.inputs if i in where] for t in plan.tasks for ms in t.milestones}
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
