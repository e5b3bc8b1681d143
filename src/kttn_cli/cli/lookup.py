"""Turn what a person typed into a unit, milestone or task of the plan, or a clear error."""

from __future__ import annotations

from kttn_cli.core.model import Plan
from kttn_cli.core.resolve import Candidate, Resolution, resolve
from kttn_cli.core.text import nfc
from kttn_cli.errors import UsageError, Word


def unit_candidates(plan: Plan) -> list[Candidate]:
    return [Candidate(u.id, (u.name, *((u.short,) if u.short else ()))) for u in plan.units]


def milestone_candidates(plan: Plan) -> list[Candidate]:
    return [Candidate(m.id, (m.title,)) for m in plan.milestones]


def task_candidates(plan: Plan) -> list[Candidate]:
    return [Candidate(t.id, (t.title,)) for t in plan.tasks]


def _pick(query: str, candidates: list[Candidate], what: str) -> str:
    result: Resolution = resolve(nfc(query), candidates)
    if result.match:
        return result.match.id
    if result.ambiguous:
        raise UsageError(
            "err.ambiguous",
            query=query,
            what=Word(f"what.{what}"),
            candidates=", ".join(c.label for c in result.ambiguous[:8])
            + (" …" if len(result.ambiguous) > 8 else ""),
        )
    if not result.closest:
        raise UsageError(
            "err.no_match_listed", query=query, what=Word(f"what.{what}"), listing=_LISTS[what]
        )
    raise UsageError(
        "err.no_match",
        query=query,
        what=Word(f"what.{what}"),
        candidates=", ".join(c.label for c in result.closest),
    )


# Where to look when nothing typed comes close ("closest: —" told the user nothing).
_LISTS = {
    "unit": "`kttn units`",
    "milestone": "`kttn tasks`",
    "task": "`kttn tasks`",
    "any": "`kttn tasks`, `kttn units`",
}


def find_unit(plan: Plan, query: str) -> str:
    return _pick(query, unit_candidates(plan), "unit")


def find_unit_or_group(plan: Plan, query: str) -> str:
    """A unit or a group (what a milestone can be assigned to), by id or by name."""
    groups = [Candidate(g.id, (g.name,)) for g in plan.groups]
    return _pick(query, [*unit_candidates(plan), *groups], "unit")


def find_milestone(plan: Plan, query: str) -> str:
    return _pick(query, milestone_candidates(plan), "milestone")


def find_task(plan: Plan, query: str) -> str:
    return _pick(query, task_candidates(plan), "task")


def find_any(plan: Plan, query: str) -> tuple[str, str]:
    """("task" | "milestone" | "unit", id) for a task, milestone or unit."""
    tagged = [
        *(Candidate(f"task:{c.id}", c.names) for c in task_candidates(plan)),
        *(Candidate(f"milestone:{c.id}", c.names) for c in milestone_candidates(plan)),
        *(Candidate(f"unit:{c.id}", c.names) for c in unit_candidates(plan)),
    ]
    # Ids are matched without their tag, so `show II.4` finds the task.
    plain = [Candidate(c.id.split(":", 1)[1], c.names) for c in tagged]
    result = resolve(nfc(query), plain)
    matches = [result.match] if result.match else list(result.ambiguous)
    if len(matches) == 1 and matches[0] is not None:
        index = plain.index(matches[0])
        kind, ident = tagged[index].id.split(":", 1)
        return kind, ident
    return "", _pick(query, plain, "any")
