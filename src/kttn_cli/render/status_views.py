"""Rich views of statuses for people: the dashboard, the board, row tables.

Text from the plan and the ledger goes in as `Text`, never as markup, so a title with
`[bold]` or `[/]` prints as it is. Widths are chosen for 80 columns: ids, dates and unit
labels get columns wide enough not to fold mid-word; long titles wrap at spaces.
Paragraphs are wrapped here (not by Rich) so that no line ends in spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from kttn_cli.core.dates import show_date, show_due
from kttn_cli.core.model import DATED_KINDS, Milestone, Plan, Status, Task
from kttn_cli.core.status import Judged, Rates, rates
from kttn_cli.i18n import Lang, say, say_n, status_label
from kttn_cli.render.plain import moved_note
from kttn_cli.render.terminal import can_encode, console

if TYPE_CHECKING:
    from rich.console import Console

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
    Status.ON_TIME: "✓",
    Status.DONE: "✓",
    Status.LATE: "✓!",
    Status.OVERDUE: "✗",
    Status.DUE_SOON: "◔",
    Status.PENDING: "·",
    Status.UNDATED: "–",
}
MARKS_ASCII = {
    Status.ON_TIME: "OK",
    Status.DONE: "OK",
    Status.LATE: "OK!",
    Status.OVERDUE: "X",
    Status.DUE_SOON: "!",
    Status.PENDING: ".",
    Status.UNDATED: "-",
}
# A milestone owed by a hundred units stays one row: name this many, count the rest.
MAX_NAMES = 12
SUBMITTED = (Status.ON_TIME, Status.LATE, Status.DONE)
# Worst first: what needs chasing comes first in every list of statuses.
SEVERITY = (
    Status.OVERDUE,
    Status.DUE_SOON,
    Status.PENDING,
    Status.LATE,
    Status.UNDATED,
    Status.ON_TIME,
    Status.DONE,
)
# The dashboard's count lines: what is still owed, then what has arrived.
OWED = (Status.OVERDUE, Status.DUE_SOON, Status.PENDING, Status.UNDATED)
ARRIVED = (Status.ON_TIME, Status.LATE, Status.DONE)
# Kinds whose missing units are worth naming: a dated report, or a plan without a date.
# "Ongoing" and "on request" work is never "missing".
NAMED_MISSING_KINDS = ("date", "quarter", "none")
DATE_WIDTH = 10  # dd/mm/yyyy


# --- small pieces ---------------------------------------------------------------------


def label(status: Status, lang: Lang) -> Text:
    return Text(status_label(status, lang), style=STYLE[status])


def _unicode() -> bool:
    """Whether stdout takes the box and mark characters (an ASCII pipe does not)."""
    return can_encode("✓✗◔·–…█░")


def _span(values: Iterable[int]) -> tuple[str, int]:
    """`3` or `1–5` for a set of day counts, and the largest (for the plural)."""
    ordered = sorted(set(values))
    low, high = ordered[0], ordered[-1]
    dash = "–" if _unicode() else "-"
    return (str(low) if low == high else f"{low}{dash}{high}"), high


def days_text(values: Iterable[int], lang: Lang) -> str:
    """`1 ngày`, `1 day`, `3–5 days`."""
    text, high = _span(values)
    return say_n("view.days", lang, high, days=text)


def days_left_text(values: Iterable[int], lang: Lang) -> str:
    """`còn 4 ngày`, `4 days left`, or `hôm nay` when due today."""
    text, high = _span(values)
    if high == 0:
        return say("view.today", lang)
    return say_n("view.days_left", lang, high, days=text)


def _percent(value: float | None, lang: Lang) -> str:
    if value is None:
        return say("rate.none", lang)
    text = f"{value * 100:.1f}%"
    # Vietnamese writes the decimal comma: 85,7%.
    return text.replace(".", ",") if lang == "vi" else text


def paragraph(out: Console, text: Text) -> None:
    """Print `text` wrapped to the console, with no trailing spaces on any line."""
    for line in text.wrap(out, out.width):
        line.rstrip()
        out.print(line, overflow="ignore", crop=False)


def flow(out: Console, items: Sequence[Text], separator: str = " · ") -> None:
    """Print items on as few lines as fit, breaking only between items."""
    line = Text()
    for item in items:
        if line and line.cell_len + len(separator) + item.cell_len > out.width:
            paragraph(out, line)
            line = Text()
        if line:
            line.append(separator)
        line.append_text(item)
    if line:
        paragraph(out, line)


def header(out: Console, plan: Plan, as_of: date, lang: Lang) -> None:
    """The plan's number and title, and the as-of date."""
    title = f"{say('plan_header', lang, number=plan.info.number)} — {plan.info.title}"
    paragraph(out, Text(title, style="bold"))
    paragraph(out, Text(say("as_of", lang, date=show_date(as_of))))


