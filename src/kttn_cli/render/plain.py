"""Plain text lines for mail and pipes: no Rich, no colour, one obligation a line.

This is what cron mails (`kttn overdue --format plain`), so it imports nothing heavy and
never wraps: a mail client wraps long lines better than we can guess its width.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kttn_cli.core.model import Plan
from kttn_cli.core.status import Judged
from kttn_cli.core.text import one_line, visible
from kttn_cli.render import describe


def plain_lines(plan: Plan, judged: Sequence[Judged], as_of: date, heading: str) -> str:
    """A heading line, then `deadline | time | unit | milestone | recipient` per item.

    `heading` names the list (`Quá hạn`, `Đến hạn trong 7 ngày tới`); its count follows.
    """
    first = (
        f"{describe.plan_heading(plan)} — {describe.as_of_line(as_of)} — {heading}: {len(judged)}"
    )
    lines = [visible(one_line(first))]
    for j in judged:
        o = j.obligation
        fields = [
            describe.due_line(o),
            describe.time_left(j),
            plan.unit_name(o.unit_id),
            f"{o.milestone.id} {describe.milestone_title(o.milestone)}",
        ]
        to = describe.recipients_text(plan, o.milestone)
        if to:
            fields.append(to)
        # Text from files must neither start a line of its own nor steer the terminal.
        lines.append(" | ".join(visible(one_line(field)) for field in fields))
    return "\n".join(lines) + "\n"
