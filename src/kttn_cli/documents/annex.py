"""The annex of a synthesis report (`kttn report`): for a consolidating milestone, who
sent each of its input reports, when, under which number, how late; a summary paragraph
per input the clerk can paste into the report; the progress of the plan's tasks.

Every fact comes from the judged obligations as of the date given; the words come from
`render.describe`, as in every other view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import DATED_KINDS, Milestone, Plan, Status
from kttn_cli.core.status import Judged
from kttn_cli.documents.office import BLANK, Office
from kttn_cli.documents.party import PartyDocument
from kttn_cli.i18n import N_, _, n_
from kttn_cli.render import describe

# Received first, then what is still owed: the order of a report's tables.
ORDER = (
    Status.ON_TIME,
    Status.LATE,
    Status.DONE,
    Status.OVERDUE,
    Status.DUE_SOON,
    Status.PENDING,
    Status.UNDATED,
)
SENT = frozenset({Status.ON_TIME, Status.LATE, Status.DONE})
# The section of a plan that lists its tasks ("II. Nội dung, thời gian thực hiện").
TASK_SECTION = "II"


@dataclass(frozen=True, slots=True)
class InputReport:
    """One input milestone of a consolidating milestone and its owed obligations."""

    milestone: Milestone
    judged: tuple[Judged, ...]

    def count(self, *statuses: Status) -> int:
        return sum(1 for j in self.judged if j.status in statuses)

    @property
    def total(self) -> int:
        return len(self.judged)

    @property
    def sent(self) -> int:
        return self.count(*SENT)

    @property
    def missing(self) -> tuple[Judged, ...]:
        return tuple(j for j in self.judged if j.status not in SENT)


def input_reports(plan: Plan, judged: Sequence[Judged], milestone: Milestone) -> list[InputReport]:
    """The inputs of `milestone`, in its order, each with the obligations owed (units
    outside their life span do not count)."""
    found = []
    for input_id in milestone.inputs:
        if not plan.has_milestone(input_id):
            continue
        owed = tuple(
            j
            for j in judged
            if j.obligation.milestone.id == input_id and j.status is not Status.NOT_OWED
        )
        found.append(InputReport(plan.milestone(input_id), owed))
    return found


def summary_sentence(plan: Plan, report: InputReport, as_of: date) -> str:
    """`Đến ngày 05/07/2024, 10/12 đơn vị đã gửi báo cáo, trong đó 8 đúng hạn, 2 quá hạn;
    còn 2 đơn vị chưa gửi: …` (the units by their full names)."""
    day = show_date(as_of)
    if not report.total:
        return _("As of {date}, no unit owes this report.").format(date=day)
    head = _("As of {date}, {sent} of {total} units have sent their report").format(
        date=day, sent=report.sent, total=report.total
    )
    parts = [head]
    if report.milestone.deadline.kind in DATED_KINDS or report.count(Status.ON_TIME, Status.LATE):
        parts.append(
            _(", of which {on_time} on time, {late} late").format(
                on_time=report.count(Status.ON_TIME), late=report.count(Status.LATE)
            )
        )
    missing = report.missing
    if missing:
        names = ", ".join(describe.owner_text(plan, j.obligation, full=True) for j in missing)
        tail = n_(
            "{count} unit has not sent it yet: {names}",
            "{count} units have not sent it yet: {names}",
            len(missing),
        ).format(count=len(missing), names=names)
    else:
        tail = _("every unit has sent it")
    return "".join(parts) + "; " + tail + "."


def days_past(judged: Judged) -> str:
    """Days after the last day in force: late for a report received, overdue for one not."""
    days = judged.days_late if judged.days_late is not None else judged.days_overdue
    return str(days) if days else ""


def extension_text(judged: Judged) -> str:
    o = judged.obligation
    if not o.extended or o.extension is None:
        return ""
    return f"{show_date(o.extension.to)}\n{o.extension.reason}"


def report_rows(plan: Plan, report: InputReport) -> list[list[str]]:
    """STT, đơn vị, ngày nhận, số/ký hiệu, tình trạng, số ngày muộn, gia hạn."""
    rows = []
    for number, j in enumerate(report.judged, start=1):
        sub = j.submission
        rows.append(
            [
                str(number),
                describe.owner_text(plan, j.obligation, full=True),
                show_date(sub.on) if sub else "",
                (sub.reference or "") if sub else "",
                describe.status_label(j.status),
                days_past(j),
                extension_text(j),
            ]
        )
    return rows


REPORT_HEADERS = (
    N_("No."),
    N_("Unit"),
    N_("Received on"),
    N_("Number and symbol"),
    N_("Status"),
    N_("Days late"),
    N_("Extension"),
)
REPORT_WIDTHS = (12, 42, 25, 25, 26, 16, 19)


def milestone_deadline(group: Sequence[Judged]) -> str:
    """A milestone's deadline for all its units: the plan's words and the last day,
    without any one unit's extension."""
    plain = [j for j in group if not j.obligation.extended]
    if plain:
        return describe.due_line(plain[0].obligation)
    return describe.deadline_words(group[0].obligation.milestone.deadline)