def due_text(milestone: Milestone, judged: Sequence[Judged], lang: Lang) -> Text:
    """The milestone's deadline: the plan's date or quarter; when moved off a day off, the
    working day in force and the plan's date below it. Per-unit extensions are shown with
    the unit, not here."""
    planned = show_due(milestone.due, say("kind.quarter", lang))
    if not planned:
        return Text(say(f"kind.{milestone.due.kind}", lang), style="bright_black")
    first = judged[0].obligation if judged else None
    if first is None or first.shifted_due == first.planned_due:
        return Text(planned)
    text = Text(show_date(first.shifted_due))
    text.append("\n" + say("shifted", lang, date=show_date(first.planned_due)), style="dim")
    return text


# --- status ---------------------------------------------------------------------------


def _by_milestone(judged: Iterable[Judged]) -> dict[str, list[Judged]]:
    found: dict[str, list[Judged]] = {}
    for j in judged:
        found.setdefault(j.obligation.milestone.id, []).append(j)
    return found


def render_status(
    plan: Plan,
    everything: list[Judged],
    selected: list[Judged],
    as_of: date,
    lang: Lang,
    scope: list[Judged] | None = None,
) -> None:
    """The dashboard: header, counts and rates, then one row per milestone by task.

    `selected` is what the filters chose; `scope` (default: `selected`) is the same
    without the status filter: the counts, rates and progress bars are about the scope
    (a milestone's 3/12 stays 3/12 when only overdue units are listed), the rows and the
    units named are the selection. `everything` answers what a synthesis waits for.
    """
    out = console()
    header(out, plan, as_of, lang)
    scope = selected if scope is None else scope
    _counts(out, rates(scope), lang)
    if not selected:
        paragraph(out, Text(say("nothing", lang)))
        return
    by_milestone = _by_milestone(selected)
    scope_by_milestone = _by_milestone(scope)
    all_by_milestone = _by_milestone(everything)

    table = Table(expand=True, show_lines=True)
    table.add_column(say("col.milestone", lang), ratio=1, overflow="fold")
    table.add_column(say("col.due", lang), width=14, overflow="fold")
    table.add_column(say("col.status", lang), width=28, overflow="fold")
    for task in plan.tasks:
        shown = [m for m in task.milestones if m.id in by_milestone]
        if not shown:
            continue
        table.add_row(Text(f"{task.id}  {task.title}", style="bold"), "", "")
        for milestone in shown:
            group = by_milestone[milestone.id]
            table.add_row(
                _milestone_cell(plan, milestone, group, all_by_milestone, lang),
                due_text(milestone, group, lang),
                _status_cell(group, scope_by_milestone.get(milestone.id, group), lang),
            )
    out.print(table)


def _counts(out: Console, summary: Rates, lang: Lang) -> None:
    for statuses in (OWED, ARRIVED):
        items = []
        for status in statuses:
            item = Text(f"{status_label(status, lang)}: ", style=STYLE[status])
            item.append(str(summary.counts[status]), style="bold")
            items.append(item)
        flow(out, items)
    done = summary.counts[Status.ON_TIME] + summary.counts[Status.LATE]
    rate_items = []
    for key, value, numerator in (
        ("rate.completion", summary.completion, done),
        ("rate.on_time", summary.on_time, summary.counts[Status.ON_TIME]),
    ):
        shown = _percent(value, lang)
        if value is not None:
            shown = say("view.rate", lang, percent=shown, done=numerator, total=summary.denominator)
        rate_items.append(Text(say("view.count", lang, label=say(key, lang), count=shown)))
    flow(out, rate_items)


