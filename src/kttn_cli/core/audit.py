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
    live = with_ad_hoc_tasks(plan, ledger)
    assigned = {m.id: set(live.expand(m.assignees)) for m in live.milestones}
    # A withdrawn record may name an ad-hoc task that was withdrawn too (`kttn void` of a
    # task withdraws its submissions with it): check it against every task ever recorded.
    ever = with_ad_hoc_tasks(
        plan, Ledger(tuple(r for r in ledger.records if isinstance(r, AdHocTask)))
    )
    assigned_ever = {m.id: set(ever.expand(m.assignees)) for m in ever.milestones}
    active = {r.id for r in ledger.active()}
    ids = {r.id for r in ledger.records}
    problems: list[RecordProblem] = []
    for index, record in enumerate(ledger.records):
        if isinstance(record, Submission | Extension):
            known = assigned if record.id in active else assigned_ever
            if record.milestone not in known:
                problems.append((index, "milestone", "unknown_milestone", {"id": record.milestone}))
            elif not plan.has_unit(record.unit):
                problems.append((index, "unit", "unknown_unit", {"id": record.unit}))
            elif record.unit not in known[record.milestone]:
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
