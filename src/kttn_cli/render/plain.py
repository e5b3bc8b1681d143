"""Plain text lines for mail and pipes: no Rich, no colour, one obligation a line.

This is what cron mails (`kttn overdue --format plain`), so it imports nothing heavy and
never wraps: a mail client wraps long lines better than we can guess its width.
"""

from __future__ import annotations

from datetime import date

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import Plan
from kttn_cli.core.status import Judged, Obligation
from kttn_cli.core.text import one_line
from kttn_cli.i18n import Lang, say, time_left


def plain_lines(plan: Plan, judged: list[Judged], as_of: date, lang: Lang, heading: str) -> str:
    """A heading, then `due | days | unit | milestone title | → recipient` per obligation.

    `heading` names the list (`Quá hạn`, `Đến hạn trong 7 ngày tới`); the count follows it.
    A deadline moved off a day off or extended shows the plan's date after it.
    """
    lines = [
        f"{say('plan_header', lang, number=plan.info.number)} — "
        f"{say('as_of', lang, date=show_date(as_of))} — "
        f"{say('view.count', lang, label=heading, count=len(judged))}"
    ]
    for j in judged:
        o = j.obligation
        when = time_left(j.days_overdue, j.days_left, lang)
        due = show_date(o.due)
        moved = moved_note(o, lang)
        if moved:
            due += f" ({moved})"
        fields = [due, when, plan.unit(o.unit_id).name, f"{o.milestone.id} {o.milestone.title}"]
        if o.milestone.recipient:
            fields.append(f"→ {plan.unit(o.milestone.recipient).label}")
        # Text from files (a title typed with a line break) must not start a line of its own.
        lines.append(" | ".join(one_line(field) for field in fields))
    return "\n".join(lines) + "\n"


def moved_note(obligation: Obligation, lang: Lang) -> str | None:
    """`gia hạn từ 30/06/2024` or `dời từ 30/06/2024` when the deadline in force moved."""
    if obligation.extended:
        return say("extended", lang, date=show_date(obligation.shifted_due))
    if obligation.shifted_due != obligation.planned_due:
        return say("shifted", lang, date=show_date(obligation.planned_due))
    return None
