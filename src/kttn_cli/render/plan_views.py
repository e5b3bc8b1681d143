"""People's views of the plan itself: tasks, units, one item."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text

from kttn_cli.core.dates import show_date, show_due
from kttn_cli.core.model import Milestone, Plan, Status
from kttn_cli.core.status import Judged
from kttn_cli.i18n import Lang, say, say_n, status_label
from kttn_cli.render.terminal import console


def owners(plan: Plan, milestone: Milestone) -> str:
    """Assignees as the plan names them: groups by name, units by short name."""
    names = []
    for name in milestone.assignees:
        group = plan.group(name)
        names.append(group.name if group else plan.unit(name).label)
    return "; ".join(names)


def due_label(milestone: Milestone, lang: Lang) -> str:
    """`30/06/2024`, `Quý I/2024`, or the kind of an undated deadline (`Thường xuyên`)."""
    return show_due(milestone.due, say("kind.quarter", lang)) or say(
        f"kind.{milestone.due.kind}", lang
    )


def due_cell(milestone: Milestone, lang: Lang) -> Text:
    dated = milestone.due.deadline is not None
    text = Text(due_label(milestone, lang), style="bold" if dated else "")
    if milestone.due_text:
        text.append(f"\n{milestone.due_text}", style="dim")
    return text


def render_tasks(plan: Plan, lang: Lang) -> None:
    """Every task and milestone: id, title, deadline (shown and as written), owners.

    Ids never wrap (people copy them into `kttn show` and `kttn submit`); the other columns
    wrap at word boundaries, so nothing is cut at any width, cron's 80 columns included.
    """
    table = Table(
        show_lines=True,
        title=Text(f"{say('plan_header', lang, number=plan.info.number)} — {plan.info.title}"),
        expand=True,
    )
    ids = [t.id for t in plan.tasks] + [m.id for m in plan.milestones]
    table.add_column(say("col.id", lang), no_wrap=True, min_width=max(map(len, ids)))
    table.add_column(say("col.title", lang), overflow="fold", ratio=5)
    # 12 columns: "Quý III/2024" and a date stay on one line.
    table.add_column(say("col.due", lang), overflow="fold", ratio=3, min_width=12)
    table.add_column(say("col.owners", lang), overflow="fold", ratio=3)
    for task in plan.tasks:
        table.add_row(Text(task.id, style="bold"), Text(task.title, style="bold"), "", "")
        for milestone in task.milestones:
            table.add_row(
                Text(milestone.id),
                Text(milestone.title),
                due_cell(milestone, lang),
                Text(owners(plan, milestone)),
            )
    console().print(table)


def render_units(plan: Plan, lang: Lang) -> None:
    out = console()
    table = Table(expand=True)
    table.add_column(
        say("col.id", lang), no_wrap=True, min_width=max(len(u.id) for u in plan.units)
    )
    table.add_column(say("col.name", lang), overflow="fold", ratio=5)
    table.add_column(say("col.short", lang), overflow="fold", ratio=2)
    table.add_column(say("col.email", lang), overflow="fold", ratio=3)
    for unit in plan.units:
        table.add_row(
            Text(unit.id), Text(unit.name), Text(unit.short or ""), Text(", ".join(unit.email))
        )
    out.print(table)
    groups = Table(expand=True)
    groups.add_column(
        say("col.id", lang),
        no_wrap=True,
        min_width=max((len(g.id) for g in plan.groups), default=2),
    )
    groups.add_column(say("col.name", lang), overflow="fold", ratio=5)
    groups.add_column(say("col.units", lang), overflow="fold", ratio=5)
    for group in plan.groups:
        groups.add_row(Text(group.id), Text(group.name), Text(", ".join(group.members)))
    out.print(groups)


def status_words(judged: Judged, lang: Lang) -> str:
    """`Quá hạn (1 ngày)`, `Hoàn thành đúng hạn (28/06/2024, 12-BC/HU)`, …"""
    words = status_label(judged.status.value, lang)
    sub = judged.submission
    if judged.status is Status.OVERDUE and judged.days_overdue is not None:
        words += f" ({say_n('overdue_by', lang, judged.days_overdue, days=judged.days_overdue)})"
    elif sub is not None:
        detail = [show_date(sub.on), *([sub.reference] if sub.reference else [])]
        if judged.days_late:
            detail.append(say_n("late_by", lang, judged.days_late, days=judged.days_late))
        words += f" ({', '.join(detail)})"
    elif judged.obligation.extended_to:
        words += f" ({say('col.due', lang)} {show_date(judged.obligation.extended_to)})"
    return words


def render_one(
    plan: Plan,
    kind: str,
    ident: str,
    lang: Lang,
    judged: dict[tuple[str, str], Judged],
    as_of: date,
) -> None:
    """One task, milestone or unit; milestones and units with each obligation's status."""
    out = console()
    lines: list[tuple[str, str]] = []
    if kind != "task":
        lines.append(("", say("as_of", lang, date=show_date(as_of))))
    if kind == "task":
        task = plan.task(ident)
        lines = [
            (say("col.id", lang), task.id),
            (say("col.title", lang), task.title),
            (say("col.source", lang), task.source),
            ("", task.text),
        ]
        lines += [(say("col.milestone", lang), f"{m.id} — {m.title}") for m in task.milestones]
    elif kind == "milestone":
        m = plan.milestone(ident)
        recipient = plan.unit(m.recipient).name if m.recipient else ""
        lines += [
            (say("col.id", lang), m.id),
            (say("col.task", lang), f"{m.task_id} — {plan.task(m.task_id).title}"),
            (say("col.title", lang), m.title),
            (say("col.due", lang), due_cell(m, lang).plain.replace("\n", " — ")),
            (say("col.kind", lang), say(f"kind.{m.due.kind}", lang)),
            (say("col.recipient", lang), recipient),
            (say("col.source", lang), m.source),
        ]
        lines += [
            (
                say("col.unit", lang),
                f"{plan.unit(u).name} — {status_words(judged[(m.id, u)], lang)}",
            )
            for u in plan.expand(m.assignees)
        ]
        if m.inputs:
            lines.append((say("waits_for", lang), ", ".join(m.inputs)))
    else:
        unit = plan.unit(ident)
        lines += [
            (say("col.id", lang), unit.id),
            (say("col.name", lang), unit.name),
            (say("col.short", lang), unit.short or ""),
            (say("col.email", lang), ", ".join(unit.email)),
        ]
        owed = [m for m in plan.milestones if unit.id in plan.expand(m.assignees)]
        lines += [
            (
                say("col.milestone", lang),
                f"{m.id} — {m.title} ({due_label(m, lang)}) — "
                f"{status_words(judged[(m.id, unit.id)], lang)}",
            )
            for m in owed
        ]
    for label, value in lines:
        out.print(Text(f"{label}: " if label else "", style="bold") + Text(value))
