"""Machine formats of the obligation rows: JSON, CSV and iCalendar (docs/architecture.md,
"Machine outputs").

Rows in, bytes out. No Rich here: cron and scripts take these paths, and they must start
fast; `icalendar` is imported only when a calendar is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kttn_cli.core.dates import show_date
from kttn_cli.core.ledger import Ledger
from kttn_cli.core.model import Plan, Status
from kttn_cli.core.rows import ROW_KEYS, Row, document
from kttn_cli.core.text import one_line
from kttn_cli.i18n import _, n_
from kttn_cli.render import describe

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
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        value = ";".join(value)
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


def ics_bytes(plan: Plan, as_of: date, rows: Sequence[Row], alarm_days: int | None = None) -> bytes:
    """iCalendar: one all-day VEVENT per dated milestone and deadline.

    Units whose deadline was extended get an event of their own on the new day. DTSTAMP
    is the as-of date (not the clock), so the same inputs give the same bytes.
    `alarm_days` adds a VALARM at 09:00 that many days before the due day to events
    still ahead. Outlook and Google ignore VTODO: hence events.
    """
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", ICS_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", one_line(describe.plan_heading(plan)))
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
        event.add("description", _ics_description(plan, as_of, group))
        event.add("transp", "TRANSPARENT")
        if alarm_days is not None and any(r.status in _AHEAD for r in group):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add(
                "description", _("Due soon: {title}").format(title=one_line(first.milestone_title))
            )
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


def _ics_description(plan: Plan, as_of: date, group: list[Row]) -> str:
    """Task, deadline as written, recipients, then one line per unit with its status;
    text from files is made one line each, so no line of it can pass for another."""
    first = group[0]
    lines = [_("Task {id}: {title}").format(id=first.task_id, title=one_line(first.task_title))]
    if first.due_text:
        lines.append(_("Deadline as written: {text}").format(text=one_line(first.due_text)))
    milestone = plan.milestone(first.milestone_id)
    to = describe.recipients_text(plan, milestone)
    if to:
        lines.append(one_line(to))
    lines.append(_("Units:"))
    for row in group:
        details = []
        if row.days_overdue is not None:
            details.append(
                n_("{days} day overdue", "{days} days overdue", row.days_overdue).format(
                    days=row.days_overdue
                )
            )
        if row.days_late is not None:
            details.append(describe.late_by(row.days_late))
        if row.submitted_on is not None:
            details.append(_("received {date}").format(date=show_date(row.submitted_on)))
        if row.reference:
            details.append(one_line(row.reference))
        extra = f" ({'; '.join(details)})" if details else ""
        lines.append(f"- {one_line(row.unit_name)}: {describe.status_label(row.status)}{extra}")
    lines.append(describe.as_of_line(as_of))
    return "\n".join(lines)


def records_json(ledger: Ledger) -> bytes:
    """`kttn log --format json`: every record, with its id and type, in ledger order."""
    from dataclasses import asdict

    from kttn_cli.schema.ledger import record_type

    out = []
    for record in ledger.records:
        item: dict[str, Any] = {"id": record.id, "type": record_type(record)}
        for key, value in asdict(record).items():
            if key == "id":
                continue
            if isinstance(value, datetime):
                value = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            item[key] = value
        out.append(item)
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


UNIT_KEYS = ("id", "name", "short", "kind", "email", "active_from", "active_until", "replaces")


def units_bytes(plan: Plan, as_of: date | None, output_format: str) -> bytes:
    """`kttn units --format json|csv`: the units (that exist on `as_of`, when given)."""
    rows = []
    for unit in plan.units:
        if as_of is not None and not unit.active_on(as_of):
            continue
        row: dict[str, Any] = {}
        for key in UNIT_KEYS:
            value = getattr(unit, key)
            row[key] = (
                value.isoformat()
                if isinstance(value, date)
                else list(value)
                if isinstance(value, tuple)
                else value
            )
        rows.append(row)
    if output_format == "json":
        doc = {"plan": {"id": plan.info.id, "number": plan.info.number}, "units": rows}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(UNIT_KEYS)
    for row in rows:
        writer.writerow([_cell(row[k], raw=False) for k in UNIT_KEYS])
    return buffer.getvalue().encode("utf-8")
