"""Outputs for scripts, spreadsheets and calendars: export."""

from __future__ import annotations

from pathlib import Path

from kttn_cli.cli.options import FILTERS, STATE
from kttn_cli.cli.select import select
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.errors import UsageError
from kttn_cli.i18n import N_

OUTPUT = Param(
    "output",
    "--output",
    "-o",
    metavar=N_("FILE"),
    complete="file",
    help=N_("Write to this file (atomically) instead of stdout."),
)


@command(
    "export",
    Param(
        "output_format",
        "--format",
        "-f",
        metavar=N_("FORMAT"),
        choices=("csv", "json", "ics", "xlsx"),
        required=True,
        help=N_("csv, json, ics (iCalendar) or xlsx (an Excel workbook)."),
    ),
    OUTPUT,
    Param(
        "raw",
        "--raw",
        kind="flag",
        default=False,
        help=N_("CSV: keep cells exactly, even those a spreadsheet would run as a formula."),
    ),
    Param(
        "excel",
        "--excel",
        kind="flag",
        default=False,
        help=N_("CSV: byte-order mark and CRLF, so Excel shows Vietnamese."),
    ),
    Param(
        "delimiter",
        "--delimiter",
        metavar=N_("CHARACTER"),
        help=N_("CSV: field separator, e.g. ';' for Vietnamese-locale Excel, or 'tab'."),
    ),
    Param(
        "alarm_days",
        "--alarm-days",
        metavar=N_("DAYS"),
        help=N_("iCalendar: a reminder at 09:00, N days before each open deadline."),
    ),
    *FILTERS,
    *STATE,
    examples=(
        ("kttn export --format json > kttn.json", N_("Every obligation, for scripts.")),
        (
            "kttn export --format csv --excel --delimiter ';' --output bao-cao.csv",
            N_("For Excel on Vietnamese Windows."),
        ),
        ("kttn export --format ics --alarm-days 3 --output kttn.ics", N_("For a calendar.")),
    ),
)
def export(
    s: Session,
    *,
    output_format: str,
    output: str | None,
    raw: bool,
    excel: bool,
    delimiter: str | None,
    alarm_days: str | None,
    units: list[str] | None,
    tasks: list[str] | None,
    statuses: list[str] | None,
) -> None:
    """Obligations as CSV, JSON, iCalendar or an Excel workbook, with the filters of
    `status`.

    JSON and CSV carry one row per obligation (its keys are the CSV header); iCalendar
    has one all-day event per dated milestone; xlsx is the board's workbook (a sheet per
    task, a summary with a chart, the rows). The same inputs give the same bytes. CSV
    cells that a spreadsheet would run as a formula get a leading ' unless --raw.
    """
    from kttn_cli import export as formats
    from kttn_cli.core.rows import to_row

    for option, given in {
        "--raw": raw,
        "--excel": excel,
        "--delimiter": delimiter is not None,
    }.items():
        if given and output_format != "csv":
            raise UsageError(
                N_("{option} applies only to --format {format}"), option=option, format="csv"
            )
    if alarm_days is not None and output_format != "ics":
        raise UsageError(
            N_("{option} applies only to --format {format}"), option="--alarm-days", format="ics"
        )
    separator = _delimiter(delimiter)
    alarm = _alarm_days(alarm_days)
    judged = select(s, units, tasks, statuses)
    if output_format == "xlsx":
        from kttn_cli.cli.commands.documents import write_workbook

        shown = {j.obligation.milestone.id for j in judged}
        write_workbook(s, judged, [m for m in s.plan.milestones if m.id in shown], output)
        return
    rows = [to_row(s.plan, j) for j in judged]
    if output_format == "json":
        data = formats.json_bytes(s.plan, s.as_of, rows)
    elif output_format == "csv":
        data = formats.csv_bytes(rows, raw=raw, excel=excel, delimiter=separator)
    else:
        from kttn_cli.cli.lookup import find_unit
        from kttn_cli.cli.session import now_utc
        from kttn_cli.storage.loader import read_ledger

        # The whole ledger, withdrawn records too: an event's SEQUENCE only grows.
        ledger, _parsed = read_ledger(s.ledger_path, s.state.plan)
        data = formats.ics_bytes(
            s.plan,
            s.as_of,
            rows,
            alarm,
            now=now_utc(),
            records=ledger.records,
            units=[find_unit(s.plan, u) for u in units or ()],
        )
    if output is None or output == "-":
        s.terminal.write_bytes(data)
        return
    from kttn_cli.storage.atomic import write_output

    write_output(Path(output), data)


def _delimiter(value: str | None) -> str:
    if value is None:
        return ","
    text = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
    if len(text) != 1 or text in '"\r\n':
        raise UsageError(
            N_(
                "invalid delimiter {value!r}: use one character (or `tab`), "
                "not a double quote or a line break"
            ),
            value=value,
        )
    return text


def _alarm_days(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > 366:
        raise UsageError(
            N_("invalid number of days {value!r} (--alarm-days): use 0 to 366"), value=value
        )
    return int(text)
