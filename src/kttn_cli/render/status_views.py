"""Rich views of statuses for people: the dashboard, the board, row tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.table import Table
from rich.text import Text

from kttn_cli.core.dates import show_date, show_due
from kttn_cli.core.model import Milestone, Plan, Status
from kttn_cli.core.status import Judged, rates
from kttn_cli.i18n import Lang, say
from kttn_cli.render.terminal import can_encode, console

STYLE = {
    Status.ON_TIME: "green",
    Status.DONE: "green",
    Status.LATE: "dark_orange",
    Status.OVERDUE: "bold red",
    Status.DUE_SOON: "yellow",
    Status.PENDING: "blue",
    Status.UNDATED: "bright_black",
}
MARKS_UNICODE = {
    Status.ON_TIME: "✓", Status.DONE: "✓", Status.LATE: "✓!", Status.OVERDUE: "✗",
    Status.DUE_SOON: "◔", Status.PENDING: "·", Status.UNDATED: "–",
}
MARKS_ASCII = {
    Status.ON_TIME: "OK", Status.DONE: "OK", Status.LATE: "OK!", Status.OVERDUE: "X",
    Status.DUE_SOON: "!", Status.PENDING: ".", Status.UNDATED: "-",
}
# A milestone owed by a hundred units stays one row: name this many, count the rest.
MAX_NAMES = 12
SUBMITTED = (Status.ON_TIME, Status.LATE, Status.DONE)
# Worst first: the milestone takes the colour of its most urgent obligation.
SEVERITY = (Status.OVERDUE, Status.DUE_SOON, Status.PENDING, Status.LATE, Status.UNDATED,
            Status.ON_TIME, Status.DONE)


def label(status: Status, lang: Lang) -> Text:
    return Text(say(f"status.{status.value}", lang), style=STYLE[status])


def _percent(value: float | None, lang: Lang) -> str:
    return say("rate.none", lang) if value is None else f"{value * 100:.1f}%"


def header(plan: Plan, as_of: date, lang: Lang) -> Text:
    text = Text(f"{say('plan_header', lang, number=plan.info.number)} — {plan.info.title}\n",
                style="bold")
    text.append(say("as_of", lang, date=show_date(as_of)))
    return text


def due_text(milestone: Milestone, judged: list[Judged], lang: Lang) -> Text:
    """The deadline in force, and the plan's date when it was moved off a day off."""
    planned = show_due(milestone.due, say("kind.quarter", lang))
    if not planned:
        return Text(say(f"kind.{milestone.due.kind}", lang), style="bright_black")
    text = Text(planned)
    first = judged[0].obligation
    if first.shifted_due and first.shifted_due != first.planned_due:
        text = Text(show_date(first.shifted_due))
        text.append("\n" + say("shifted", lang, date=show_date(first.planned_due)),
                    style="dim")
    return text


def _bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    full, empty = ("█", "░") if can_encode("█░") else ("#", ".")
    return full * filled + empty * (width - filled)


def render_status(
    plan: Plan, everything: list[Judged], selected: list[Judged], as_of: date, lang: Lang
) -> None:
    out = console()
    out.print(header(plan, as_of, lang))
    summary = rates(selected)
    counts = Text()
    for status in SEVERITY:
        if counts:
            counts.append("  ·  ")
        counts.append(f"{say(f'status.{status.value}', lang)}: ", style=STYLE[status])
        counts.append(str(summary.counts[status]), style="bold")
    counts.append(
        f"\n{say('rate.completion', lang)}: {_percent(summary.completion, lang)}   "
        f"{say('rate.on_time', lang)}: {_percent(summary.on_time, lang)}"
    )
    out.print(counts)
    if not selected:
        out.print(say("nothing", lang))
        return
    by_milestone: dict[str, list[Judged]] = {}
    for j in selected:
        by_milestone.setdefault(j.obligation.milestone.id, []).append(j)
    all_by_milestone: dict[str, list[Judged]] = {}
    for j in everything:
        all_by_milestone.setdefault(j.obligation.milestone.id, []).append(j)

    table = Table(expand=True, show_lines=True)
    table.add_column(say("col.milestone", lang), ratio=6, overflow="fold")
    table.add_column(say("col.due", lang), ratio=2, min_width=12, overflow="fold")
    table.add_column(say("col.progress", lang), ratio=2, min_width=10, overflow="fold")
    table.add_column(say("col.status", lang), ratio=3, overflow="fold")
    for task in plan.tasks:
        shown = [m for m in task.milestones if m.id in by_milestone]
        if not shown:
            continue
        table.add_row(Text(f"{task.id}  {task.title}", style="bold"), "", "", "")
        for milestone in shown:
            group = by_milestone[milestone.id]
            table.add_row(
                _milestone_cell(plan, milestone, group, all_by_milestone, lang),
                due_text(milestone, group, lang),
                _progress(group),
                _status_cell(group, lang),
            )
    out.print(table)


def _milestone_cell(
    plan: Plan, milestone: Milestone, group: list[Judged],
    everything: dict[str, list[Judged]], lang: Lang,
) -> Text:
    text = Text(milestone.id, style="bold")
    text.append(f"  {milestone.title}")
    if len(group) == 1:
        text.append(f"\n{plan.unit(group[0].obligation.unit_id).label}", style="dim")
    missing = [j for j in group if j.status not in SUBMITTED]
    if len(group) > 1 and missing:
        names = ", ".join(_unit_note(plan, j, lang) for j in missing[:MAX_NAMES])
        if len(missing) > MAX_NAMES:
            names += f", … (+{len(missing) - MAX_NAMES})"
        text.append(f"\n{say('missing', lang)} ({len(missing)}): ", style="bold")
        text.append(names)
    if milestone.inputs:
        waiting = []
        for input_id in milestone.inputs:
            inputs = everything.get(input_id, [])
            done = sum(1 for j in inputs if j.status in SUBMITTED)
            if done < len(inputs):
                waiting.append(f"{input_id} ({done}/{len(inputs)})")
        if waiting:
            text.append(f"\n{say('waits_for', lang)}: ", style="bold")
            text.append(", ".join(waiting))
        else:
            text.append(f"\n{say('inputs_ready', lang)}", style="green")
    return text


