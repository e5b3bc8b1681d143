"""The words of each reminder, and the message that carries them.

Composing is pure: the plan, the judged obligations and the as-of date in, texts out.
Every sentence about an obligation comes from `render.describe` (the same words as the
views and the calendar); this module only arranges them for a letter: who it is for,
what is owed and by when, where to send it, and how to confirm. Text from files goes
through `one_line` before it reaches a subject or a line of the body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import Plan, Status
from kttn_cli.core.status import Judged
from kttn_cli.core.text import one_line
from kttn_cli.errors import DataError
from kttn_cli.i18n import N_, Nn_, _, n_
from kttn_cli.mail.addresses import Mailbox, header_value, parse_mailbox, unique
from kttn_cli.render import describe

if TYPE_CHECKING:
    from email.header import Header
    from email.message import Message

# What a reminder chases: overdue first, then what falls due within the warning window.
CHASED = (Status.OVERDUE, Status.DUE_SOON)
INDENT = "   "
# "-- " (with its space) is the signature separator mail programs recognise.
SIGNATURE = "-- "
# Between the plans of a summary that covers several.
PLAN_RULE = "=" * 40

UNIT_SUBJECT = N_("Reminder to {unit}: {milestone}, {deadline}, {left} (Plan No. {number})")
UNIT_SUBJECT_MORE = Nn_(
    "Reminder to {unit}: {milestone}, {deadline}, {left}, and {count} more item "
    "(Plan No. {number})",
    "Reminder to {unit}: {milestone}, {deadline}, {left}, and {count} more items "
    "(Plan No. {number})",
)


# The letters attached to reminders are Word documents.
DOCX_TYPE = "vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True, slots=True)
class Reminder:
    """One message to send: its recipients (also its envelope), subject and body."""

    to: tuple[Mailbox, ...]
    subject: str
    body: str
    items: int
    unit_id: str | None = None  # None: the summary
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, .docx bytes)


@dataclass(frozen=True, slots=True)
class Batch:
    reminders: tuple[Reminder, ...]
    unaddressed: tuple[str, ...]  # labels of the units with items to chase but no address


# Attaches a file to a unit's message: (plan, unit id) -> (file name, contents).
Attach = Callable[[Plan, str], tuple[str, bytes]]


def chased_by_unit(plan: Plan, judged: Sequence[Judged]) -> dict[str, list[Judged]]:
    """What to chase, by unit in plan order; in each, the most urgent first: overdue
    (most days first), then due soon (nearest first).

    A replaced placeholder's own past (`history`) is nobody's to chase.
    """
    chased = [j for j in judged if j.status in CHASED and not j.obligation.history]
    chased.sort(key=urgency)
    order = {u.id: i for i, u in enumerate(plan.units)}
    by_unit: dict[str, list[Judged]] = {}
    for j in sorted(chased, key=lambda j: order.get(j.obligation.unit_id, len(order))):
        by_unit.setdefault(j.obligation.unit_id, []).append(j)
    return by_unit


def urgency(j: Judged) -> tuple[bool, int, int]:
    return (j.status is not Status.OVERDUE, -(j.days_overdue or 0), j.days_left or 0)


def compose(
    plans: Sequence[tuple[Plan, Sequence[Judged]]],
    as_of: date,
    *,
    to: Sequence[Mailbox] = (),
    contacts: Mapping[str, tuple[Mailbox, ...]] | None = None,
    sender: Mailbox | None = None,
    attach: Attach | None = None,
) -> Batch:
    """The reminders for `as_of` of one plan or several (`remind --all-plans`): a
    summary to `to`, and one message per unit if `contacts` is given (a unit's address:
    its entry there, else the plan's `email`). A unit owing under several plans gets
    one message, grouped by plan; so does each `to`.

    Units left without an address are named in the summary. Nothing to chase: no
    messages. An address in the plan that kttn would not put in an envelope is exit 65.
    `attach` adds a file to each unit's message for each plan it owes under.
    """
    chased = [
        (plan, by_unit) for plan, judged in plans if (by_unit := chased_by_unit(plan, judged))
    ]
    if not chased:
        return Batch((), ())
    reminders: list[Reminder] = []
    unaddressed: dict[int, list[str]] = {}  # by the plan's place in `chased`
    if contacts is not None:
        letters: dict[tuple[str, tuple[Mailbox, ...]], list[tuple[Plan, list[Judged]]]] = {}
        for index, (plan, by_unit) in enumerate(chased):
            for unit_id, items in by_unit.items():
                addresses = contacts.get(unit_id) or _plan_addresses(plan, unit_id)
                if addresses:
                    letters.setdefault((unit_id, addresses), []).append((plan, items))
                else:
                    unaddressed.setdefault(index, []).append(unit_id)
        for (unit_id, addresses), owed in letters.items():
            files = tuple(attach(plan, unit_id) for plan, _items in owed) if attach else ()
            reminders.append(
                Reminder(
                    addresses,
                    unit_subject(unit_id, owed),
                    unit_body(unit_id, owed, as_of, sender),
                    sum(len(items) for _plan, items in owed),
                    unit_id,
                    files,
                )
            )
    if to:
        everything = [j for _plan, by_unit in chased for items in by_unit.values() for j in items]
        summary = Reminder(
            unique(list(to)),
            summary_subject([plan for plan, _by_unit in chased], everything, as_of),
            summary_body(chased, unaddressed, as_of, sender),
            len(everything),
        )
        reminders.insert(0, summary)
    labels = [chased[i][0].unit_label(u) for i, units in unaddressed.items() for u in units]
    return Batch(tuple(reminders), tuple(dict.fromkeys(labels)))


def _plan_addresses(plan: Plan, unit_id: str) -> tuple[Mailbox, ...]:
    if not plan.has_unit(unit_id):
        return ()
    found = []
    for text in plan.unit(unit_id).email:
        mailbox = parse_mailbox(text)
        if mailbox is None:
            # The plan's schema lets through forms such as `x,y@z`: check like contacts.
            raise DataError(
                N_("the plan's e-mail address {value!r} for unit {unit} is not valid"),
                value=text,
                unit=unit_id,
            )
        found.append(mailbox)
    return unique(found)


# --- subjects ---------------------------------------------------------------------------


def summary_subject(plans: Sequence[Plan], items: Sequence[Judged], as_of: date) -> str:
    """`Nhắc hạn Kế hoạch số 01-KH/BCĐ, tính đến 10/07/2024: 17 quá hạn, 1 sắp đến hạn`:
    the plan number whole (a header folded correctly needs no cut); for several plans,
    how many."""
    overdue, due_soon = _counts(items)
    if len(plans) > 1:
        return _(
            "Reminders, {plans} plans, as of {date}: {overdue} overdue, {due_soon} due soon"
        ).format(plans=len(plans), date=show_date(as_of), overdue=overdue, due_soon=due_soon)
    return _(
        "Reminders, Plan No. {number}, as of {date}: {overdue} overdue, {due_soon} due soon"
    ).format(
        number=one_line(plans[0].info.number),
        date=show_date(as_of),
        overdue=overdue,
        due_soon=due_soon,
    )


def unit_subject(unit_id: str, owed: Sequence[tuple[Plan, Sequence[Judged]]]) -> str:
    """The unit's name and its most urgent deadline (and how many more there are), so
    a shared mailbox sees whose it is and what is most pressing; under several plans,
    the counts and how many plans."""
    plan, items = owed[0]
    unit = one_line(plan.unit_name(unit_id))
    if len(owed) > 1:
        overdue, due_soon = _counts([j for _plan, items in owed for j in items])
        return _(
            "Reminder to {unit}: {overdue} overdue, {due_soon} due soon, under {plans} plans"
        ).format(unit=unit, overdue=overdue, due_soon=due_soon, plans=len(owed))
    first = items[0]
    params = {
        "unit": unit,
        "milestone": one_line(describe.milestone_title(first.obligation.milestone)),
        "deadline": _("last day {date}").format(date=show_date(first.obligation.due)),
        "left": describe.time_left(first),
        "number": one_line(plan.info.number),
    }
    more = len(items) - 1
    if more == 0:
        return _(UNIT_SUBJECT).format(**params)
    return n_(UNIT_SUBJECT_MORE[0], UNIT_SUBJECT_MORE[1], more).format(count=more, **params)


# --- bodies -----------------------------------------------------------------------------


def _counts(items: Sequence[Judged]) -> tuple[int, int]:
    overdue = sum(1 for j in items if j.status is Status.OVERDUE)
    return overdue, len(items) - overdue


def _item_lines(plan: Plan, number: int, j: Judged) -> list[str]:
    """One obligation: what, which task, by when (with an extension and what it
    replaced), which document assigned it, where to send it."""
    o = j.obligation
    milestone = o.milestone
    lines = [f"{number}. {one_line(describe.milestone_title(milestone))} — {describe.time_left(j)}"]
    if plan.has_task(o.task_id):
        title = one_line(plan.task(o.task_id).title)
        lines.append(INDENT + _("Task {id}: {title}").format(id=o.task_id, title=title))
    if o.inherited_from:
        label = _("Unit")
        lines.append(f"{INDENT}{label}: {one_line(describe.owner_text(plan, o))}")
    label = _("Deadline")
    lines.append(f"{INDENT}{label}: {one_line(describe.due_line(o))}")
    if milestone.assigned_by:
        label = _("Assigned by")
        lines.append(f"{INDENT}{label}: {one_line(milestone.assigned_by)}")
    where = one_line(describe.recipients_text(plan, milestone))
    if where:
        # "Gửi Ban Tổ chức Tỉnh ủy." / "Send it to Ban Tổ chức Tỉnh ủy."
        sentence = _("Send it {recipients}.").format(recipients=where)
        lines.append(INDENT + sentence[:1].upper() + sentence[1:])
    return lines


def _summary_line(number: int, j: Judged) -> str:
    """One obligation in the summary, on one line: what, which task, how late, when."""
    o = j.obligation
    label = _("Deadline")
    return (
        f"{number}. {one_line(describe.milestone_title(o.milestone))} ({o.task_id}) — "
        f"{describe.time_left(j)}. {label}: {one_line(describe.due_line(o))}"
    )


def _sections(plan: Plan, items: Sequence[Judged]) -> list[str]:
    """The items under `Quá hạn` and `Sắp đến hạn`, numbered on through both."""
    lines: list[str] = []
    number = 0
    for status in CHASED:
        group = [j for j in items if j.status is status]
        if not group:
            continue
        lines += ["", f"{describe.status_label(status)} ({len(group)}):"]
        for j in group:
            number += 1
            lines += _item_lines(plan, number, j)
    return lines


def _signature(sender: Mailbox | None) -> list[str]:
    lines = ["", SIGNATURE]
    if sender is not None:
        if sender.name:
            lines.append(sender.name)
        lines.append(sender.address)
    lines.append(_("Drawn up with kttn from the ledger kept for this plan."))
    return lines


def unit_body(
    unit_id: str,
    owed: Sequence[tuple[Plan, Sequence[Judged]]],
    as_of: date,
    sender: Mailbox | None,
) -> str:
    """The letter to one unit: its own items under each plan, and how to confirm by
    replying."""
    lines = [_("To: {unit}").format(unit=one_line(owed[0][0].unit_name(unit_id)))]
    for plan, items in owed:
        overdue, due_soon = _counts(items)
        lines += [
            "",
            _(
                "Under {plan}, as of {date} the following are still outstanding "
                "(overdue: {overdue}; due soon: {due_soon})."
            ).format(
                plan=one_line(describe.plan_heading(plan)),
                date=show_date(as_of),
                overdue=overdue,
                due_soon=due_soon,
            ),
        ]
        lines += _sections(plan, items)
    lines += [
        "",
        _(
            "When you send it, please reply to this message with the number of the "
            "document. If it has already been sent, reply with its number and date, so "
            "that it can be recorded."
        ),
    ]
    return "\n".join([*lines, *_signature(sender)]) + "\n"


def summary_body(
    chased: Sequence[tuple[Plan, Mapping[str, Sequence[Judged]]]],
    unaddressed: Mapping[int, Sequence[str]],
    as_of: date,
    sender: Mailbox | None,
) -> str:
    """Everything to chase, grouped by plan (when there are several), then by unit;
    `unaddressed` by the plan's place in `chased`."""
    lines: list[str] = []
    if len(chased) > 1:
        everything = [j for _plan, by_unit in chased for items in by_unit.values() for j in items]
        overdue, due_soon = _counts(everything)
        lines += [
            _("Overdue and due-soon items of {plans} plans, as of {date}.").format(
                plans=len(chased), date=show_date(as_of)
            ),
            _("Overdue: {overdue}; due soon: {due_soon}.").format(
                overdue=overdue, due_soon=due_soon
            ),
        ]
    for index, (plan, by_unit) in enumerate(chased):
        if lines:
            lines += ["", PLAN_RULE]
        lines += _plan_summary(plan, by_unit, unaddressed.get(index, ()), as_of)
    return "\n".join([*lines, *_signature(sender)]) + "\n"


def _plan_summary(
    plan: Plan, by_unit: Mapping[str, Sequence[Judged]], unaddressed: Sequence[str], as_of: date
) -> list[str]:
    """One plan's part of the summary: its counts, then each unit's items."""
    everything = [j for items in by_unit.values() for j in items]
    overdue, due_soon = _counts(everything)
    lines = [
        _("Overdue and due-soon items of {plan}, as of {date}.").format(
            plan=one_line(describe.plan_heading(plan)), date=show_date(as_of)
        ),
        _("Overdue: {overdue}; due soon: {due_soon}.").format(overdue=overdue, due_soon=due_soon),
    ]
    for unit_id, items in by_unit.items():
        unit_overdue, unit_due_soon = _counts(items)
        lines += [
            "",
            _("{unit} (overdue: {overdue}; due soon: {due_soon})").format(
                unit=one_line(plan.unit_name(unit_id)),
                overdue=unit_overdue,
                due_soon=unit_due_soon,
            ),
        ]
        lines += [_summary_line(n, j) for n, j in enumerate(items, 1)]
    if unaddressed:
        names = "; ".join(one_line(plan.unit_name(u)) for u in unaddressed)
        lines += [
            "",
            _(
                "These units have no e-mail address and were not sent a message of their own: "
                "{units}."
            ).format(units=names),
        ]
    return lines


# --- the message ------------------------------------------------------------------------


def subject_header(subject: str) -> Header:
    """The subject, whole, as RFC 2047 encoded words folded by the compat32 `Header`.

    Python 3.11's SMTP policy folds long Vietnamese subjects wrongly (it drops the
    space between two words: 633 of 3,000 random subjects, measured);
    `email.header.Header` folds between encoded words, which every reader joins back
    exactly (tests/test_mail_headers.py). Always encoded, even when ASCII: a plain
    subject would be folded at commas too, and text such as `=?` would be decoded.
    """
    from email.header import Header

    return Header(one_line(subject), "utf-8", header_name="Subject")


def mime_message(reminder: Reminder, sender: Mailbox, now: datetime) -> Message[str, str | Header]:
    """The RFC 5322 message: plain UTF-8 text (quoted-printable), the sender's name
    whole, Date, Message-ID at the sender's domain, Auto-Submitted.

    Every header value is built from checked addresses or `one_line` text, so nothing
    read from a file can add a header or a recipient.
    """
    from email.charset import QP, Charset
    from email.message import Message
    from email.utils import format_datetime, make_msgid

    charset = Charset("utf-8")
    charset.body_encoding = QP  # readable where a client shows the source
    msg: Message[str, str | Header] = Message()  # compat32: Header folds Vietnamese right
    if reminder.attachments:
        from email.mime.application import MIMEApplication
        from email.mime.text import MIMEText

        text = MIMEText("", "plain")
        text.set_payload(reminder.body, charset)
        msg["MIME-Version"] = "1.0"
        msg["Content-Type"] = "multipart/mixed"  # the generator draws the boundary
        msg.attach(text)
        for name, data in reminder.attachments:
            part = MIMEApplication(data, DOCX_TYPE)
            part.add_header("Content-Disposition", "attachment", filename=name)
            msg.attach(part)
    else:
        msg.set_payload(reminder.body, charset)
    msg["From"] = header_value(sender)
    msg["To"] = ", ".join(header_value(m) for m in reminder.to)
    msg["Subject"] = subject_header(reminder.subject)
    msg["Date"] = format_datetime(now)
    # The sender's domain, not this machine's name: no slow DNS lookup, no host leaked.
    msg["Message-ID"] = make_msgid("kttn", domain=sender.domain)
    # RFC 3834: vacation responders do not answer it (people still can: they should).
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    return msg


def preview(reminder: Reminder, sender: Mailbox | None) -> str:
    """The message as a person reads it: From, To, Subject, a blank line, the body."""
    heads = []
    if sender is not None:
        heads.append(f"From: {sender}")
    heads.append("To: " + ", ".join(str(m) for m in reminder.to))
    heads.append(f"Subject: {reminder.subject}")
    for name, data in reminder.attachments:
        heads.append(
            _("Attached: {name} ({size} KiB)").format(name=name, size=len(data) // 1024 or 1)
        )
    return "\n".join(heads) + "\n\n" + reminder.body
