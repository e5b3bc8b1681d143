"""The clerk's views: status, board, overdue, upcoming."""

from __future__ import annotations

from kttn_cli.cli.options import FILTERS, NO_PAGER, STATE, listing_format
from kttn_cli.cli.output import emit_rows, header_problems, show_page, warn_problems
from kttn_cli.cli.select import select
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.core.model import Status
from kttn_cli.core.status import Judged
from kttn_cli.errors import EX_FOUND, UsageError
from kttn_cli.i18n import N_, _, n_

ROW_FORMATS = ("table", "plain", "csv", "json")


@command(
    "status",
    *FILTERS,
    listing_format("table", "json", "csv"),
    NO_PAGER,
    *STATE,
    examples=(
        ("kttn status", N_("Everything, as of today.")),
        ('kttn status --unit "van lam" --as-of 2024-07-01', N_("One unit, as of 1 July 2024.")),
        ("kttn status --task III.2 --status overdue", N_("Only what is overdue under III.2.")),
    ),
)
def status(
    s: Session,
    *,
    units: list[str] | None,
    tasks: list[str] | None,
    statuses: list[str] | None,
    output_format: str,
    no_pager: bool,
) -> None:
    """The dashboard: counts and rates, and every milestone's progress, by task.

    The top states the counting rules in force and any problem of the ledger.
    """
    scope = select(s, units, tasks, None)
    chosen = select(s, units, tasks, statuses) if statuses else scope
    if output_format != "table":
        emit_rows(s, chosen, output_format)
        return
    from kttn_cli.render.status_views import render_status

    page = render_status(s.plan, s.judged, chosen, scope, s.as_of, header_problems(s))
    show_page(s, page, no_pager)


@command(
    "board",
    *FILTERS[:2],
    Param(
        "all_milestones",
        "--all",
        kind="flag",
        default=False,
        help=N_("Also the undated milestones owed by several units."),
    ),
    listing_format("table", "json", "csv", "xlsx"),
    Param(
        "output",
        "--output",
        "-o",
        metavar=N_("FILE"),
        complete="file",
        help=N_("xlsx: write the workbook to this file (atomically)."),
    ),
    NO_PAGER,
    *STATE,
    examples=(
        ("kttn board", N_("Units × reports, as of today.")),
        ("kttn board --task III.2 --as-of 2024-07-05", N_("The III.2 reports on 5 July 2024.")),
        (
            "kttn board --format xlsx --output bang-theo-doi.xlsx",
            N_("As an Excel workbook: a sheet per task, a summary with a chart, the rows."),
        ),
    ),
)
def board(
    s: Session,
    *,
    units: list[str] | None,
    tasks: list[str] | None,
    all_milestones: bool,
    output_format: str,
    output: str | None,
    no_pager: bool,
) -> None:
    """The chasing sheet: units × reports owed by several units, a mark and a date each.

    With --format xlsx, an Excel workbook: a sheet per task (units × reports, a colour
    per status), a summary sheet with counts, rates and a chart, and the rows of the
    JSON document.
    """
    if output is not None and output_format != "xlsx":
        raise UsageError(
            N_("{option} applies only to --format {format}"), option="--output", format="xlsx"
        )
    judged = select(s, units, tasks, None)
    from kttn_cli.render.status_views import board_milestones, render_board

    if output_format == "xlsx":
        from kttn_cli.cli.commands.documents import write_workbook

        grid = board_milestones(s.plan, judged, all_milestones)
        chosen = {m.id for m in grid}
        write_workbook(s, [j for j in judged if j.obligation.milestone.id in chosen], grid, output)
        return
    if output_format != "table":
        chosen = {m.id for m in board_milestones(s.plan, judged, all_milestones)}
        emit_rows(s, [j for j in judged if j.obligation.milestone.id in chosen], output_format)
        return
    page = render_board(s.plan, judged, s.as_of, all_milestones, header_problems(s))
    show_page(s, page, no_pager)


EXIT_CODE = Param(
    "exit_code",
    "--exit-code",
    kind="flag",
    default=False,
    help=N_("Exit 1 when anything is overdue (for scripts)."),
)
QUIET = Param(
    "quiet",
    "--quiet",
    "-q",
    kind="flag",
    default=False,
    help=N_("Print nothing when nothing is overdue (for cron's mail)."),
)


