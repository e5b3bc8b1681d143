"""The filters views share: by unit, task and status."""

from __future__ import annotations

from kttn_cli.cli.session import Session
from kttn_cli.core.model import Status
from kttn_cli.core.status import Judged


def select(
    s: Session,
    units: list[str] | None,
    tasks: list[str] | None,
    statuses: list[str] | None,
) -> list[Judged]:
    """The session's judged obligations, narrowed by the common filters."""
    judged = s.judged
    plan = s.plan
    if units:
        from kttn_cli.cli.lookup import find_unit

        wanted_units = {find_unit(plan, u) for u in units}
        judged = [j for j in judged if j.obligation.unit_id in wanted_units]
    if tasks:
        from kttn_cli.cli.lookup import find_task

        wanted_tasks = {find_task(plan, t) for t in tasks}
        judged = [j for j in judged if j.obligation.task_id in wanted_tasks]
    if statuses:
        wanted = {Status(code) for code in statuses}
        judged = [j for j in judged if j.status in wanted]
    return judged
