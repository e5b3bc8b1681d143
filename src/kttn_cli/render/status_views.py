"""Rich views of statuses for people: the dashboard, the board, the overdue and upcoming
tables.

Text from the plan and the ledger goes in as `Text` of `visible()` strings, never as
markup, so a title with `[/]` or an escape sequence prints as it is. Each view is
rendered to a string and handed to the terminal, which pages it when it is long. Below
60 columns tables give way to one block per item, so ids stay visible at any width.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import DATED_KINDS, Milestone, Plan, Status, Task
from kttn_cli.core.problems import Problem
from kttn_cli.core.status import SUBMITTED, Judged, Rates, rates
from kttn_cli.core.text import visible
from kttn_cli.i18n import _, language, n_
from kttn_cli.render import describe
from kttn_cli.render.terminal import rendered, terminal

STYLE = {
    Status.ON_TIME: "green",
    Status.DONE: "green",
    Status.LATE: "dark_orange",
    Status.OVERDUE: "bold red",
    Status.DUE_SOON: "yellow",
    Status.PENDING: "blue",
    Status.UNDATED: "bright_black",
    Status.NOT_OWED: "bright_black",
}
MARKS_UNICODE = {
    Status.ON_TIME: "✓",
    Status.DONE: "✓",
    Status.LATE: "✓!",
    Status.OVERDUE: "✗",
    Status.DUE_SOON: "◔",
    Status.PENDING: "·",
    Status.UNDATED: "–",
    Status.NOT_OWED: "∅",
}
MARKS_ASCII = {
    Status.ON_TIME: "OK",
    Status.DONE: "OK",
    Status.LATE: "OK!",
    Status.OVERDUE: "X",
    Status.DUE_SOON: "!",
    Status.PENDING: ".",
    Status.UNDATED: "-",
    Status.NOT_OWED: "0",
}
# A milestone owed by a hundred units stays one row: name this many, count the rest.
MAX_NAMES = 12
# Worst first: what needs chasing comes first in every list of statuses.
SEVERITY = (
    Status.OVERDUE,
    Status.DUE_SOON,
    Status.PENDING,
    Status.LATE,
    Status.UNDATED,
    Status.ON_TIME,
    Status.DONE,
    Status.NOT_OWED,
)
OWED = (Status.OVERDUE, Status.DUE_SOON, Status.PENDING, Status.UNDATED)
ARRIVED = (Status.ON_TIME, Status.LATE, Status.DONE)
# Kinds whose missing units are worth naming; ongoing work is never "missing".
NAMED_MISSING_KINDS = ("date", "quarter", "none")
NARROW = 60


def t(value: str, style: str = "") -> Text:
    """Data as Rich text: control characters made visible, no markup."""
    return Text(visible(value), style=style)


def add_line(text: Text, value: str, style: str = "") -> None:
    """Append `value` (data) on a line of its own."""
    text.append("\n")
    text.append_text(t(value, style))


def _unicode() -> bool:
    return not terminal().fold


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:.1f}%"
    # Vietnamese writes the decimal comma: 85,7%.
    return text.replace(".", ",") if language() == "vi" else text


def label(status: Status) -> Text:
    return Text(describe.status_label(status), style=STYLE[status])


def paragraph(out: Console, text: Text) -> None:
    """Print `text` wrapped to the console, with no trailing spaces on any line."""
    for line in text.wrap(out, out.width):
        line.rstrip()
        out.print(line, overflow="ignore", crop=False)


def header(out: Console, plan: Plan, as_of: date, problems: Sequence[Problem] = ()) -> None:
    """Plan number, date and issuer; its title; the as-of date; problems, if any."""
    paragraph(out, t(describe.plan_heading(plan), "bold"))
    paragraph(out, t(plan.info.title))
    paragraph(out, Text(describe.as_of_line(as_of)))
    blocking = [p for p in problems if p.blocking]
    if blocking:
        from kttn_cli.render.problems import problem_line

        warning = n_(
            "The ledger has {count} problem; some records may not be counted (`kttn check`):",
            "The ledger has {count} problems; some records may not be counted (`kttn check`):",
            len(blocking),
        ).format(count=len(blocking))
        paragraph(out, Text(warning, style="bold red"))
        for problem in blocking[:5]:
            paragraph(out, t(f"  {problem_line(problem)}", "red"))


def deadline_cell(group: Sequence[Judged]) -> Text:
    """A milestone's deadline: the plan's words, then what a reader must know."""
    first = group[0].obligation
    text = t(describe.due_words(first))
    notes = [n for n in describe.due_notes(first) if not first.extended]
    for note in notes:
        text.append("\n")
        text.append_text(t(note, "dim"))
    return text


def _by_milestone(judged: Iterable[Judged]) -> dict[str, list[Judged]]:
    found: dict[str, list[Judged]] = {}
    for j in judged:
        found.setdefault(j.obligation.milestone.id, []).append(j)
    return found


# --- status -------------------------------------------------------------------------------


def render_status(
    plan: Plan,
    everything: list[Judged],
    selected: list[Judged],
    scope: list[Judged],
    as_of: date,
    problems: Sequence[Problem],
) -> str:
    """The dashboard: header, rules, counts and rates, then one row per milestone.

    `scope` is what the unit and task filters chose; `selected` the same, narrowed by
    the status filter: counts, rates and progress are about the scope, the rows and the
    units named are the selection. `everything` answers what a synthesis waits for.
    """
    out = terminal().console()
    header(out, plan, as_of, problems)
    paragraph(out, Text(describe.rules_line(plan.rules), style="dim"))
    _counts(out, rates(scope), scope)
    if not selected:
        paragraph(out, Text(_("Nothing to show.")))
        return rendered(out)
    by_milestone = _by_milestone(selected)
    scope_by_milestone = _by_milestone(scope)
    all_by_milestone = _by_milestone(everything)
    narrow = out.width < NARROW
    table = Table(expand=True, show_lines=True)
    table.add_column(_("Milestone"), ratio=1, overflow="fold", min_width=18)
    if not narrow:
        # 21 columns: "xong trước 30/06/2024" on one line.
        table.add_column(_("Deadline"), width=21, overflow="fold")
        table.add_column(_("Progress"), width=22, overflow="fold")
    for task in plan.tasks:
        shown = [m for m in task.milestones if m.id in by_milestone]
        if not shown:
            continue
        title = t(f"{task.id}  {task.title}", "bold")
        table.add_row(title, *([] if narrow else ["", ""]))
        for milestone in shown:
            group = by_milestone[milestone.id]
            cells = [
                _milestone_cell(plan, milestone, group, all_by_milestone),
                deadline_cell(group),
                _status_cell(group, scope_by_milestone.get(milestone.id, group)),
            ]
            if narrow:
                joined = cells[0]
                for cell in cells[1:]:
                    joined.append("\n")
                    joined.append_text(cell)
                table.add_row(joined)
            else:
                table.add_row(*cells)
    out.print(table)
    return rendered(out)


def _counts(out: Console, summary: Rates, scope: Sequence[Judged]) -> None:
    for statuses in (OWED, ARRIVED):
        items = []
        for status in statuses:
            item = Text(f"{describe.status_label(status)}: ", style=STYLE[status])
            item.append(str(summary.counts[status]), style="bold")
            items.append(item)
        flow(out, items)
    rate_items = []
    for text, value, numerator in (
        (_("Completion rate"), summary.completion, summary.done),
        (_("On-time rate"), summary.on_time, summary.counts[Status.ON_TIME]),
    ):
        shown = _percent(value)
        if value is not None:
            shown = f"{shown} ({numerator}/{summary.denominator})"
        rate_items.append(Text(f"{text}: {shown}"))
    flow(out, rate_items)
    not_owed = summary.counts[Status.NOT_OWED]
    history = sum(1 for j in scope if j.obligation.history)
    if not_owed or history:
        notes = []
        if not_owed:
            notes.append(
                n_(
                    "{count} item falls outside its unit's life span and is not counted",
                    "{count} items fall outside their units' life spans and are not counted",
                    not_owed,
                ).format(count=not_owed)
            )
        if history:
            notes.append(
                n_(
                    "{count} item is the record of a replaced placeholder unit, counted as it "
                    "was recorded",
                    "{count} items are records of replaced placeholder units, counted as they "
                    "were recorded",
                    history,
                ).format(count=history)
            )
        paragraph(out, Text("; ".join(notes) + ".", style="dim"))


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


def _milestone_cell(
    plan: Plan,
    milestone: Milestone,
    group: list[Judged],
    everything: dict[str, list[Judged]],
) -> Text:
    text = t(milestone.id, "bold")
    text.append_text(t(f"  {describe.milestone_title(milestone)}"))
    to = describe.recipients_text(plan, milestone)
    if to:
        add_line(text, to, "dim")
    if len(group) == 1:
        owner = _unit_note(plan, group[0])
        add_line(text, _("Unit: {unit}").format(unit=owner), "dim")
    missing = [j for j in group if j.status not in SUBMITTED and j.status is not Status.NOT_OWED]
    if len(group) > 1 and missing and milestone.deadline.kind in NAMED_MISSING_KINDS:
        names = ", ".join(_unit_note(plan, j) for j in missing[:MAX_NAMES])
        if len(missing) > MAX_NAMES:
            names += f", {'…' if _unicode() else '...'} (+{len(missing) - MAX_NAMES})"
        text.append("\n" + _("Missing ({count}): ").format(count=len(missing)), style="bold")
        text.append_text(t(names))
    if milestone.inputs and missing:
        waiting = []
        for input_id in milestone.inputs:
            inputs = [j for j in everything.get(input_id, []) if j.status is not Status.NOT_OWED]
            done = sum(1 for j in inputs if j.status in SUBMITTED)
            if done < len(inputs):
                waiting.append(f"{input_id} ({done}/{len(inputs)})")
        if waiting:
            text.append("\n" + _("Waiting for: "), style="bold")
            text.append_text(t(", ".join(waiting)))
        else:
            text.append("\n" + _("All inputs received"), style="green")
    return text


def _unit_note(plan: Plan, judged: Judged) -> str:
    """The unit's label, with its own extended deadline when it has one."""
    o = judged.obligation
    name = describe.owner_text(plan, o)
    if o.extended and o.extension is not None:
        extended = _("extended to {date}").format(date=show_date(o.extension.to))
        return f"{name} ({extended})"
    return name


