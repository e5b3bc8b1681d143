"""Turn what a person typed into a unit, milestone or task of the plan, or a clear error."""

from __future__ import annotations

from kttn_cli.core.model import Plan
from kttn_cli.core.resolve import Candidate, Resolution, resolve
from kttn_cli.core.text import nfc
from kttn_cli.errors import Phrase, UsageError
from kttn_cli.i18n import N_


def unit_candidates(plan: Plan) -> list[Candidate]:
    return [
        Candidate(u.id, (u.name, *((u.short,) if u.short else ())), u.replaces) for u in plan.units
    ]


def milestone_candidates(plan: Plan) -> list[Candidate]:
    return [
        Candidate(m.id, (m.title, *((m.short,) if m.short else ())), m.renamed_from)
        for m in plan.milestones
    ]


def task_candidates(plan: Plan) -> list[Candidate]:
    return [Candidate(t.id, (t.title,)) for t in plan.tasks]


# "matches several milestones": the plural of each kind of thing, for ambiguous names.
_SEVERAL = {
    "unit": N_("{query!r} matches several units: {candidates}; use the id"),
    "milestone": N_("{query!r} matches several milestones: {candidates}; use the id"),
    "task": N_("{query!r} matches several tasks: {candidates}; use the id"),
    "any": N_("{query!r} matches several tasks, milestones or units: {candidates}; use the id"),
}
_WHAT = {
    "unit": N_("unit"),
    "milestone": N_("milestone"),
    "task": N_("task"),
    "any": N_("task, milestone or unit"),
}


def _pick(query: str, candidates: list[Candidate], what: str) -> str:
    result: Resolution = resolve(nfc(query), candidates)
    if result.match:
        return result.match.id
    if result.ambiguous:
        raise UsageError(
            _SEVERAL[what],
            query=query,
            candidates=", ".join(c.label for c in result.ambiguous[:8])
            + (" …" if len(result.ambiguous) > 8 else ""),
        )
    if not result.closest:
        raise UsageError(
            N_("no {what} matches {query!r}; see the list: {listing}"),
            query=query,
            what=Phrase(_WHAT[what]),
            listing=_LISTS[what],
        )
    raise UsageError(
        N_("no {what} matches {query!r}; closest: {candidates}"),
        query=query,
        what=Phrase(_WHAT[what]),
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
        *(
            Candidate(f"milestone:{c.id}", c.names, c.former_ids)
            for c in milestone_candidates(plan)
        ),
        *(Candidate(f"unit:{c.id}", c.names, c.former_ids) for c in unit_candidates(plan)),
    ]
    # Ids are matched without their tag, so `show II.4` finds the task.
    plain = [Candidate(c.id.split(":", 1)[1], c.names, c.former_ids) for c in tagged]
    result = resolve(nfc(query), plain)
    matches = [result.match] if result.match else list(result.ambiguous)
    if len(matches) == 1 and matches[0] is not None:
        index = plain.index(matches[0])
        kind, ident = tagged[index].id.split(":", 1)
        return kind, ident
    return "", _pick(query, plain, "any")