def status_summary(group: Sequence[Judged]) -> str:
    """One unit: its status in words. Several: a count per status, received first."""
    if len(group) == 1:
        return describe.status_words(group[0])
    lines = []
    for status in ORDER:
        count = sum(1 for j in group if j.status is status)
        if count:
            lines.append(f"{describe.status_label(status)}: {count}")
    return "\n".join(lines)


def progress_tasks(plan: Plan) -> list[str]:
    """The tasks whose progress the annex shows: the plan's section II (its contents and
    times), else every task when the plan has no such section."""
    ids = [t.id for t in plan.tasks if t.section == TASK_SECTION]
    return ids or [t.id for t in plan.tasks]


def progress_rows(plan: Plan, judged: Sequence[Judged]) -> tuple[list[list[str]], list[int]]:
    """Rows of the progress table, and the indexes of the rows that head a task."""
    by_milestone: dict[str, list[Judged]] = {}
    for j in judged:
        if j.status is not Status.NOT_OWED:
            by_milestone.setdefault(j.obligation.milestone.id, []).append(j)
    rows: list[list[str]] = []
    bands: list[int] = []
    number = 0
    for task_id in progress_tasks(plan):
        task = plan.task(task_id)
        milestones = [m for m in task.milestones if m.id in by_milestone]
        if not milestones:
            continue
        bands.append(len(rows))
        rows.append([f"{task.id}. {task.title}", "", "", "", ""])
        for milestone in milestones:
            group = by_milestone[milestone.id]
            number += 1
            owners = (
                plan.unit_label(group[0].obligation.unit_id)
                if len(group) == 1
                else n_("{count} unit", "{count} units", len(group)).format(count=len(group))
            )
            rows.append(
                [
                    str(number),
                    describe.milestone_title(milestone),
                    milestone_deadline(group),
                    owners,
                    status_summary(group),
                ]
            )
    return rows, bands


PROGRESS_HEADERS = (N_("No."), N_("Task and milestone"), N_("Deadline"), N_("Unit"), N_("Status"))
PROGRESS_WIDTHS = (12, 56, 35, 24, 38)


def annex_docx(
    plan: Plan,
    judged: Sequence[Judged],
    milestone: Milestone,
    as_of: date,
    office: Office,
    number: str | None = None,
) -> bytes:
    """The annex of `milestone`'s synthesis report as of `as_of`, as a .docx file.

    `judged` are every obligation of the plan judged as of `as_of`; `number` is this
    report's own number and symbol when known (else it is left blank for the clerk).
    """
    subject = _("Reports received for: {milestone}").format(
        milestone=describe.milestone_title(milestone)
    )
    doc = PartyDocument(subject)
    doc.header_block(
        office,
        office.number("BC", number),
        office.place_and_date(as_of, plan.info.place),
    )
    doc.title_block(_("Report"), subject)
    own = [j for j in judged if j.obligation.milestone.id == milestone.id]
    deadline = milestone_deadline(own) if own else describe.deadline_words(milestone.deadline)
    doc.paragraph(
        _(
            "Under {plan}, as of {date}, the reports that {milestone} ({source}; {deadline}) "
            "draws on stand as follows."
        ).format(
            plan=describe.plan_heading(plan),
            date=show_date(as_of),
            milestone=describe.milestone_title(milestone),
            source=milestone.source,
            deadline=deadline,
        )
    )
    doc.line(_("I. REPORTS RECEIVED"), bold=True)
    headers = [_(h) for h in REPORT_HEADERS]
    for index, report in enumerate(input_reports(plan, judged, milestone), start=1):
        doc.line(f"{index}. {describe.milestone_title(report.milestone)}", bold=True)
        facts = [report.milestone.source]
        if report.judged:
            facts.append(milestone_deadline(report.judged))
        to = describe.recipients_text(plan, report.milestone)
        if to:
            facts.append(to)
        doc.paragraph(f"({'; '.join(facts)})", italic=True)
        doc.paragraph(summary_sentence(plan, report, as_of))
        if report.judged:
            doc.table(headers, report_rows(plan, report), REPORT_WIDTHS, centred=(0, 2, 5))
    doc.line(_("II. PROGRESS OF THE PLAN'S TASKS"), bold=True)
    rows, bands = progress_rows(plan, judged)
    if rows:
        doc.table(
            [_(h) for h in PROGRESS_HEADERS], rows, PROGRESS_WIDTHS, centred=(0,), bands=bands
        )
    else:
        doc.paragraph(_("Nothing to show."))
    recipients = [f"{plan.unit_name(r)}," for r in milestone.recipients]
    recipients.append(_("Filed: {place}").format(place=BLANK) + ".")
    doc.closing(office, recipients)
    return doc.to_bytes(as_of)