def _bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    full, empty = ("█", "░") if _unicode() else ("#", ".")
    return full * filled + empty * (width - filled)


def _status_cell(group: list[Judged], scope: list[Judged]) -> Text:
    """Progress of the scope (for many units), then one line per status, worst first."""
    text = Text()
    owed = [j for j in scope if j.status is not Status.NOT_OWED]
    if len(owed) > 1:
        done = sum(1 for j in owed if j.status in SUBMITTED)
        text.append(f"{done}/{len(owed)} {_bar(done, len(owed))}")
    for status in SEVERITY:
        members = [j for j in group if j.status is status]
        if not members:
            continue
        if text:
            text.append("\n")
        text.append_text(label(status))
        if len(group) > 1:
            text.append(f": {len(members)}")
        detail = _detail(status, members)
        if detail:
            text.append(f" ({detail})")
    return text


def _span(values: Iterable[int]) -> tuple[str, int]:
    ordered = sorted(set(values))
    low, high = ordered[0], ordered[-1]
    dash = "–" if _unicode() else "-"
    return (str(low) if low == high else f"{low}{dash}{high}"), high


def _detail(status: Status, members: list[Judged]) -> str | None:
    if status is Status.OVERDUE:
        text, high = _span(j.days_overdue or 0 for j in members)
        return n_("{days} day", "{days} days", high).format(days=text)
    if status is Status.LATE:
        text, high = _span(j.days_late or 0 for j in members)
        return n_("{days} day late", "{days} days late", high).format(days=text)
    if status in (Status.DUE_SOON, Status.PENDING):
        text, high = _span(j.days_left or 0 for j in members)
        if high == 0:
            return _("due today")
        return n_("{days} day left", "{days} days left", high).format(days=text)
    return None