def _milestone_cell(
    plan: Plan,
    milestone: Milestone,
    group: list[Judged],
    everything: dict[str, list[Judged]],
    lang: Lang,
) -> Text:
    text = Text(milestone.id, style="bold")
    text.append(f"  {milestone.title}")
    if len(group) == 1:
        owner = _unit_note(plan, group[0], lang)
        text.append("\n" + say("view.owner", lang, unit=owner), style="dim")
    missing = [j for j in group if j.status not in SUBMITTED]
    if len(group) > 1 and missing and milestone.due.kind in NAMED_MISSING_KINDS:
        names = ", ".join(_unit_note(plan, j, lang) for j in missing[:MAX_NAMES])
        if len(missing) > MAX_NAMES:
            names += f", {'…' if _unicode() else '...'} (+{len(missing) - MAX_NAMES})"
        text.append(f"\n{say('missing', lang)} ({len(missing)}): ", style="bold")
        text.append(names)
    if milestone.inputs and missing:
        waiting = []
        for input_id in milestone.inputs:
            inputs = everything.get(input_id, [])
            done = sum(1 for j in inputs if j.status in SUBMITTED)
            if done < len(inputs):
                waiting.append(say("view.waiting", lang, id=input_id, done=done, total=len(inputs)))
        if waiting:
            text.append(f"\n{say('waits_for', lang)}: ", style="bold")
            text.append(", ".join(waiting))
        else:
            text.append(f"\n{say('inputs_ready', lang)}", style="green")
    return text


def _unit_note(plan: Plan, judged: Judged, lang: Lang) -> str:
    """The unit's label, with its extension when it has one."""
    name = plan.unit(judged.obligation.unit_id).label
    o = judged.obligation
    if o.extended:
        return f"{name} ({say('view.extended_to', lang, date=show_date(o.extended_to))})"
    return name


def _bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    full, empty = ("█", "░") if _unicode() else ("#", ".")
    return full * filled + empty * (width - filled)


def _status_cell(group: list[Judged], scope: list[Judged], lang: Lang) -> Text:
    """Progress of the scope (for many units), then one line per status of the group,
    worst first."""
    text = Text()
    if len(scope) > 1:
        done = sum(1 for j in scope if j.status in SUBMITTED)
        text.append(f"{done}/{len(scope)} {_bar(done, len(scope))}")
    for status in SEVERITY:
        members = [j for j in group if j.status is status]
        if not members:
            continue
        if text:
            text.append("\n")
        text.append_text(label(status, lang))
        if len(group) > 1:
            text.append(f": {len(members)}")
        detail = _detail(status, members, lang)
        if detail:
            text.append(f" ({detail})")
    return text


def _detail(status: Status, members: list[Judged], lang: Lang) -> str | None:
    if status is Status.OVERDUE:
        return days_text((j.days_overdue or 0 for j in members), lang)
    if status is Status.LATE:
        text, high = _span(j.days_late or 0 for j in members)
        return say_n("late_by", lang, high, days=text)
    if status in (Status.DUE_SOON, Status.PENDING):
        return days_left_text((j.days_left or 0 for j in members), lang)
    return None


# --- board ----------------------------------------------------------------------------


def board_milestones(plan: Plan, include_undated: bool) -> list[Milestone]:
    """The reports owed by many units: milestones assigned through a group."""
    chosen = []
    for milestone in plan.milestones:
        grouped = any(plan.group(name) for name in milestone.assignees)
        if not grouped:
            continue
        if milestone.due.kind in DATED_KINDS or include_undated:
            chosen.append(milestone)
    return chosen


def _column_key(task: Task, milestone: Milestone) -> str:
    """The milestone's id without its task's prefix (`bc-6-thang` under III.2): short
    enough for a grid column; the key under the table gives the full id and title."""
    prefix = f"{task.id}-"
    if milestone.id.startswith(prefix) and len(milestone.id) > len(prefix):
        return milestone.id[len(prefix) :]
    return milestone.id


