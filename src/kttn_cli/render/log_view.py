"""The ledger's records for people: `kttn log`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from kttn_cli.core.dates import VN_TIME, show_date
from kttn_cli.core.ledger import Ledger
from kttn_cli.core.model import (
    AdHocTask,
    Extension,
    LedgerRecord,
    Plan,
    Schedule,
    Submission,
    Void,
)
from kttn_cli.i18n import N_, _
from kttn_cli.render.status_views import t
from kttn_cli.render.terminal import rendered, terminal

KIND_LABELS: dict[type, str] = {
    Submission: N_("Delivered"),
    Void: N_("Withdrawal"),
    Extension: N_("Extension"),
    Schedule: N_("Day set"),
    AdHocTask: N_("Ad-hoc task"),
}


def details(plan: Plan, record: LedgerRecord) -> str:
    if isinstance(record, Submission):
        parts = [record.milestone, plan.unit_label(record.unit), show_date(record.on)]
        parts += [p for p in (record.reference, record.note) if p]
        return " — ".join(parts)
    if isinstance(record, Void):
        return f"{record.target}: {record.reason}"
    if isinstance(record, Extension):
        return (
            f"{record.milestone} — {plan.unit_label(record.unit)} → {show_date(record.to)}: "
            f"{record.reason}"
        )
    if isinstance(record, Schedule):
        return f"{record.milestone} → {show_date(record.on)}: {record.reason}"
    return (
        f"{record.milestone} {record.title} — {show_date(record.due) or '—'} — "
        f"{', '.join(record.units)} — {record.assigned_by}"
    )


def render_log(plan: Plan, ledger: Ledger) -> str:
    out = terminal().console()
    if not ledger.records:
        out.print(_("Nothing to show."))
        return rendered(out)
    voided_by = ledger.voided
    table = Table(expand=True)
    table.add_column(_("Id"), min_width=4, no_wrap=True)
    table.add_column(_("Kind"), ratio=2, overflow="fold")
    table.add_column(_("Recorded"), ratio=2, overflow="fold")
    by = _("By")
    # Sized to its content, at least its longest header word: "Người ghi" must not
    # break inside "Người" (a ratio column ignores its min_width when space is short).
    table.add_column(by, min_width=max(len(word) for word in by.split()), overflow="fold")
    table.add_column(_("Details"), ratio=6, overflow="fold")
    for record in ledger.records:
        when = record.recorded_at.astimezone(VN_TIME)
        text = t(details(plan, record))
        if record.id in voided_by:
            text.stylize("strike")
            text.append(" " + _("(withdrawn by {id})").format(id=voided_by[record.id]), style="dim")
        table.add_row(
            t(record.id),
            Text(_(KIND_LABELS[type(record)])),
            Text(f"{show_date(when.date())} {when:%H:%M}"),
            t(record.recorded_by),
            text,
        )
    out.print(table)
    return rendered(out)
