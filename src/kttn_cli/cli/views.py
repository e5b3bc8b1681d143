"""The clerk's views: status, board, overdue, upcoming."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from kttn_cli.cli.app import command
from kttn_cli.cli.session import AsOfOption, LangOption, LedgerOption, PlanOption, Session
from kttn_cli.core.model import Status
from kttn_cli.core.status import Judged
from kttn_cli.errors import EX_FOUND, UsageError
from kttn_cli.i18n import say, say_n
from kttn_cli.render.terminal import write_bytes

UnitFilter = Annotated[
    list[str] | None,
    typer.Option("--unit", "-u", help="Only these units (id or name); repeatable"),
]
TaskFilter = Annotated[
    list[str] | None, typer.Option("--task", "-t", help="Only these tasks (e.g. III.2); repeatable")
]
StatusFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        "-s",
        help="Only these statuses: "
        + ", ".join(s.value for s in Status)
        + "; repeatable or comma-separated",
    ),
]


class RowFormat(StrEnum):
    table = "table"
    plain = "plain"
    csv = "csv"
    json = "json"


FormatOption = Annotated[RowFormat, typer.Option("--format", "-f", help="Output format")]


def select(
    session: Session,
    units: list[str] | None,
    tasks: list[str] | None,
    statuses: list[str] | None,
) -> list[Judged]:
    """The session's judged obligations, narrowed by the common filters."""
    judged = session.judged
    plan = session.full_plan
    if units:
        from kttn_cli.cli.lookup import find_unit  # name matching: only when filtering

        wanted_units = {find_unit(plan, u) for u in units}
        judged = [j for j in judged if j.obligation.unit_id in wanted_units]
    if tasks:
        from kttn_cli.cli.lookup import find_task

        wanted_tasks = {find_task(plan, t) for t in tasks}
        judged = [j for j in judged if j.obligation.task.id in wanted_tasks]
    if statuses:
        judged = with_status(judged, statuses)
    return judged


def with_status(judged: list[Judged], statuses: list[str]) -> list[Judged]:
    """The obligations whose status is one of `--status` (repeatable, comma-separated)."""
    wanted = set()
    for item in statuses:
        for code in item.split(","):
            code = code.strip().lower().replace("-", "_")
            try:
                wanted.add(Status(code))
            except ValueError:
                raise UsageError(
                    "err.bad_status",
                    value=code,
                    choices=", ".join(s.value for s in Status),
                ) from None
    return [j for j in judged if j.status in wanted]


@command("status")
def status_command(
    unit: UnitFilter = None,
    task: TaskFilter = None,
    status: StatusFilter = None,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Dashboard: counts and rates, and every milestone's progress, grouped by task."""
    from kttn_cli.render.status_views import render_status

    session = Session(plan, ledger, as_of, lang)
    scope = select(session, unit, task, None)
    judged = with_status(scope, status) if status else scope
    render_status(
        session.full_plan, session.judged, judged, session.as_of, session.lang, scope=scope
    )


@command("board")
def board_command(
    unit: UnitFilter = None,
    task: TaskFilter = None,
    all_milestones: Annotated[
        bool, typer.Option("--all", help="Also undated multi-unit milestones")
    ] = False,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """The chasing sheet: units × multi-unit reports, each cell a status mark and date."""
    from kttn_cli.render.status_views import render_board

    session = Session(plan, ledger, as_of, lang)
    judged = select(session, unit, task, None)
    render_board(session.full_plan, judged, session.as_of, session.lang, all_milestones)


@command("overdue")
def overdue_command(
    output_format: FormatOption = RowFormat.table,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when anything is overdue")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing when nothing is overdue (cron)")
    ] = False,
    unit: UnitFilter = None,
    task: TaskFilter = None,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Overdue obligations, most days overdue first, with owner and recipient."""
    session = Session(plan, ledger, as_of, lang)
    judged = [j for j in select(session, unit, task, None) if j.status is Status.OVERDUE]
    judged.sort(key=lambda j: -(j.days_overdue or 0))  # stable: plan order within a day
    if not (quiet and not judged):
        emit(session, judged, output_format, "overdue", say("status.overdue", session.lang))
    if exit_code and judged:
        raise typer.Exit(EX_FOUND)


@command("upcoming")
def upcoming_command(
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            "-d",
            min=0,
            help="Window in days (default: the warning window, the plan's or the milestone's own)",
        ),
    ] = None,
    output_format: FormatOption = RowFormat.table,
    unit: UnitFilter = None,
    task: TaskFilter = None,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Obligations not yet submitted that fall due within the next N days, soonest first."""
    session = Session(plan, ledger, as_of, lang)
    scope = select(session, unit, task, None)
    if days is None:
        # "Due soon" already applies each milestone's own warning window (DESIGN §3).
        judged = [j for j in scope if j.status is Status.DUE_SOON]
        heading = say("status.due_soon", session.lang)
    else:
        # Due soon and pending are the open, dated obligations not yet overdue.
        judged = [
            j
            for j in scope
            if j.status in (Status.DUE_SOON, Status.PENDING)
            and j.days_left is not None
            and j.days_left <= days
        ]
        heading = say_n("view.within", session.lang, days, days=days)
    judged.sort(key=lambda j: j.days_left or 0)  # stable: plan order within a day
    emit(session, judged, output_format, "upcoming", heading)


def emit(
    session: Session,
    judged: list[Judged],
    output_format: RowFormat,
    view: str,
    heading: str,
) -> None:
    """Write rows in the chosen format; machine formats never import Rich.

    `heading` names the list for people (table and plain): `Quá hạn`, `Sắp đến hạn`, …
    """
    from kttn_cli.core.rows import to_row

    plan = session.full_plan
    if output_format is RowFormat.table:
        from kttn_cli.render.status_views import render_rows

        render_rows(plan, judged, session.as_of, session.lang, view, heading)
        return
    if output_format is RowFormat.plain:
        from kttn_cli.render.plain import plain_lines

        sys.stdout.write(plain_lines(plan, judged, session.as_of, session.lang, heading))
        return
    from kttn_cli import export

    rows = [to_row(plan, j) for j in judged]
    data = (
        export.json_bytes(plan, session.as_of, rows)
        if output_format is RowFormat.json
        else export.csv_bytes(rows)
    )
    write_bytes(data)
