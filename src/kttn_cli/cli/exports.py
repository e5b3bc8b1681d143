"""For scripts and cron: `export` (CSV, JSON, iCalendar) and `remind` (e-mail over SMTP)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kttn_cli.cli.app import command, error_line
from kttn_cli.cli.session import AsOfOption, LangOption, LedgerOption, PlanOption, Session
from kttn_cli.cli.views import StatusFilter, TaskFilter, UnitFilter, select
from kttn_cli.errors import KttnError, TemporaryFailure, UsageError
from kttn_cli.i18n import Lang
from kttn_cli.render.terminal import write_bytes


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
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (atomically) instead of stdout",
            show_default=False,
        ),
    ] = None,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw", help="CSV: keep cells exactly, even those a spreadsheet would run as a formula"
        ),
    ] = False,
    excel: Annotated[
        bool,
        typer.Option("--excel", help="CSV: byte-order mark and CRLF, so Excel shows Vietnamese"),
    ] = False,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter",
            help="CSV: field separator, e.g. ';' for "
            "Vietnamese-locale Excel, or 'tab' (default: comma)",
            show_default=False,
        ),
    ] = None,
    alarm_days: Annotated[
        int | None,
        typer.Option(
            "--alarm-days",
            min=0,
            max=366,
            help="iCalendar: a reminder at 09:00, N days before each open deadline",
            show_default=False,
        ),
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

    JSON and CSV carry one row per obligation (its keys are the CSV header); iCalendar
    has one all-day event per dated milestone. The same inputs give the same bytes. CSV
    cells that a spreadsheet would run as a formula are prefixed with ' unless --raw.
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
        write_bytes(data)
        return
    from kttn_cli.storage.atomic import write_output

    write_output(output, data)


def _delimiter(value: str | None) -> str:
    if value is None:
        return ","
    text = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
    if len(text) != 1 or text in '"\r\n':
        raise UsageError("err.bad_delimiter", value=value)
    return text


@command("remind")
def remind_command(
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="Send the summary (everything, grouped by unit) to this address; repeatable",
        ),
    ] = None,
    contacts: Annotated[
        Path | None,
        typer.Option(
            "--contacts",
            help="TOML file of unit id = address, or a list of addresses: "
            "each unit gets a message with only its own items",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the messages; open no connection")
    ] = False,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """E-mail the overdue and due-soon obligations over SMTP (for cron).

    Settings come from the environment: KTTN_SMTP_HOST, KTTN_SMTP_PORT, KTTN_SMTP_TLS
    (starttls, ssl, or none for a server on localhost), KTTN_SMTP_USER,
    KTTN_SMTP_PASSWORD or KTTN_SMTP_PASSWORD_FILE, KTTN_MAIL_FROM, KTTN_SMTP_TIMEOUT.
    Certificates are always verified. Exit 0 when every message was accepted, 75 when
    the server is unreachable, times out or answers 4xx (try again later), 78 when
    settings are missing, 65 for a bad contacts file or a rejected message.
    """
    import os

    from kttn_cli import mail
    from kttn_cli.cli.session import now_in_vietnam
    from kttn_cli.core.dates import show_date
    from kttn_cli.core.text import one_line
    from kttn_cli.i18n import say, say_n
    from kttn_cli.storage.contacts import is_address, load_contacts

    session = Session(plan, ledger, as_of, lang)
    addresses = [a.strip() for item in to or () for a in item.split(",") if a.strip()]
    for address in addresses:
        if not is_address(address):
            raise UsageError("err.bad_address", value=address)
    if not addresses and contacts is None:
        raise UsageError("err.no_recipients")
    settings = None
    if dry_run:
        sender = mail.sender_from_env(os.environ) if os.environ.get("KTTN_MAIL_FROM") else None
    else:
        settings = mail.settings_from_env(os.environ)
        sender = settings.sender
    book = load_contacts(contacts, session.plan, session.lang) if contacts else None
    full_plan = session.full_plan
    batch = mail.compose(
        full_plan,
        session.judged,
        session.as_of,
        session.lang,
        tuple(dict.fromkeys(addresses)),
        book,
    )
    out = sys.stdout
    if batch.unaddressed:
        names = ", ".join(one_line(full_plan.unit(u).label) for u in batch.unaddressed)
        out.write(say("remind.no_address", session.lang, units=names) + "\n")
    if not batch.reminders:
        if not batch.unaddressed:
            out.write(say("remind.nothing", session.lang, date=show_date(session.as_of)) + "\n")
        return
    now = now_in_vietnam()
    messages = [mail.message(r, sender, now) for r in batch.reminders]
    if settings is None:
        for msg in messages:
            out.write("-" * 72 + "\n" + mail.preview(msg) + "\n")
        out.write(say_n("remind.dry_run", session.lang, len(messages), count=len(messages)) + "\n")
        return
    delivery = mail.send(
        settings, [(m, r.to) for m, r in zip(messages, batch.reminders, strict=True)]
    )
    for index in delivery.sent:
        reminder = batch.reminders[index]
        out.write(
            say_n(
                "remind.sent",
                session.lang,
                reminder.items,
                to=", ".join(reminder.to),
                count=reminder.items,
            )
            + "\n"
        )
    out.flush()
    if delivery.failed:
        _fail(delivery.failed, len(messages), session.lang)


def _fail(failed: list[tuple[int, KttnError]], total: int, lang: Lang) -> None:
    """Name every failed message on stderr; exit with the code of the one that matters
    most: a permanent failure (78, 65) before a temporary one (75)."""
    errors = [error for _, error in failed]
    worst = next((e for e in errors if not isinstance(e, TemporaryFailure)), errors[0])
    if len(errors) == 1:
        raise worst
    for error in errors:
        error_line(error.message(lang))
    raise type(worst)("err.smtp_failed", failed=len(errors), total=total, first=worst.message(lang))
