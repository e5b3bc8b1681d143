"""The sentences kttn says about a plan, a deadline and an obligation, each built in one
place and used by every renderer: the Rich views, the plain lines cron mails, the
e-mail, the calendar, the documents (docs/architecture.md, "Describe").

Text that comes from files or people goes through `core.text.visible` in the views that
show it on a terminal; here it is only assembled.
"""

from __future__ import annotations

from datetime import date

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import (
    BeforeRule,
    Deadline,
    DeadlineRules,
    Milestone,
    Period,
    Plan,
    Status,
    quarter_label,
)
from kttn_cli.core.obligations import Obligation
from kttn_cli.core.status import Judged
from kttn_cli.i18n import N_, _, n_

STATUS_LABELS: dict[Status, str] = {
    Status.ON_TIME: N_("Done on time"),
    Status.LATE: N_("Done late"),
    Status.DONE: N_("Done"),
    Status.OVERDUE: N_("Overdue"),
    Status.DUE_SOON: N_("Due soon"),
    Status.PENDING: N_("Not yet due"),
    Status.UNDATED: N_("No set day"),
    Status.NOT_OWED: N_("Not owed (unit not in existence)"),
}
# The plan's own word before a date, as the reader sees it (Vietnamese: the plan's word).
QUALIFIERS: dict[str, str] = {
    "": N_("{date}"),
    "trước": N_("before {date}"),
    "xong trước": N_("finished before {date}"),
    "hoàn thành trước": N_("completed before {date}"),
    "gửi trước": N_("sent before {date}"),
    "chậm nhất": N_("at the latest {date}"),
    "chậm nhất là": N_("at the latest on {date}"),
    "chậm nhất ngày": N_("at the latest on day {date}"),
    "vào ngày": N_("on {date}"),
    "đến ngày": N_("until {date}"),
}
KIND_LABELS: dict[str, str] = {
    "date": N_("Date"),
    "quarter": N_("Quarter"),
    "ongoing": N_("Ongoing"),
    "on_request": N_("On request"),
    "when_arises": N_("When it arises"),
    "none": N_("No time stated"),
}
INFERENCE_LABELS: dict[str, str] = {
    "inputs": N_("inputs"),
    "assignees": N_("units"),
    "recipients": N_("recipients"),
    "deadline": N_("deadline"),
}


def status_label(status: Status) -> str:
    return _(STATUS_LABELS[status])


def period_label(period: Period) -> str:
    """`Quý II/2025`, `Tháng 5/2025`, `6 tháng đầu năm 2025`, `Năm 2025`."""
    if period.kind == "quarter":
        return _("Quarter {label}").format(label=quarter_label(period.index, period.year))
    if period.kind == "month":
        return _("Month {month}/{year}").format(month=period.index, year=period.year)
    if period.kind == "half":
        if period.index == 1:
            return _("first half of {year}").format(year=period.year)
        return _("second half of {year}").format(year=period.year)
    return _("Year {year}").format(year=period.year)


def milestone_title(milestone: Milestone) -> str:
    """The milestone's title, with its period when it is one occurrence of many."""
    if milestone.period is None:
        return milestone.title
    return f"{milestone.title} — {period_label(milestone.period)}"


def deadline_words(deadline: Deadline, stated: date | None = None) -> str:
    """The deadline as the plan words it, with its date: `trước 30/06/2024`, `trong Quý
    I/2024`, `Thường xuyên`."""
    if deadline.kind == "date":
        day = stated or deadline.stated
        template = QUALIFIERS.get(deadline.qualifier, N_("{date}"))
        if deadline.qualifier not in QUALIFIERS:
            return f"{deadline.qualifier} {show_date(day)}".strip()
        return _(template).format(date=show_date(day))
    if deadline.kind == "quarter" and deadline.quarter and deadline.year:
        label = quarter_label(deadline.quarter, deadline.year)
        if deadline.qualifier == "trong":
            return _("within Quarter {label}").format(label=label)
        return _("Quarter {label}").format(label=label)
    return _(KIND_LABELS[deadline.kind])


def due_words(obligation: Obligation) -> str:
    """The plan's words for this obligation's deadline, or the day fixed for it."""
    if obligation.schedule is not None and obligation.stated is None:
        return _("set for {date}").format(date=show_date(obligation.schedule.on))
    return deadline_words(obligation.milestone.deadline, obligation.stated)


def due_notes(obligation: Obligation, *, last_day_shown: bool = False) -> list[str]:
    """What else a reader must know about the day judged against, in order: the last
    day when the words' date is not it (unless the view shows it on its own line), a
    move off a day off, an extension."""
    notes = []
    if obligation.unconfirmed:
        notes.append(unconfirmed_note())
    if (
        not last_day_shown
        and obligation.last_day is not None
        and obligation.last_day != obligation.stated
        and obligation.milestone.deadline.kind == "date"
    ):
        notes.append(_("last day {date}").format(date=show_date(obligation.last_day)))
    if obligation.moved and obligation.shifted is not None:
        notes.append(_("moved off a day off to {date}").format(date=show_date(obligation.shifted)))
    if obligation.schedule is not None and obligation.stated is None:
        notes.append(obligation.schedule.reason)
    if obligation.extended and obligation.extension is not None:
        notes.append(
            _("extended to {date} (was {before})").format(
                date=show_date(obligation.extension.to),
                before=show_date(obligation.planned) or "—",
            )
        )
    return notes


