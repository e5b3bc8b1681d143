"""The board as an Excel workbook (`kttn board --format xlsx`, `kttn export --format xlsx`).

- A summary sheet: per unit, the count of each status and the two rates, and a native
  bar chart (on time / late / overdue per unit) that Excel and LibreOffice draw from the
  cells, without macros.
- One sheet per task: units × milestones, a real date in each cell received (or the
  last day in force of one still open), one fill colour per status, with its legend.
- A sheet with the rows of the JSON document (`core.rows`), keys as the header.

Every sheet is set up to print: A4 landscape, one page wide, its header rows repeated;
the header row and the first column stay in view (frozen), with an autofilter.

xlsxwriter writes it: it writes charts, print set-up, frozen panes and filters that both
Excel and LibreOffice read, from plain Python values, and writes the archive in memory
with fixed timestamps (openpyxl reads workbooks too, which kttn does not need, and its
charts need more code for the same result).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import xlsxwriter

from kttn_cli.core.model import Milestone, Plan, Status
from kttn_cli.core.rows import ROW_KEYS, to_row
from kttn_cli.core.status import SUBMITTED, Judged, rates
from kttn_cli.documents.archive import stamp
from kttn_cli.i18n import _
from kttn_cli.render import describe

FONT = "Times New Roman"
DATE_FORMAT = "dd/mm/yyyy"
# One fill colour per status (cells, legend and the summary's headings).
FILL = {
    Status.OVERDUE: "#F4B6B6",
    Status.DUE_SOON: "#FCE4A6",
    Status.PENDING: "#DDEBF7",
    Status.LATE: "#F8CBAD",
    Status.ON_TIME: "#C6EFCE",
    Status.DONE: "#A9D08E",
    Status.UNDATED: "#EDEDED",
    Status.NOT_OWED: "#D0CECE",
}
# The chart's bars, darker than the cells so they read on paper.
BAR = {Status.ON_TIME: "#548235", Status.LATE: "#ED7D31", Status.OVERDUE: "#C00000"}
CHARTED = (Status.ON_TIME, Status.LATE, Status.OVERDUE)
# The summary's columns of counts, in the order of the dashboard (received first).
COUNTED = (
    Status.ON_TIME,
    Status.LATE,
    Status.OVERDUE,
    Status.DUE_SOON,
    Status.PENDING,
    Status.DONE,
    Status.UNDATED,
)
A4 = 9  # xlsxwriter's paper code
# Characters a sheet name cannot hold.
_NOT_IN_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, book: Any) -> None:
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        grid = {**base, "border": 1}
        self.title = book.add_format({**base, "bold": True, "font_size": 14})
        self.text = book.add_format(base)
        self.bold = book.add_format({**base, "bold": True})
        self.heading = book.add_format(
            {**grid, "bold": True, "text_wrap": True, "align": "center", "bg_color": "#D9D9D9"}
        )
        self.cell = book.add_format({**grid, "text_wrap": True})
        self.number = book.add_format({**grid, "align": "center"})
        self.total = book.add_format({**grid, "align": "center", "bold": True})
        self.total_label = book.add_format({**grid, "bold": True})
        self.percent = book.add_format({**grid, "align": "center", "num_format": "0.0%"})
        self.date = book.add_format({**grid, "align": "center", "num_format": DATE_FORMAT})
        self.status = {
            s: book.add_format({**grid, "align": "center", "text_wrap": True, "bg_color": c})
            for s, c in FILL.items()
        }
        self.status_date = {
            s: book.add_format(
                {**grid, "align": "center", "bg_color": c, "num_format": DATE_FORMAT}
            )
            for s, c in FILL.items()
        }
        self.status_heading = {
            s: book.add_format(
                {**grid, "bold": True, "text_wrap": True, "align": "center", "bg_color": c}
            )
            for s, c in FILL.items()
        }


def workbook_xlsx(
    plan: Plan, judged: Sequence[Judged], as_of: date, grid: Sequence[Milestone]
) -> bytes:
    """The workbook of `judged` (the selection) as of `as_of`; the task sheets show the
    milestones of `grid` (e.g. the board's: those owed by several units)."""
    buffer = io.BytesIO()
    # in_memory: the archive's entries get xlsxwriter's fixed 1980-01-01 stamp. Text is
    # written as text, never read as a formula, number or link.
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": DATE_FORMAT,
            "default_format_properties": {"font_name": FONT, "font_size": 12},
        },
    )
    book.set_properties(
        {
            "title": describe.plan_heading(plan),
            "author": "kttn",
            "comments": describe.as_of_line(as_of),
            "created": stamp(as_of).replace(tzinfo=None),
        }
    )
    formats = _Formats(book)
    summary = book.add_worksheet(_sheet_name(_("Summary"), set()))
    used = {summary.get_name()}
    names = {}
    for task in plan.tasks:
        ids = {m.id for m in grid if m.task_id == task.id}
        if ids:
            names[task.id] = _sheet_name(task.id, used)
            used.add(names[task.id])
    rows_sheet_name = _sheet_name(_("Rows"), used)
    _summary_sheet(book, summary, formats, plan, judged, as_of)
    for task_id, name in names.items():
        sheet = book.add_worksheet(name)
        columns = [m for m in grid if m.task_id == task_id]
        _task_sheet(sheet, formats, plan, task_id, columns, judged, as_of)
    _rows_sheet(book.add_worksheet(rows_sheet_name), formats, plan, judged)
    book.close()
    return buffer.getvalue()


