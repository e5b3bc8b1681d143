"""For scripts and cron: `export` (CSV, JSON, iCalendar) and `remind` (e-mail over SMTP)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kttn_cli.cli.app import command
from kttn_cli.cli.session import AsOfOption, LangOption, LedgerOption, PlanOption, Session
from kttn_cli.cli.views import StatusFilter, TaskFilter, UnitFilter, select
from kttn_cli.errors import UsageError


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    ics = "ics"


@command("export")
def export_command(
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv, json or ics (iCalendar)")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout",
                     show_default=False),
    ] = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="CSV: keep cells exactly, even those a spreadsheet "
                           "would run as a formula")
    ] = False,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV: byte-order mark and CRLF, so Excel shows "
                           "Vietnamese")
    ] = False,
    delimiter: Annotated[
        str | None,
        typer.Option("--delimiter", help="CSV: field separator, e.g. ';' for "
                     "Vietnamese-locale Excel, or 'tab' [default: ,]", show_default=False),
    ] = None,
    alarm_days: Annotated[
        int | None,
        typer.Option("--alarm-days", min=0, max=366, help="iCalendar: a reminder at 09:00, "
                     "N days before each open deadline", show_default=False),
    ] = None,
    unit: UnitFilter = None,
    task: TaskFilter = None,
    status: StatusFilter = None,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Obligations as CSV, JSON or iCalendar, with the filters of `status`.

    JSON and CSV carry the rows of DESIGN §4; iCalendar has one all-day event per dated
    milestone. The same inputs give the same bytes. CSV cells that a spreadsheet would run
    as a formula are prefixed with ' unless --raw.
    """
    from kttn_cli import export
    from kttn_cli.core.rows import to_row

    session = Session(plan, ledger, as_of, lang)
    csv_only = {"--raw": raw, "--excel": excel, "--delimiter": delimiter is not None}
    for option, given in csv_only.items():
        if given and output_format is not ExportFormat.csv:
            raise UsageError("err.option_for_format", option=option, format="csv")
    if alarm_days is not None and output_format is not ExportFormat.ics:
        raise UsageError("err.option_for_format", option="--alarm-days", format="ics")
    separator = _delimiter(delimiter)
    judged = select(session, unit, task, status)
    full_plan = session.full_plan
    rows = [to_row(full_plan, j) for j in judged]
    if output_format is ExportFormat.json:
        data = export.json_bytes(full_plan, session.as_of, rows)
    elif output_format is ExportFormat.csv:
        data = export.csv_bytes(rows, raw=raw, excel=excel, delimiter=separator)
    else:
        data = export.ics_bytes(full_plan, session.as_of, rows, session.lang, alarm_days)
    if output is None or str(output) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    _write_output(output, data)


def _delimiter(value: str | None) -> str:
    if value is None:
        return ","
    text = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
    if len(text) != 1 or text in "\"\r\n":
        raise UsageError("err.bad_delimiter", value=value)
    return text


def _write_output(path: Path, data: bytes) -> None:
    from kttn_cli.storage.atomic import default_mode, replace_file

    try:
        mode = path.stat().st_mode & 0o7777  # keep the permissions of the file replaced
    except OSError:
        mode = default_mode()
    replace_file(path, data, mode=mode)