# --- board --------------------------------------------------------------------------------


def board_milestones(
    plan: Plan, judged: Sequence[Judged], include_undated: bool
) -> list[Milestone]:
    """The reports owed by several units (through a group or named one by one, an
    ad-hoc task with several units included); undated ones only when asked."""
    owners: dict[str, set[str]] = {}
    for j in judged:
        owners.setdefault(j.obligation.milestone.id, set()).add(j.obligation.unit_id)
    chosen = []
    for milestone in plan.milestones:
        if len(owners.get(milestone.id, ())) < 2:
            continue
        if milestone.deadline.kind in DATED_KINDS or milestone.assigned_by or include_undated:
            chosen.append(milestone)
    return chosen


def render_board(
    plan: Plan,
    judged: list[Judged],
    as_of: date,
    include_undated: bool,
    problems: Sequence[Problem],
) -> str:
    """One grid per task: its units × its multi-unit milestones, a mark and a date each."""
    out = terminal().console()
    header(out, plan, as_of, problems)
    marks = MARKS_UNICODE if _unicode() else MARKS_ASCII
    chosen = {m.id for m in board_milestones(plan, judged, include_undated)}
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
        paragraph(out, t(f"{task.id}  {task.title}", "bold"))
        table = Table(show_lines=False)
        table.add_column(_("Unit"), overflow="fold", min_width=8)
        for number, milestone in enumerate(columns, start=1):
            heading = t(_column_label(task, milestone, number), "bold")
            heading.append("\n")
            heading.append_text(deadline_cell(by_milestone[milestone.id]))
            table.add_column(heading, overflow="fold", min_width=6)
        for unit_id in units:
            row: list[Text] = [t(plan.unit_label(unit_id))]
            for milestone in columns:
                j = cells.get((milestone.id, unit_id))
                if j:
                    seen.add(j.status)
                row.append(_board_cell(j, marks) if j else Text(""))
            table.add_row(*row)
        out.print(table)
        for number, milestone in enumerate(columns, start=1):
            key = t(f"{_column_label(task, milestone, number)} = {milestone.id}", "bold")
            key.append_text(t(f"  {describe.milestone_title(milestone)}"))
            paragraph(out, key)
    if not seen:
        paragraph(out, Text(_("Nothing to show.")))
        return rendered(out)
    out.print()
    legend = [
        Text(f"{marks[s]} {describe.status_label(s)}", style=STYLE[s])
        for s in SEVERITY
        if s in seen
    ]
    flow(out, legend, "   ")
    return rendered(out)


