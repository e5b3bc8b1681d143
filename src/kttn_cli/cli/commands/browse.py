"""Browsing the plan: show, tasks, units."""

from __future__ import annotations

from kttn_cli.cli.options import NO_PAGER, STATE, listing_format
from kttn_cli.cli.output import emit_rows, show_page
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.i18n import N_


@command(
    "show",
    Param(
        "name",
        required=True,
        metavar=N_("NAME"),
        complete="any",
        help=N_("`plan`, or a task, milestone or unit: its id or its name without diacritics."),
    ),
    listing_format("table", "json", "csv"),
    NO_PAGER,
    *STATE,
    examples=(
        ("kttn show plan", N_("The document: number, issuer, basis, purpose, Nơi nhận.")),
        ("kttn show III.2-bc-6-thang --as-of 2024-07-01", N_("One report: each unit's status.")),
        ('kttn show "van lam"', N_("One unit: everything it owes.")),
    ),
)
def show(s: Session, *, name: str, output_format: str, no_pager: bool) -> None:
    """One item of the plan, by id or by name typed without diacritics.

    `plan` shows the document itself; a milestone shows its deadline as counted and each
    unit's status; a unit shows each milestone it owes.
    """
    from kttn_cli.cli.lookup import find_any
    from kttn_cli.render import plan_views

    plan = s.plan
    if name.strip().lower() in ("plan", "kế hoạch", "ke hoach"):
        if output_format != "table":
            emit_rows(s, s.judged, output_format)
            return
        show_page(s, plan_views.render_plan(plan), no_pager)
        return
    kind, ident = find_any(plan, name)
    if output_format != "table":
        if kind == "task":
            chosen = [j for j in s.judged if j.obligation.task_id == ident]
        elif kind == "milestone":
            chosen = [j for j in s.judged if j.obligation.milestone.id == ident]
        else:
            chosen = [j for j in s.judged if j.obligation.unit_id == ident]
        emit_rows(s, chosen, output_format)
        return
    if kind == "task":
        page = plan_views.render_task(plan, ident)
    elif kind == "milestone":
        judged = {(j.obligation.milestone.id, j.obligation.unit_id): j for j in s.judged}
        page = plan_views.render_milestone(plan, ident, judged, s.as_of)
    else:
        page = plan_views.render_unit(plan, ident, s.judged, s.as_of)
    show_page(s, page, no_pager)


@command(
    "tasks",
    listing_format("table", "json", "csv"),
    NO_PAGER,
    *STATE,
    examples=(
        ("kttn tasks", N_("Every task and milestone of the plan, with its id.")),
        ("kttn tasks --format json", N_("The same rows for scripts.")),
    ),
)
def tasks(s: Session, *, output_format: str, no_pager: bool) -> None:
    """Every task and milestone of the plan: id, title, deadline as written, owners."""
    if output_format != "table":
        emit_rows(s, s.judged, output_format)
        return
    from kttn_cli.render.plan_views import render_tasks

    show_page(s, render_tasks(s.plan), no_pager)


@command(
    "units",
    listing_format("table", "json", "csv"),
    NO_PAGER,
    *STATE,
    examples=(
        ("kttn units", N_("Every unit and group of the plan.")),
        ("kttn units --as-of 2025-07-01", N_("The units that exist on 1 July 2025.")),
    ),
)
def units(s: Session, *, output_format: str, no_pager: bool) -> None:
    """The plan's units and groups; with --as-of, only the units that exist on that day."""
    as_of = s.as_of if s.settings.value("today") else None
    if output_format != "table":
        from kttn_cli.export import units_bytes

        s.terminal.write_bytes(units_bytes(s.plan, as_of, output_format))
        return
    from kttn_cli.render.plan_views import render_units

    show_page(s, render_units(s.plan, as_of), no_pager)