def _unit_note(plan: Plan, judged: Judged, lang: Lang) -> str:
    name = plan.unit(judged.obligation.unit_id).label
    extended = judged.obligation.extended_to
    if extended:
        return f"{name} ({say('extended', lang, date=show_date(judged.obligation.shifted_due))}"\
               f" → {show_date(extended)})"
    return name


def _progress(group: list[Judged]) -> Text:
    done = sum(1 for j in group if j.status in SUBMITTED)
    if len(group) == 1:
        return Text(f"{done}/1")
    return Text(f"{done}/{len(group)}\n{_bar(done, len(group))}")


def _status_cell(group: list[Judged], lang: Lang) -> Text:
    counts: dict[Status, int] = {}
    for j in group:
        counts[j.status] = counts.get(j.status, 0) + 1
    text = Text()
    for status in SEVERITY:
        if status not in counts:
            continue
        if text:
            text.append("\n")
        text.append_text(label(status, lang))
        if len(group) > 1:
            text.append(f" {counts[status]}")
        elif status is Status.OVERDUE:
            text.append(f" ({group[0].days_overdue})")
        elif status is Status.LATE:
            text.append(f" ({say('late_by', lang, days=group[0].days_late)})")
    return text


def board_milestones(plan: Plan, include_undated: bool) -> list[Milestone]:
    """The reports owed by many units: milestones assigned through a group."""
    chosen = []
    for milestone in plan.milestones:
        grouped = any(plan.group(name) for name in milestone.assignees)
        if not grouped:
            continue
        if milestone.due.kind in ("date", "quarter") or include_undated:
            chosen.append(milestone)
    return chosen


def render_board(
    plan: Plan, judged: list[Judged], as_of: date, lang: Lang, include_undated: bool
) -> None:
    out = console()
    out.print(header(plan, as_of, lang))
    marks = MARKS_UNICODE if can_encode("✓✗◔·–") else MARKS_ASCII
    columns = [m for m in board_milestones(plan, include_undated)
               if any(j.obligation.milestone.id == m.id for j in judged)]
    cells = {(j.obligation.milestone.id, j.obligation.unit_id): j for j in judged}
    units = list(dict.fromkeys(
        j.obligation.unit_id for j in judged if j.obligation.milestone in columns
    ))
    if not columns:
        out.print(say("nothing", lang))
        return
    table = Table(expand=True, show_lines=False)
    table.add_column(say("col.unit", lang), ratio=3, overflow="fold")
    for milestone in columns:
        title = Text(milestone.id, style="bold")
        due = show_due(milestone.due, say("kind.quarter", lang))
        if due:
            title.append(f"\n{say('col.due', lang)} {due}")
        table.add_column(title, ratio=2, overflow="fold")
    for unit_id in units:
        row: list[Text] = [Text(plan.unit(unit_id).label)]
        for milestone in columns:
            j = cells.get((milestone.id, unit_id))
            row.append(_board_cell(j, marks) if j else Text(""))
        table.add_row(*row)
    out.print(table)
    legend = Text()
    for status in SEVERITY:
        if legend:
            legend.append("  ")
        legend.append(f"{marks[status]} {say(f'status.{status.value}', lang)}",
                      style=STYLE[status])
    out.print(legend)


def _board_cell(j: Judged, marks: dict[Status, str]) -> Text:
    text = Text(marks[j.status], style=STYLE[j.status])
    o = j.obligation
    if j.status in SUBMITTED and o.submission:
        text.append(f" {show_date(o.submission.on)}")
    elif j.status is Status.OVERDUE:
        text.append(f" +{j.days_overdue}")
    elif o.due:
        text.append(f" {show_date(o.due)}")
    return text


def render_rows(plan: Plan, judged: Iterable[Judged], as_of: date, lang: Lang,
                view: str) -> None:
    """A table of obligations (overdue or upcoming)."""
    out = console()
    out.print(header(plan, as_of, lang))
    judged = list(judged)
    if not judged:
        out.print(say("nothing", lang))
        return
    table = Table(expand=True)
    table.add_column(say("col.due", lang), ratio=2, min_width=10, overflow="fold")
    table.add_column(say("col.days_overdue" if view == "overdue" else "col.status", lang),
                     ratio=2, overflow="fold")
    table.add_column(say("col.unit", lang), ratio=3, overflow="fold")
    table.add_column(say("col.milestone", lang), ratio=5, overflow="fold")
    table.add_column(say("col.recipient", lang), ratio=2, overflow="fold")
    for j in judged:
        o = j.obligation
        if view == "overdue":
            second = Text(str(j.days_overdue), style=STYLE[Status.OVERDUE])
        else:
            second = label(j.status, lang)
            second.append(f" ({j.days_left})")
        recipient = plan.unit(o.milestone.recipient).label if o.milestone.recipient else ""
        table.add_row(
            Text(show_date(o.due)), second, Text(plan.unit(o.unit_id).label),
            Text(o.milestone.id, style="bold") + Text(f"  {o.milestone.title}"),
            Text(recipient),
        )
    out.print(table)