def _column_label(task: Task, milestone: Milestone, number: int) -> str:
    """A column's heading: the milestone's short title, else a number keyed below."""
    if milestone.short:
        return milestone.short
    return f"({number})"


def _board_cell(j: Judged, marks: dict[Status, str]) -> Text:
    """Submitted: the date received. Overdue: days overdue. Not yet due: the mark alone
    (the deadline is in the column's heading), or the unit's own extended deadline."""
    text = Text(marks[j.status], style=STYLE[j.status])
    o = j.obligation
    if j.submission is not None:
        text.append(f" {show_date(j.submission.on)}")
    elif j.status is Status.OVERDUE:
        days = j.days_overdue or 0
        text.append(" +" + n_("{days} day", "{days} days", days).format(days=days))
    elif o.extended and o.extension is not None:
        text.append(f" {show_date(o.extension.to)}")
    return text


# --- overdue and upcoming -----------------------------------------------------------------


def render_rows(
    plan: Plan,
    judged: Sequence[Judged],
    as_of: date,
    heading: str,
    overdue: bool,
    problems: Sequence[Problem],
) -> str:
    """A table of obligations, one row per unit; a milestone's title and recipient on the
    first of its consecutive rows, so a report owed by twelve units reads as one block."""
    out = terminal().console()
    header(out, plan, as_of, problems)
    paragraph(out, Text(f"{heading}: {len(judged)}", style="bold"))
    if not judged:
        paragraph(out, Text(_("Nothing to show.")))
        return rendered(out)
    if out.width < NARROW:
        for j in judged:
            block = t(j.obligation.milestone.id, "bold")
            block.append_text(t(f"  {plan.unit_label(j.obligation.unit_id)}"))
            add_line(block, f"  {describe.due_line(j.obligation)} — {describe.time_left(j)}")
            paragraph(out, block)
        return rendered(out)
    unit_heading = _("Unit")
    unit_width = max(len(plan.unit_label(j.obligation.unit_id)) for j in judged)
    table = Table(expand=True)
    table.add_column(_("Deadline"), width=21, overflow="fold")
    table.add_column(_("Overdue") if overdue else _("Left"), width=9, overflow="fold")
    table.add_column(
        unit_heading, width=min(max(unit_width, len(unit_heading)), 24), overflow="fold"
    )
    table.add_column(_("Milestone"), ratio=1, overflow="fold", min_width=16)
    previous: str | None = None
    for j in judged:
        o = j.obligation
        when = Text(describe.time_left(j), style=STYLE[j.status])
        milestone = t(o.milestone.id, "bold")
        if o.milestone.id != previous:
            milestone.append_text(t(f"  {describe.milestone_title(o.milestone)}"))
            to = describe.recipients_text(plan, o.milestone)
            if to:
                add_line(milestone, to, "dim")
        previous = o.milestone.id
        due = t(describe.due_words(o))
        for note in describe.due_notes(o):
            due.append("\n")
            due.append_text(t(note, "dim"))
        table.add_row(due, when, t(describe.owner_text(plan, o)), milestone)
    out.print(table)
    return rendered(out)
