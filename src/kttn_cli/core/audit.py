"""Checks of the ledger against the plan: every record must name things that exist."""

from __future__ import annotations

from typing import Any

from kttn_cli.core.model import AdHocTask, Extension, Plan, Submission, Void
from kttn_cli.core.status import Ledger, with_ad_hoc_tasks

# (record index, field, message id, parameters)
RecordProblem = tuple[int, str, str, dict[str, Any]]


def reference_problems(plan: Plan, ledger: Ledger) -> list[RecordProblem]:
    """Records naming an unknown milestone, unit or record, or a unit the milestone
    is not assigned to."""
    full = with_ad_hoc_tasks(plan, ledger)
    assigned = {m.id: set(full.expand(m.assignees)) for m in full.milestones}
    ids = {r.id for r in ledger.records}
    problems: list[RecordProblem] = []
    for index, record in enumerate(ledger.records):
        if isinstance(record, Submission | Extension):
            if record.milestone not in assigned:
                problems.append((index, "milestone", "unknown_milestone", {"id": record.milestone}))
            elif record.unit not in assigned[record.milestone]:
                problems.append(
                    (
                        index,
                        "unit",
                        "not_assigned",
                        {"unit": record.unit, "milestone": record.milestone},
                    )
                )
        elif isinstance(record, Void):
            if record.target not in ids:
                problems.append((index, "target", "unknown_target", {"id": record.target}))
        elif isinstance(record, AdHocTask):
            for unit in record.units:
                if not plan.has_unit(unit) and plan.group(unit) is None:
                    problems.append((index, "units", "unknown_assignee", {"id": unit}))
    return problems
