"""Machine formats of the obligation rows: JSON, CSV and iCalendar (DESIGN §4).

Rows in, bytes out. No Rich here: cron and scripts take these paths, and they must start
fast; `icalendar` is imported only when a calendar is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import Plan, Status
from kttn_cli.core.rows import ROW_KEYS, Row, document
from kttn_cli.core.text import one_line
from kttn_cli.i18n import Lang, say, say_n, status_label

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def json_bytes(plan: Plan, as_of: date, rows: Sequence[Row]) -> bytes:
    """The export/overdue JSON document: UTF-8, Vietnamese unescaped, stable key order."""
    doc = document(plan, as_of, list(rows))
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def csv_bytes(
    rows: Sequence[Row], *, raw: bool = False, excel: bool = False, delimiter: str = ","
) -> bytes:
    """CSV (RFC 4180 quoting) with the row keys as header.

    Text cells that a spreadsheet would run as a formula are prefixed with `'` unless
    `raw`; numbers and dates are never touched. `excel` adds the byte-order mark and the
    CRLF line ends that Excel needs to show Vietnamese.
    """
    import csv
    import io

    # The csv module quotes a field only for the characters of its own line terminator,
    # so with "\n" a lone CR in a title would go out bare and split the record in other
    # readers. Write each record with CRLF (every CR or LF in a field gets quoted), then
    # put the terminator wanted.
    end = "\r\n" if excel else "\n"
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    lines = []
    for record in (ROW_KEYS, *((_cell(v, raw) for v in r.as_json().values()) for r in rows)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(record)
        lines.append(buffer.getvalue().removesuffix("\r\n") + end)
    return (("\ufeff" if excel else "") + "".join(lines)).encode("utf-8")


def _cell(value: Any, raw: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not raw and text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# Identifies the producer in every calendar; no version number, so that the same inputs
# give the same bytes whichever kttn release wrote them.
ICS_PRODID = "-//kttn//Plan deadline tracker//VI"
ALARM_HOUR = 9  # the reminder fires at 09:00, N days before the due day
# Only events still ahead get a reminder: an overdue one's would fire in the past.
_AHEAD = frozenset({Status.DUE_SOON, Status.PENDING})


def ics_bytes(
    plan: Plan, as_of: date, rows: Sequence[Row], lang: Lang, alarm_days: int | None = None
) -> bytes:
    """iCalendar: one all-day VEVENT per dated milestone and deadline.

    Units whose deadline was extended get an event of their own on the new day. The UID is
    built from the milestone, the day and the plan, so it survives status changes and
    re-exports; DTSTAMP is the as-of date (not the clock), so the same inputs give the
    same bytes. `alarm_days` adds a VALARM at 09:00 that many days before the due day to
    events still ahead (due soon or pending). Outlook and Google ignore VTODO: hence events.
    """
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", ICS_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", say("plan_header", lang, number=plan.info.number))
    stamp = datetime.combine(as_of, time(0), tzinfo=UTC)
    for (milestone_id, due), group in _by_milestone_and_day(rows).items():
        first = group[0]
        event = Event()
        day = due.isoformat().replace("-", "")  # strftime's %Y drops the zeros of year 1
        event.add("uid", f"{milestone_id}-{day}@{plan.info.id}.kttn")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        if due < date.max:  # without DTEND an all-day event lasts its day (RFC 5545 3.6.1)
            event.add("dtend", due + timedelta(days=1))
        event.add("summary", one_line(f"{first.milestone_title} ({first.task_id})"))
        event.add("description", _ics_description(plan, as_of, group, lang))
        event.add("transp", "TRANSPARENT")
        if alarm_days is not None and any(r.status in _AHEAD for r in group):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", say("ics.alarm", lang, title=one_line(first.milestone_title)))
            alarm.add("trigger", timedelta(days=-alarm_days, hours=ALARM_HOUR))
            event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _by_milestone_and_day(rows: Sequence[Row]) -> dict[tuple[str, date], list[Row]]:
    """Dated rows grouped by (milestone, deadline in force), in first-seen (plan) order."""
    groups: dict[tuple[str, date], list[Row]] = {}
    for row in rows:
        if row.due is not None:
            groups.setdefault((row.milestone_id, row.due), []).append(row)
    return groups


def _ics_description(plan: Plan, as_of: date, group: list[Row], lang: Lang) -> str:
    """Task, deadline as written, recipient, then one line per unit with its status; text
    from files is made one line each, so no line of it can pass for another."""
    first = group[0]
    lines = [say("ics.task", lang, id=first.task_id, title=one_line(first.task_title))]
    if first.due_text:
        lines.append(f"{say('col.due_text', lang)}: {one_line(first.due_text)}")
    if first.recipient_id and plan.has_unit(first.recipient_id):
        recipient = one_line(plan.unit(first.recipient_id).label)
        lines.append(f"{say('col.recipient', lang)}: {recipient}")
    lines.append(f"{say('col.units', lang)}:")
    for row in group:
        details = []
        if row.planned_due is not None and row.planned_due != row.due:
            details.append(say("ics.planned", lang, date=show_date(row.planned_due)))
        if row.days_overdue is not None:
            details.append(say_n("overdue_by", lang, row.days_overdue, days=row.days_overdue))
        if row.days_late is not None:
            details.append(say_n("late_by", lang, row.days_late, days=row.days_late))
        if row.submitted_on is not None:
            details.append(say("ics.submitted", lang, date=show_date(row.submitted_on)))
        if row.reference:
            details.append(one_line(row.reference))
        extra = f" ({'; '.join(details)})" if details else ""
        lines.append(f"- {one_line(row.unit_name)}: {status_label(row.status, lang)}{extra}")
    lines.append(say("as_of", lang, date=show_date(as_of)))
    return "\n".join(lines)