def render_board(
    plan: Plan, judged: list[Judged], as_of: date, lang: Lang, include_undated: bool
) -> None:
    """One grid per task: its units × its multi-unit milestones, a mark and a date each."""
    out = console()
    header(out, plan, as_of, lang)
    marks = MARKS_UNICODE if _unicode() else MARKS_ASCII
    chosen = {m.id for m in board_milestones(plan, include_undated)}
    cells = {(j.obligation.milestone.id, j.obligation.unit_id): j for j in judged}
    by_milestone = _by_milestone(judged)
    seen: set[Status] = set()
    for task in plan.tasks:
        columns = [m for m in task.milestones if m.id in chosen and m.id in by_milestone]
        if not columns:
            continue
        ids = {m.id for m in columns}
        units = list(
            dict.fromkeys(j.obligation.unit_id for j in judged if j.obligation.milestone.id in ids)
        )
        out.print()
        paragraph(out, Text(f"{task.id}  {task.title}", style="bold"))
        table = Table(show_lines=False)
        table.add_column(say("col.unit", lang), overflow="fold")
        for milestone in columns:
            title = Text(_column_key(task, milestone), style="bold")
            title.append("\n")
            title.append_text(due_text(milestone, by_milestone[milestone.id], lang))
            table.add_column(title, overflow="fold")
        for unit_id in units:
            row: list[Text] = [Text(plan.unit(unit_id).label)]
            for milestone in columns:
                j = cells.get((milestone.id, unit_id))
                if j:
                    seen.add(j.status)
                row.append(_board_cell(j, marks, lang) if j else Text(""))
            table.add_row(*row)
        out.print(table)
        for milestone in columns:
            key = Text(milestone.id, style="bold")
            key.append(f"  {milestone.title}")
            paragraph(out, key)
    if not seen:
        paragraph(out, Text(say("nothing", lang)))
        return
    out.print()
    flow(
        out,
        [
            Text(f"{marks[s]} {status_label(s, lang)}", style=STYLE[s])
            for s in SEVERITY
            if s in seen
        ],
        "   ",
    )


def _board_cell(j: Judged, marks: dict[Status, str], lang: Lang) -> Text:
    """Submitted: the date received. Overdue: days overdue. Not yet due: the mark alone
    (the deadline is in the column's heading), or the unit's own extended deadline."""
    text = Text(marks[j.status], style=STYLE[j.status])
    o = j.obligation
    if j.submission is not None:
        text.append(f" {show_date(j.submission.on)}")
    elif j.status is Status.OVERDUE:
        text.append(f" +{days_text([j.days_overdue or 0], lang)}")
    elif o.extended:
        text.append(f" {show_date(o.extended_to)}")
    return text


# --- overdue and upcoming -------------------------------------------------------------


def render_rows(
    plan: Plan, judged: Iterable[Judged], as_of: date, lang: Lang, view: str, heading: str
) -> None:
    """A table of obligations (overdue or upcoming), one row per unit.

    A milestone's title and recipient are written on the first of its consecutive rows;
    the rows after it carry only its id, so a report owed by twelve units reads as one
    block.
    """
    out = console()
    header(out, plan, as_of, lang)
    judged = list(judged)
    paragraph(out, Text(say("view.count", lang, label=heading, count=len(judged)), style="bold"))
    if not judged:
        paragraph(out, Text(say("nothing", lang)))
        return
    unit_heading = say("col.unit", lang)
    unit_width = max(len(plan.unit(j.obligation.unit_id).label) for j in judged)
    unit_width = max(unit_width, len(unit_heading))
    table = Table(expand=True)
    table.add_column(say("col.due", lang), width=DATE_WIDTH, no_wrap=True)
    second = say("status.overdue" if view == "overdue" else "view.left", lang)
    table.add_column(second, width=8, justify="right", overflow="fold")
    table.add_column(unit_heading, width=min(unit_width, 24), overflow="fold")
    table.add_column(say("col.milestone", lang), ratio=1, overflow="fold")
    previous: str | None = None
    for j in judged:
        o = j.obligation
        if view == "overdue":
            when = Text(days_text([j.days_overdue or 0], lang), style=STYLE[j.status])
        elif j.days_left:
            when = Text(days_text([j.days_left], lang), style=STYLE[j.status])
        else:
            when = Text(say("view.today", lang), style=STYLE[j.status])
        milestone = Text(o.milestone.id, style="bold")
        if o.milestone.id != previous:
            milestone.append(f"  {o.milestone.title}")
            if o.milestone.recipient:
                recipient = plan.unit(o.milestone.recipient).label
                milestone.append(f"\n{say('col.recipient', lang)}: {recipient}", style="dim")
        previous = o.milestone.id
        moved = moved_note(o, lang)
        if moved:
            milestone.append(f"\n{moved}", style="dim")
        table.add_row(Text(show_date(o.due)), when, Text(plan.unit(o.unit_id).label), milestone)
    out.print(table)