@command(
    "overdue",
    listing_format(*ROW_FORMATS),
    EXIT_CODE,
    QUIET,
    Param(
        "all_plans",
        "--all-plans",
        kind="flag",
        default=False,
        help=N_("Every plan `kttn plans` lists, grouped by plan (one cron line for all)."),
    ),
    *FILTERS[:2],
    NO_PAGER,
    *STATE,
    examples=(
        ("kttn overdue", N_("What is overdue today, most days first.")),
        ("kttn overdue --quiet --format plain", N_("For cron: one line each, nothing if none.")),
        (
            "kttn overdue --all-plans --quiet --format plain",
            N_("For cron: every registered plan, grouped by plan."),
        ),
    ),
)
def overdue(
    s: Session,
    *,
    output_format: str,
    exit_code: bool,
    quiet: bool,
    all_plans: bool,
    units: list[str] | None,
    tasks: list[str] | None,
    no_pager: bool,
) -> int:
    """Overdue obligations, most days overdue first, with owner and recipient.

    With --all-plans, every plan `kttn plans` lists, each with its own ledger, one block
    per plan (json: one object whose "plans" holds each plan's document).
    """
    if all_plans:
        if units or tasks:
            raise UsageError(N_("--all-plans cannot be combined with --unit or --task"))
        from kttn_cli.cli.commands.plans import overdue_all

        return overdue_all(
            s, output_format=output_format, exit_code=exit_code, quiet=quiet, no_pager=no_pager
        )
    judged = [j for j in select(s, units, tasks, None) if j.status is Status.OVERDUE]
    judged.sort(key=lambda j: -(j.days_overdue or 0))  # stable: plan order within a day
    if not (quiet and not judged):
        heading = _("Overdue")
        emit(s, judged, output_format, heading, overdue=True, no_pager=no_pager)
    return EX_FOUND if exit_code and judged else 0


DAYS = Param(
    "days",
    "--days",
    "-d",
    metavar=N_("DAYS"),
    help=N_("Window in days (default: the warning window, the plan's or the milestone's own)."),
)


@command(
    "upcoming",
    DAYS,
    listing_format(*ROW_FORMATS),
    *FILTERS[:2],
    NO_PAGER,
    *STATE,
    examples=(
        ("kttn upcoming", N_("What falls due within the warning window.")),
        ("kttn upcoming --days 30", N_("What falls due within 30 days.")),
    ),
)
def upcoming(
    s: Session,
    *,
    days: str | None,
    output_format: str,
    units: list[str] | None,
    tasks: list[str] | None,
    no_pager: bool,
) -> None:
    """Obligations not yet received that fall due within the next N days, soonest first."""
    scope = select(s, units, tasks, None)
    if days is None:
        # "Due soon" already applies each milestone's own warning window.
        judged = [j for j in scope if j.status is Status.DUE_SOON]
        heading = _("Due soon")
    else:
        window = _days(days)
        judged = [
            j
            for j in scope
            if j.status in (Status.DUE_SOON, Status.PENDING)
            and j.days_left is not None
            and j.days_left <= window
        ]
        heading = n_("Due in the next {days} day", "Due in the next {days} days", window).format(
            days=window
        )
    judged.sort(key=lambda j: j.days_left or 0)  # stable: plan order within a day
    emit(s, judged, output_format, heading, overdue=False, no_pager=no_pager)


def _days(text: str) -> int:
    value = text.strip()
    if not value.isascii() or not value.isdigit() or int(value) > 3660:
        raise UsageError(N_("invalid number of days {value!r} (--days): use 0 to 3660"), value=text)
    return int(value)


def emit(
    s: Session,
    judged: list[Judged],
    output_format: str,
    heading: str,
    *,
    overdue: bool,
    no_pager: bool,
) -> None:
    """Rows for people (table, plain) or programs (json, csv)."""
    if output_format == "table":
        from kttn_cli.render.status_views import render_rows

        page = render_rows(s.plan, judged, s.as_of, heading, overdue, header_problems(s))
        show_page(s, page, no_pager)
        return
    if output_format == "plain":
        from kttn_cli.render.plain import plain_lines
        from kttn_cli.render.terminal import terminal

        warn_problems(s)
        terminal().write(plain_lines(s.plan, judged, s.as_of, heading))
        return
    emit_rows(s, judged, output_format)
