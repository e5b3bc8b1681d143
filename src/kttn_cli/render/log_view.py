"""The ledger's records for people: `kttn log`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from kttn_cli.core.dates import VN_ZONE, show_date
from kttn_cli.core.model import RECORD_TYPES, Extension, LedgerRecord, Plan, Submission, Void
from kttn_cli.core.status import Ledger
from kttn_cli.i18n import Lang, say
from kttn_cli.render.terminal import console


def _unit(plan: Plan, unit_id: str) -> str:
    return plan.unit(unit_id).label if plan.has_unit(unit_id) else unit_id


def details(plan: Plan, record: LedgerRecord, lang: Lang) -> str:
    if isinstance(record, Submission):
        parts = [record.milestone, _unit(plan, record.unit), show_date(record.on)]
        parts += [p for p in (record.reference, record.note) if p]
        return " — ".join(parts)
    if isinstance(record, Void):
        return f"{record.target}: {record.reason}"
    if isinstance(record, Extension):
        return (
            f"{record.milestone} — {_unit(plan, record.unit)} → {show_date(record.to)}: "
            f"{record.reason}"
        )
    return (
        f"{record.milestone} {record.title} — {show_date(record.due) or '—'} — "
        f"{', '.join(record.units)} — {record.assigned_by}"
    )


def render_log(plan: Plan, ledger: Ledger, lang: Lang) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(VN_ZONE)
    voided_by = {r.target: r.id for r in ledger.records if isinstance(r, Void)}
    table = Table(expand=True)
    table.add_column(say("col.id", lang), min_width=4)
    table.add_column(say("col.kind", lang), ratio=2, overflow="fold")
    table.add_column(say("col.recorded", lang), ratio=2, overflow="fold")
    by = say("col.by", lang)
    # A ratio alone gave "Người ghi" 4 columns at 80: the header broke inside a word.
    table.add_column(by, ratio=1, width=len(by), overflow="fold")
    table.add_column(say("col.details", lang), ratio=6, overflow="fold")
    for record in ledger.records:
        when = record.recorded_at.astimezone(zone)
        text = Text(details(plan, record, lang))
        if record.id in voided_by:
            text.stylize("strike")
            text.append(f" ({say('voided_by', lang, id=voided_by[record.id])})", style="dim")
        table.add_row(
            Text(record.id),
            Text(say(f"log.type.{RECORD_TYPES[type(record)]}", lang)),
            Text(f"{show_date(when.date())} {when:%H:%M}"),
            Text(record.recorded_by),
            text,
        )
    if not ledger.records:
        console().print(say("nothing", lang))
        return
    console().print(table)
