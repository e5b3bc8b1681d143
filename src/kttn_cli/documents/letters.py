"""Reminder letters (công văn đôn đốc): one Word letter per unit with overdue or due-soon
items, in the Party's format.

`letter_docx` takes core objects only, so the e-mail reminder can attach the same letter
the clerk prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import Plan, Status
from kttn_cli.core.status import Judged
from kttn_cli.documents.office import BLANK, Office
from kttn_cli.documents.party import LETTER_SUBJECT_PT, Align, PartyDocument
from kttn_cli.i18n import _
from kttn_cli.render import describe

# What a letter chases: what is late, and what falls due within the warning window.
CHASED = (Status.OVERDUE, Status.DUE_SOON)
# The unit that writes the letters does not write to itself (a schema kind, not a name).
OFFICE_KIND = "standing_office"


def chased_units(plan: Plan, judged: Iterable[Judged]) -> dict[str, list[Judged]]:
    """Units with overdue or due-soon items, in the plan's order of units (any it no
    longer lists last), each with those items: overdue first, then due soon, in plan
    order within each."""
    found: dict[str, list[Judged]] = {}
    for status in CHASED:
        for j in judged:
            if j.status is status:
                found.setdefault(j.obligation.unit_id, []).append(j)
    order = [u.id for u in plan.units]
    return dict(
        sorted(
            found.items(),
            key=lambda item: order.index(item[0]) if item[0] in order else len(order),
        )
    )


def writes_to(plan: Plan, unit_id: str) -> bool:
    """Whether a letter goes to this unit: not to the standing office itself."""
    return not plan.has_unit(unit_id) or plan.unit(unit_id).kind != OFFICE_KIND


def item_lines(plan: Plan, number: int, judged: Judged) -> list[str]:
    """One item of the letter: what, where the plan says so, by when, where it stands,
    where it goes."""
    o = judged.obligation
    m = o.milestone
    lines = [
        _("{number}. {title} ({source}; tracking code {id}).").format(
            number=number, title=describe.milestone_title(m), source=m.source, id=m.id
        ),
        "- "
        + _("Deadline: {deadline}; {state}.").format(
            deadline=describe.due_line(o),
            # "quá hạn 6 ngày", "còn 3 ngày": the status in the words of time left.
            state=describe.time_left(judged) or describe.status_words(judged),
        ),
    ]
    to = describe.recipients_text(plan, m)  # "gửi Ban Tổ chức Tỉnh ủy"
    if to:
        lines.append(f"- {to[:1].upper()}{to[1:]}.")
    return lines


def letter_docx(
    plan: Plan,
    unit_id: str,
    items: Sequence[Judged],
    as_of: date,
    office: Office,
    number: str | None = None,
) -> bytes:
    """The reminder letter to `unit_id` about `items` (its judged obligations to chase,
    e.g. `chased_units(...)[unit_id]`), as of `as_of`, as a .docx file.

    `office` gives the header, place and signer (blanks where unknown); `number` is the
    letter's own number and symbol when known.
    """
    name = plan.unit_name(unit_id)
    subject = _("Re: reminder on carrying out Plan No. {number}").format(number=plan.info.number)
    doc = PartyDocument(f"{subject} — {name}")
    doc.header_block(
        office,
        office.number("CV", number),
        office.place_and_date(as_of, plan.info.place),
        subject=subject,
    )
    doc.line(_("To: {unit}").format(unit=name), align=Align.CENTER)
    doc.blank(LETTER_SUBJECT_PT)
    doc.paragraph(
        _("Under {plan}, as of {date} {unit} has not yet completed the following:").format(
            plan=describe.plan_heading(plan), date=show_date(as_of), unit=name
        )
    )
    for index, judged in enumerate(items, start=1):
        for line in item_lines(plan, index, judged):
            doc.paragraph(line)
    doc.paragraph(
        _("{unit} is asked to complete and send the above without delay.").format(unit=name)
    )
    doc.closing(office, [_("As above,"), _("Filed: {place}").format(place=BLANK) + "."])
    return doc.to_bytes(as_of)