def unconfirmed_note() -> str:
    """What a date copied from another plan (`kttn init --year`) says until the clerk
    confirms it: no such date is presented as the new plan's own."""
    return _("date not yet confirmed")


def due_line(obligation: Obligation) -> str:
    """`trước 30/06/2024 (hạn cuối 29/06/2024; gia hạn đến 15/07/2024 …)`."""
    notes = due_notes(obligation)
    words = due_words(obligation)
    return f"{words} ({'; '.join(notes)})" if notes else words


def time_left(judged: Judged) -> str:
    """`quá hạn 3 ngày`, `hạn hôm nay`, `còn 4 ngày`; empty when nothing is open."""
    if judged.days_overdue is not None:
        days = judged.days_overdue
        return n_("{days} day overdue", "{days} days overdue", days).format(days=days)
    if judged.days_left is None:
        return ""
    if judged.days_left == 0:
        return _("due today")
    days = judged.days_left
    return n_("{days} day left", "{days} days left", days).format(days=days)


def late_by(days: int) -> str:
    return n_("{days} day late", "{days} days late", days).format(days=days)


def status_words(judged: Judged) -> str:
    """`Quá hạn 3 ngày`, `Hoàn thành đúng hạn (28/06/2024, 12-BC/HU)`, …"""
    words = status_label(judged.status)
    if judged.status is Status.OVERDUE:
        return f"{words}: {time_left(judged)}"
    sub = judged.submission
    if sub is not None:
        detail = [show_date(sub.on), *([sub.reference] if sub.reference else [])]
        if judged.days_late:
            detail.append(late_by(judged.days_late))
        return f"{words} ({', '.join(detail)})"
    if judged.status in (Status.DUE_SOON, Status.PENDING):
        return f"{words}: {time_left(judged)}"
    return words


def recipients_text(plan: Plan, milestone: Milestone) -> str:
    """`gửi Ban Tổ chức Tỉnh ủy`, or nothing when the text names no recipient."""
    if not milestone.recipients:
        return ""
    names = ", ".join(plan.unit_name(r) for r in milestone.recipients)
    return _("to {recipients}").format(recipients=names)


def inferred_text(milestone: Milestone) -> list[str]:
    """`đơn vị thực hiện: suy ra từ Mục III, điểm 3` for each fact the plan file infers
    rather than reads in the text."""
    return [
        _("{what}: inferred from {basis}").format(what=_(INFERENCE_LABELS[i.what]), basis=i.basis)
        for i in milestone.inferred
    ]


def owner_text(plan: Plan, obligation: Obligation, *, full: bool = False) -> str:
    """The unit's short name (`full`: its full name, as a document writes it), with how
    it came to owe this."""
    name = plan.unit_name if full else plan.unit_label
    label = name(obligation.unit_id)
    if obligation.inherited_from:
        return _("{unit} (taking over from {previous})").format(
            unit=label, previous=name(obligation.inherited_from)
        )
    if obligation.history:
        return _("{unit} (replaced; its own record)").format(unit=label)
    return label


def plan_heading(plan: Plan) -> str:
    """`Kế hoạch số 01-KH/BCĐ ngày 05/02/2024 của Ban Chỉ đạo tỉnh`."""
    info = plan.info
    day = show_date(info.issued_on)
    if "plan.issued_on" in info.unconfirmed:
        day = f"{day} ({unconfirmed_note()})"
    return _("Plan No. {number} of {date} by {issuer}").format(
        number=info.number, date=day, issuer=info.issuer
    )


def rules_line(rules: DeadlineRules) -> str:
    """The counting rules in force, in one line (`check` and the top of `status`)."""
    return _("Deadlines: {rules}").format(rules=rules_text(rules))


def rules_text(rules: DeadlineRules) -> str:
    """The counting rules in force, without a label (where a label precedes them)."""
    if rules.before is BeforeRule.EXCLUSIVE:
        before = _("“trước ngày X” (before day X) ends on day X−1")
    else:
        before = _("“trước ngày X” (before day X) includes day X, as the plan states")
    if rules.shift_to_working_day:
        shift = _(
            "a last day that falls on a day off moves to the next working day (Civil Code "
            "2015, Art. 148); quarters stay in their quarter"
        )
    else:
        shift = _("days off do not move deadlines")
    return _("{before}; {shift}.").format(before=before, shift=shift)


def as_of_line(as_of: date) -> str:
    return _("As of {date}").format(date=show_date(as_of))
