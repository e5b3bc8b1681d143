"""Checks of meaning: a plan whose parts fit together (beancount's `ops/validation.py`
habit: plain functions, each returning every problem it finds).

The loader runs `plan_problems` for every command. The ledger's records are checked
where they are read, record by record, by `core.obligations.Book` (a record that points
nowhere, read through the plan's mappings), so `status` states what `check` lists
(docs/architecture.md, "Problems").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kttn_cli.core.dates import YEARS, show_date
from kttn_cli.core.deadlines import DATE_QUALIFIERS, QUARTER_QUALIFIERS
from kttn_cli.core.model import Milestone, Plan
from kttn_cli.core.problems import Loc, Problem
from kttn_cli.core.recurrence import file_milestones
from kttn_cli.core.roster import Roster

__all__ = ["file_milestones", "plan_problems", "unconfirmed_milestones"]


def plan_problems(plan: Plan) -> list[Problem]:
    """Every problem of meaning in a plan whose shape is valid."""
    found: list[Problem] = []

    def add(code: str, where: Loc, related: Loc | None = None, **args: object) -> None:
        found.append(Problem(code, "plan", where, args, related=related))

    def outside(day: date | None, where: Loc) -> None:
        # Far from the calendar's ends, where the day before or a week later does not
        # exist (the years a person may type, `core.dates.YEARS`).
        if day is not None and day.year not in YEARS:
            add("date_out_of_range", where, value=show_date(day), first=YEARS[0], last=YEARS[-1])

    for name in ("days_off", "working_days"):
        for day in sorted(getattr(plan.rules, name)):
            outside(day, ("deadline_rules", name))
    units: dict[str, int] = {}
    for i, unit in enumerate(plan.units):
        outside(unit.active_from, ("units", i, "active_from"))
        outside(unit.active_until, ("units", i, "active_until"))
        if unit.id in units:
            add("duplicate_id", ("units", i, "id"), ("units", units[unit.id], "id"), id=unit.id)
        units.setdefault(unit.id, i)
        if unit.active_from and unit.active_until and unit.active_from > unit.active_until:
            add("life_span_reversed", ("units", i, "active_until"), id=unit.id)
        for k, old in enumerate(unit.replaces):
            if old == unit.id:
                add("replaces_itself", ("units", i, "replaces", k), id=unit.id)
    for cycle in Roster.of(plan).cycles():
        add("replaces_cycle", ("units", units[cycle[0]], "replaces"), cycle=" → ".join(cycle))
    groups: dict[str, int] = {}
    for i, group in enumerate(plan.groups):
        if group.id in groups or group.id in units:
            add("duplicate_id", ("groups", i, "id"), id=group.id)
        groups.setdefault(group.id, i)
        for k, member in enumerate(group.members):
            if member not in units:
                add("unknown_unit", ("groups", i, "members", k), id=member)

    tasks: set[str] = set()
    ad_hoc_items = 0
    for i, task in enumerate(plan.tasks):
        if task.id in tasks:
            add("duplicate_id", ("tasks", i, "id"), id=task.id)
        tasks.add(task.id)
        if task.ad_hoc:
            ad_hoc_items += 1
            if ad_hoc_items > 1:
                add("second_ad_hoc_item", ("tasks", i, "ad_hoc"), id=task.id)

    seen: dict[str, Loc] = {}
    placed = list(file_milestones(plan))
    for loc, milestone in placed:
        if milestone.id in tasks or (milestone.id in seen and seen[milestone.id] != loc):
            add("duplicate_id", (*loc, "id"), seen.get(milestone.id), id=milestone.id)
        seen.setdefault(milestone.id, loc)
    aliases: dict[str, str] = {}
    reported: set[Loc] = set()
    for loc, milestone in placed:
        if loc in reported:  # the occurrences of one repeating milestone share a table
            continue
        reported.add(loc)
        outside(milestone.deadline.stated, (*loc, "due", "date"))
        _deadline_problems(add, loc, milestone)
        for k, name in enumerate(milestone.assignees):
            if name not in units and name not in groups:
                add("unknown_assignee", (*loc, "assignees", k), id=name)
        for k, name in enumerate(milestone.recipients):
            if name not in units:
                add("unknown_unit", (*loc, "recipients", k), id=name)
        for k, name in enumerate(milestone.inputs):
            if name not in seen:
                add("unknown_milestone", (*loc, "inputs", k), id=name)
        for k, old in enumerate(milestone.renamed_from):
            if old in seen or (old in aliases and aliases[old] != milestone.id):
                add("renamed_from_taken", (*loc, "renamed_from", k), id=old)
            aliases.setdefault(old, milestone.id)
    found.extend(_input_cycles(placed))
    for where in plan.info.unconfirmed:
        found.append(Problem("unconfirmed_date", "plan", key_path(where), {}, blocking=False))
    return found


def key_path(dotted: str) -> Loc:
    """`tasks.3.milestones.0.due.date` → `("tasks", 3, "milestones", 0, "due", "date")`."""
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def unconfirmed_milestones(plan: Plan) -> frozenset[str]:
    """The milestones whose deadline holds a date still to confirm (`plan.unconfirmed`:
    copied from another plan by `kttn init --from`): a path inside a milestone's table
    (its `due`, its `repeat`) marks it."""
    if not plan.info.unconfirmed:
        return frozenset()
    paths = [key_path(p) for p in plan.info.unconfirmed]
    return frozenset(
        milestone.id
        for loc, milestone in file_milestones(plan)
        if any(path[: len(loc)] == loc and len(path) > len(loc) for path in paths)
    )


def _deadline_problems(report: Callable[..., None], loc: Loc, milestone: Milestone) -> None:
    deadline = milestone.deadline
    if deadline.kind == "quarter":
        if deadline.quarter is not None and not 1 <= deadline.quarter <= 4:
            report("bad_quarter", (*loc, "due", "quarter"), quarter=deadline.quarter)
        if deadline.qualifier not in QUARTER_QUALIFIERS:
            report("bad_qualifier", (*loc, "due", "qualifier"), value=deadline.qualifier)
    elif deadline.kind == "date":
        if deadline.qualifier not in DATE_QUALIFIERS:
            report("bad_qualifier", (*loc, "due", "qualifier"), value=deadline.qualifier)
        if deadline.stated is None and milestone.repeat_of is None:
            report("date_missing", (*loc, "due"))


def _input_cycles(placed: list[tuple[Loc, Milestone]]) -> list[Problem]:
    """Each cycle among `inputs` once, at the `inputs` of the milestone that closes it.

    Iterative depth-first search: a chain of thousands of milestones must not exhaust
    the interpreter's recursion limit.
    """
    where: dict[str, Loc] = {}
    inputs: dict[str, list[str]] = {}
    for loc, milestone in placed:
        if milestone.id not in where:
            where[milestone.id] = loc
            inputs[milestone.id] = list(milestone.inputs)
    inputs = {k: [n for n in v if n in where] for k, v in inputs.items()}
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in inputs:
        if start in state:
            continue
        path = [start]
        state[start] = 1
        stack = [iter(inputs[start])]
        while stack:
            node = path[-1]
            step = next(stack[-1], None)
            if step is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(step) == 1:
                cycle = [*path[path.index(step) :], step]
                problems.append(
                    Problem(
                        "input_cycle",
                        "plan",
                        (*where[node], "inputs"),
                        {"cycle": " → ".join(cycle)},
                    )
                )
            elif step not in state:
                state[step] = 1
                path.append(step)
                stack.append(iter(inputs[step]))
    return problems
