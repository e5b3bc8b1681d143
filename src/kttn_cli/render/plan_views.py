"""People's views of the plan itself: the document, its tasks, its units, one item."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import Milestone, Plan
from kttn_cli.core.status import Judged
from kttn_cli.core.text import visible
from kttn_cli.i18n import _
from kttn_cli.render import describe
from kttn_cli.render.status_views import NARROW, paragraph, t
from kttn_cli.render.terminal import rendered, terminal


def owners(plan: Plan, milestone: Milestone) -> str:
    """Assignees as the plan names them: groups by name, units by short name."""
    names = []
    for name in milestone.assignees:
        group = plan.group(name)
        names.append(group.name if group else plan.unit_label(name))
    return "; ".join(names)


def deadline_text(milestone: Milestone) -> Text:
    """The plan's words with their date, then the plan's own wording of the deadline."""
    text = t(describe.deadline_words(milestone.deadline), "bold")
    if milestone.deadline.text:
        text.append("\n")
        text.append_text(t(milestone.deadline.text, "dim"))
    return text


def render_tasks(plan: Plan) -> str:
    """Every task and milestone: id, title, deadline (words and date), owners.

    Ids never wrap (people copy them into `kttn show` and `kttn submit`); the other
    columns wrap at word boundaries.
    """
    out = terminal().console()
    paragraph(out, t(describe.plan_heading(plan), "bold"))
    paragraph(out, t(plan.info.title))
    paragraph(out, Text(describe.rules_line(plan.rules), style="dim"))
    ids = [task.id for task in plan.tasks] + [m.id for m in plan.milestones]
    narrow = out.width < NARROW
    table = Table(show_lines=True, expand=True)
    table.add_column(_("Id"), no_wrap=not narrow, min_width=min(max(map(len, ids)), 24))
    table.add_column(_("Title"), overflow="fold", ratio=5)
    if not narrow:
        table.add_column(_("Deadline"), overflow="fold", ratio=3, min_width=12)
        table.add_column(_("Owners"), overflow="fold", ratio=3)
    for task in plan.tasks:
        row = [t(task.id, "bold"), t(task.title, "bold")]
        table.add_row(*row, *([] if narrow else ["", ""]))
        for milestone in task.milestones:
            cells = [t(milestone.id), t(describe.milestone_title(milestone))]
            if narrow:
                cells[1].append("\n")
                cells[1].append_text(deadline_text(milestone))
                table.add_row(*cells)
            else:
                table.add_row(*cells, deadline_text(milestone), t(owners(plan, milestone)))
    out.print(table)
    return rendered(out)


def render_units(plan: Plan, as_of: date | None) -> str:
    """The plan's units (those that exist on `as_of`, when given) and its groups."""
    out = terminal().console()
    units = [u for u in plan.units if as_of is None or u.active_on(as_of)]
    if as_of is not None:
        paragraph(out, Text(_("Units that exist on {date}").format(date=show_date(as_of))))
    table = Table(expand=True)
    table.add_column(
        _("Id"), no_wrap=True, min_width=min(max((len(u.id) for u in units), default=2), 24)
    )
    table.add_column(_("Name"), overflow="fold", ratio=5)
    table.add_column(_("Abbreviation"), overflow="fold", ratio=2)
    table.add_column(_("Life span and e-mail"), overflow="fold", ratio=3)
    for unit in units:
        notes = []
        if unit.active_from or unit.active_until:
            notes.append(
                f"{show_date(unit.active_from) or '…'} – {show_date(unit.active_until) or '…'}"
            )
        if unit.replaces:
            notes.append(_("replaces {units}").format(units=", ".join(unit.replaces)))
        notes += list(unit.email)
        table.add_row(
            t(unit.id),
            t(unit.name),
            t(unit.short or ""),
            Text(visible("\n".join(notes), keep_newlines=True)),
        )
    out.print(table)
    if plan.groups:
        groups = Table(expand=True)
        groups.add_column(_("Id"), no_wrap=True)
        groups.add_column(_("Group"), overflow="fold", ratio=5)
        groups.add_column(_("Units"), overflow="fold", ratio=5)
        for group in plan.groups:
            members = ", ".join(plan.unit_label(m) for m in group.members)
            groups.add_row(t(group.id), t(group.name), t(members))
        out.print(groups)
    return rendered(out)