def _sheet_name(text: str, used: set[str]) -> str:
    """A valid, unused sheet name: at most 31 characters, none of []:*?/\\."""
    base = text.translate(_NOT_IN_NAMES).strip("'")[:31] or "_"
    name, number = base, 1
    while name.lower() in {u.lower() for u in used}:
        number += 1
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
    return name


def _print_setup(sheet: Any, header_row: int) -> None:
    """A4 landscape, one page wide, the header row on every page."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer("&C&P/&N")


def _units_of(plan: Plan, judged: Sequence[Judged]) -> list[str]:
    """Units in plan order, then any the plan no longer lists, in order met."""
    present = dict.fromkeys(j.obligation.unit_id for j in judged)
    ordered = [u.id for u in plan.units if u.id in present]
    return ordered + [u for u in present if u not in set(ordered)]


def _summary_sheet(
    book: Any,
    sheet: Any,
    formats: _Formats,
    plan: Plan,
    judged: Sequence[Judged],
    as_of: date,
) -> None:
    sheet.write_string(0, 0, describe.plan_heading(plan), formats.title)
    sheet.write_string(1, 0, plan.info.title, formats.text)
    sheet.write_string(2, 0, describe.as_of_line(as_of), formats.text)
    top = 4
    headers = [_("No."), _("Unit")]
    headers += [describe.status_label(s) for s in COUNTED]
    headers += [_("Completion rate"), _("On-time rate")]
    for col, text in enumerate(headers):
        status = COUNTED[col - 2] if 2 <= col < 2 + len(COUNTED) else None
        fmt = formats.status_heading[status] if status else formats.heading
        sheet.write_string(top, col, text, fmt)
    units = _units_of(plan, judged)
    for index, unit_id in enumerate(units, start=1):
        row = top + index
        mine = [j for j in judged if j.obligation.unit_id == unit_id]
        summary = rates(mine)
        sheet.write_number(row, 0, index, formats.number)
        sheet.write_string(row, 1, plan.unit_label(unit_id), formats.cell)
        for offset, status in enumerate(COUNTED):
            sheet.write_number(row, 2 + offset, summary.counts[status], formats.number)
        _rate(sheet, row, 2 + len(COUNTED), summary.completion, formats)
        _rate(sheet, row, 3 + len(COUNTED), summary.on_time, formats)
    total_row = top + len(units) + 1
    overall = rates(judged)
    sheet.write_string(total_row, 0, "", formats.total_label)
    sheet.write_string(total_row, 1, _("Total"), formats.total_label)
    for offset, status in enumerate(COUNTED):
        sheet.write_number(total_row, 2 + offset, overall.counts[status], formats.total)
    _rate(sheet, total_row, 2 + len(COUNTED), overall.completion, formats)
    _rate(sheet, total_row, 3 + len(COUNTED), overall.on_time, formats)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, len(headers) - 1, 13)
    sheet.set_row(top, 48)
    sheet.freeze_panes(top + 1, 2)
    if units:
        sheet.autofilter(top, 0, top + len(units), len(headers) - 1)
    _print_setup(sheet, top)
    if not units:
        return
    name = sheet.get_name()
    first, last = top + 1, top + len(units)
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    for status in CHARTED:
        col = 2 + COUNTED.index(status)
        chart.add_series(
            {
                "name": [name, top, col],
                "categories": [name, first, 1, last, 1],
                "values": [name, first, col, last, col],
                "fill": {"color": BAR[status]},
                "border": {"none": True},
                "gap": 60,
            }
        )
    font = {"name": FONT, "size": 11}
    chart.set_title({"name": _("On time, late and overdue, by unit"), "name_font": font})
    chart.set_y_axis({"reverse": True, "num_font": font})  # units top to bottom
    # Counts are whole numbers: ticks at whole steps, about ten across.
    most = max(
        sum(rates([j for j in judged if j.obligation.unit_id == u]).counts[s] for s in CHARTED)
        for u in units
    )
    chart.set_x_axis(
        {
            "min": 0,
            "major_unit": max(1, -(-most // 10)),
            "num_format": "0",
            "num_font": font,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_legend({"position": "top", "font": font})
    chart.set_chartarea({"border": {"none": True}})
    chart.set_size({"width": 760, "height": 130 + 24 * len(units)})
    sheet.insert_chart(total_row + 2, 1, chart)


def _rate(sheet: Any, row: int, col: int, value: float | None, formats: _Formats) -> None:
    if value is None:
        sheet.write_string(row, col, "—", formats.number)
    else:
        sheet.write_number(row, col, value, formats.percent)


def _task_sheet(
    sheet: Any,
    formats: _Formats,
    plan: Plan,
    task_id: str,
    columns: Sequence[Milestone],
    judged: Sequence[Judged],
    as_of: date,
) -> None:
    task = plan.task(task_id)
    sheet.write_string(0, 0, f"{task.id}  {task.title}", formats.title)
    sheet.write_string(1, 0, describe.as_of_line(as_of), formats.text)
    top = 3
    ids = {m.id for m in columns}
    mine = [j for j in judged if j.obligation.milestone.id in ids]
    cells = {(j.obligation.milestone.id, j.obligation.unit_id): j for j in mine}
    sheet.write_string(top, 0, _("Unit"), formats.heading)
    for col, milestone in enumerate(columns, start=1):
        group = [j for j in mine if j.obligation.milestone.id == milestone.id]
        heading = milestone.label
        if group:
            heading += "\n" + _deadline(group)
        sheet.write_string(top, col, heading, formats.heading)
    units = list(dict.fromkeys(j.obligation.unit_id for j in mine))
    seen: set[Status] = set()
    for index, unit_id in enumerate(units, start=1):
        row = top + index
        sheet.write_string(row, 0, plan.unit_label(unit_id), formats.cell)
        for col, milestone in enumerate(columns, start=1):
            found = cells.get((milestone.id, unit_id))
            if found is None:
                sheet.write_blank(row, col, None, formats.cell)
                continue
            seen.add(found.status)
            _grid_cell(sheet, row, col, found, formats)
    last = top + len(units)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, max(1, len(columns)), 20)
    sheet.set_row(top, 62)
    sheet.freeze_panes(top + 1, 1)
    sheet.autofilter(top, 0, max(last, top + 1), len(columns))
    _print_setup(sheet, top)
    row = last + 2
    for milestone in columns:
        text = f"{milestone.label} = {milestone.id}  {describe.milestone_title(milestone)}"
        sheet.write_string(row, 0, text, formats.text)
        row += 1
    row += 1
    sheet.write_string(row, 0, _("Legend"), formats.bold)
    for status in (*COUNTED, Status.NOT_OWED):
        if status not in seen:
            continue
        row += 1
        sheet.write_string(row, 0, describe.status_label(status), formats.status[status])
        sheet.write_string(row, 1, _legend_note(status), formats.text)


def _deadline(group: Sequence[Judged]) -> str:
    """The plan's words and the last day, without any one unit's extension."""
    plain = [j for j in group if not j.obligation.extended]
    if plain:
        o = plain[0].obligation
        return "\n".join([describe.due_words(o), *describe.due_notes(o)])
    return describe.deadline_words(group[0].obligation.milestone.deadline)


def _grid_cell(sheet: Any, row: int, col: int, j: Judged, formats: _Formats) -> None:
    """Received: the day received. Overdue: how long. Still open with a day: the last day
    in force (a unit's own extension included). No day: the status in words."""
    if j.submission is not None:
        sheet.write_datetime(row, col, j.submission.on, formats.status_date[j.status])
    elif j.status is Status.OVERDUE:
        sheet.write_string(row, col, describe.time_left(j), formats.status[j.status])
    elif j.obligation.due is not None and j.status not in SUBMITTED:
        sheet.write_datetime(row, col, j.obligation.due, formats.status_date[j.status])
    else:
        sheet.write_string(row, col, describe.status_label(j.status), formats.status[j.status])


def _legend_note(status: Status) -> str:
    if status in SUBMITTED:
        return _("the cell shows the day received")
    if status is Status.OVERDUE:
        return _("the cell shows how long overdue")
    if status in (Status.DUE_SOON, Status.PENDING):
        return _("the cell shows the last day in force")
    return ""


def _rows_sheet(sheet: Any, formats: _Formats, plan: Plan, judged: Sequence[Judged]) -> None:
    """The rows of the JSON document: the same keys, dates as dates."""
    for col, key in enumerate(ROW_KEYS):
        sheet.write_string(0, col, key, formats.heading)
    for number, j in enumerate(judged, start=1):
        row = to_row(plan, j)
        for col, key in enumerate(ROW_KEYS):
            _value(sheet, number, col, getattr(row, key), formats)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(judged), 1), len(ROW_KEYS) - 1)
    sheet.set_column(0, len(ROW_KEYS) - 1, 16)
    _print_setup(sheet, 0)


def _value(sheet: Any, row: int, col: int, value: object, formats: _Formats) -> None:
    if value is None:
        sheet.write_blank(row, col, None, formats.cell)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, formats.number)
    elif isinstance(value, int):
        sheet.write_number(row, col, value, formats.number)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, Status):
        sheet.write_string(row, col, value.value, formats.status[value])
    elif isinstance(value, tuple):
        sheet.write_string(row, col, ";".join(value), formats.cell)
    else:
        sheet.write_string(row, col, str(value), formats.cell)
