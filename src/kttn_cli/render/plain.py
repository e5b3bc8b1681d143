"""Plain text lines for mail and pipes: no Rich, no colour, one obligation a line."""

from __future__ import annotations

from datetime import date

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import Plan, Status
from kttn_cli.core.status import Judged
from kttn_cli.i18n import Lang, say


def plain_lines(plan: Plan, judged: list[Judged], as_of: date, lang: Lang, view: str) -> str:
    """A heading, then `due | days | unit | milestone title | → recipient` per obligation."""
    title = say(f"status.{Status.OVERDUE.value}" if view == "overdue" else "status.due_soon",
                lang)
    lines = [
        f"{say('plan_header', lang, number=plan.info.number)} — {title} — "
        f"{say('as_of', lang, date=show_date(as_of))}: {len(judged)}"
    ]
    for j in judged:
        o = j.obligation
        if j.days_overdue is not None:
            when = say("overdue_by", lang, days=j.days_overdue)
        else:
            when = say("status.due_soon", lang) if j.status is Status.DUE_SOON else ""
            when = f"{when} ({j.days_left})" if when else str(j.days_left)
        recipient = plan.unit(o.milestone.recipient).label if o.milestone.recipient else ""
        lines.append(
            " | ".join((
                show_date(o.due), when, plan.unit(o.unit_id).name,
                f"{o.milestone.id} {o.milestone.title}", f"→ {recipient}" if recipient else "",
            )).rstrip(" |")
        )
    return "\n".join(lines) + "\n"