def render_plan(plan: Plan) -> str:
    """The document: number, date, issuer, basis, purpose, requirements, Nơi nhận, signer."""
    out = terminal().console()
    info = plan.info
    lines: list[tuple[str, str]] = [
        ("", describe.plan_heading(plan)),
        (_("Title"), info.title),
        (_("Issued by"), " / ".join(info.header)),
        (_("Place and date"), f"{info.place}, {show_date(info.issued_on)}"),
    ]
    lines += [(_("Basis"), item) for item in info.basis]
    lines += [(_("Purpose"), item) for item in info.purpose]
    lines += [(_("Requirements"), item) for item in info.requirements]
    lines += [(_("Distribution (Nơi nhận)"), item) for item in info.distribution]
    lines.append((_("Signed"), f"{info.signer.name} — {info.signer.title}"))
    lines.append((_("Counting rules"), describe.rules_text(plan.rules)))
    lines.append(
        (
            _("Contents"),
            _("{tasks} tasks, {milestones} milestones, {units} units").format(
                tasks=len(plan.tasks), milestones=len(plan.milestones), units=len(plan.units)
            ),
        )
    )
    _print_lines(out, lines)
    return rendered(out)


def _print_lines(out: Console, lines: list[tuple[str, str]]) -> None:
    for label, value in lines:
        text = Text(f"{label}: " if label else "", style="bold")
        text.append_text(t(value))
        paragraph(out, text)


def render_task(plan: Plan, task_id: str) -> str:
    out = terminal().console()
    task = plan.task(task_id)
    lines = [
        (_("Id"), task.id),
        (_("Title"), task.title),
        (_("Where in the text"), task.source),
    ]
    _print_lines(out, lines)
    for paragraph_text in task.text.split("\n"):
        paragraph(out, t(paragraph_text))
    _print_lines(
        out, [(_("Milestone"), f"{m.id} — {describe.milestone_title(m)}") for m in task.milestones]
    )
    return rendered(out)


def render_milestone(
    plan: Plan, milestone_id: str, judged: Mapping[tuple[str, str], Judged], as_of: date
) -> str:
    """One milestone: its words, its deadline as counted, its units' statuses."""
    out = terminal().console()
    m = plan.milestone(milestone_id)
    rows = [j for (mid, _unit), j in judged.items() if mid == m.id]
    lines: list[tuple[str, str]] = [
        ("", describe.as_of_line(as_of)),
        (_("Id"), m.id),
        (_("Task"), f"{m.task_id} — {plan.task(m.task_id).title}"),
        (_("Title"), describe.milestone_title(m)),
        (_("Deadline"), describe.deadline_words(m.deadline)),
        (_("Deadline as written"), m.deadline.text or "—"),
        (_("Kind"), _(describe.KIND_LABELS[m.deadline.kind])),
    ]
    if rows:
        first = rows[0].obligation
        if first.planned is not None:
            lines.append((_("Last day judged"), show_date(first.planned)))
        notes = describe.due_notes(first, last_day_shown=first.planned is not None)
        lines += [(_("Note"), note) for note in notes if not first.extended]
    lines.append((_("Counting rules"), describe.rules_text(plan.rules)))
    if m.recipients:
        lines.append((_("Sent to"), ", ".join(plan.unit_name(r) for r in m.recipients)))
    if m.assigned_by:
        lines.append((_("Assigned by"), m.assigned_by))
    lines.append((_("Where in the text"), m.source))
    lines += [(_("Note"), text) for text in describe.inferred_text(m)]
    for j in rows:
        o = j.obligation
        status = describe.status_words(j)
        if o.extended:
            status += f" — {describe.due_line(o)}"
        lines.append((_("Unit"), f"{describe.owner_text(plan, o)} — {status}"))
    if m.inputs:
        lines.append((_("Waiting for"), ", ".join(m.inputs)))
    _print_lines(out, lines)
    return rendered(out)


def render_unit(plan: Plan, unit_id: str, judged: list[Judged], as_of: date) -> str:
    out = terminal().console()
    unit = plan.unit(unit_id)
    lines: list[tuple[str, str]] = [
        ("", describe.as_of_line(as_of)),
        (_("Id"), unit.id),
        (_("Name"), unit.name),
        (_("Abbreviation"), unit.short or "—"),
    ]
    if unit.email:
        lines.append((_("E-mail"), ", ".join(unit.email)))
    if unit.active_from or unit.active_until:
        span = f"{show_date(unit.active_from) or '…'} – {show_date(unit.active_until) or '…'}"
        lines.append((_("Life span"), span))
    for j in judged:
        o = j.obligation
        if o.unit_id != unit.id:
            continue
        lines.append(
            (
                _("Milestone"),
                f"{o.milestone.id} — {describe.milestone_title(o.milestone)} "
                f"({describe.due_line(o)}) — {describe.status_words(j)}",
            )
        )
    _print_lines(out, lines)
    return rendered(out)
