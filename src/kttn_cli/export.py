"""Machine formats of the obligation rows: JSON, CSV and iCalendar (docs/architecture.md,
"Machine outputs").

Rows in, bytes out. No Rich here: cron and scripts take these paths, and they must start
fast; `icalendar` is imported only when a calendar is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kttn_cli.core.dates import show_date
from kttn_cli.core.ledger import Ledger
from kttn_cli.core.model import (
    OPEN_KINDS,
    AdHocTask,
    Extension,
    LedgerRecord,
    Plan,
    Schedule,
    Status,
    Void,
)
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


# --- iCalendar ------------------------------------------------------------------------
#
# How a calendar stays one calendar across exports (docs/architecture.md, "The other
# ends"):
#
# - One UID per thing, never per day: `M@PLAN.kttn` is milestone M's event,
#   `M+U@PLAN.kttn` unit U's own event for M (only while U's last day differs from the
#   milestone event's), and an export filtered with --unit is a calendar of its own,
#   `M+U@PLAN+UNITS.kttn` ("+" cannot occur in an id, so no two forms can meet). An
#   extension moves an event; it never adds a second one with the same meaning.
# - The milestone's event sits on the plan's day in force while some unit is still due
#   on it; once every unit has its own day, on the day most units share (ties: the
#   earliest). So the event of a milestone owed by one unit moves with its extension.
# - A unit's own event that is no longer needed (its extension withdrawn, or the others
#   moved to its day) stays in the file as STATUS:CANCELLED, so a calendar that imported
#   it marks it cancelled instead of keeping a deadline that is gone. "Was it ever needed" is
#   answered by replaying the ledger's extensions and schedules of that milestone, write
#   by write (the records of one write share their recorded_at).
# - SEQUENCE counts the ledger records, in force or withdrawn, that touch the event. In
#   the plan's calendar every event of milestone M counts every record of M: its
#   submissions, extensions and schedules, the record of an ad-hoc task, and each void
#   of one of these (another unit's extension can move or cancel a unit's event). In a
#   unit calendar an event counts the records of that unit's share of M, M's schedules
#   and task record, and their voids. The ledger only grows, so SEQUENCE only grows, and
#   it grows with every recorded change of a day or a status. LAST-MODIFIED is the
#   newest such record's recorded_at (none: the plan's issue date, 00:00 UTC).
# - DTSTAMP is when the file was written (`now`, UTC). Changes that no record makes (a
#   new as-of date, an edited plan) keep SEQUENCE and are ordered by DTSTAMP, as RFC
#   5546 orders equal sequences. Apart from DTSTAMP, the same ledger, plan and as-of
#   date give the same bytes.

# Identifies the producer in every calendar; no version number, so that the same inputs
# give the same bytes whichever kttn release wrote them.
ICS_PRODID = "-//kttn//Plan deadline tracker//VI"
ALARM_HOUR = 9  # the reminder fires at 09:00, N days before the due day
# Only events still ahead get a reminder: an overdue one's would fire in the past.
_AHEAD = frozenset({Status.DUE_SOON, Status.PENDING})
# Separates a milestone id from a unit id, and a plan id from unit ids, inside a UID.
UID_JOIN = "+"


@dataclass(frozen=True, slots=True)
class Touches:
    """How many ledger records touched something, and when the newest was recorded."""

    count: int = 0
    newest: datetime | None = None

    def plus(self, other: Touches) -> Touches:
        newest = max((t for t in (self.newest, other.newest) if t is not None), default=None)
        return Touches(self.count + other.count, newest)


@dataclass(frozen=True, slots=True)
class _Move:
    """A record that can move a last day: an extension, a schedule, or a void."""

    at: datetime
    record_id: str
    kind: str  # "extension", "schedule" or "void"
    unit: str = ""
    day: date | None = None
    target: str = ""


@dataclass
class CalendarHistory:
    """What the whole ledger, withdrawn records included, says about each milestone: the
    counts behind SEQUENCE and LAST-MODIFIED, and the records that moved its days."""

    milestone: dict[str, Touches] = field(default_factory=dict)  # every record of M
    general: dict[str, Touches] = field(default_factory=dict)  # schedules, the task record
    share: dict[tuple[str, str], Touches] = field(default_factory=dict)  # (M, U)
    moves: dict[str, list[_Move]] = field(default_factory=dict)

    def of_milestone(self, milestone_id: str) -> Touches:
        return self.milestone.get(milestone_id, Touches())

    def of_share(self, milestone_id: str, unit_id: str) -> Touches:
        return self.general.get(milestone_id, Touches()).plus(
            self.share.get((milestone_id, unit_id), Touches())
        )


def calendar_history(plan: Plan, records: Iterable[LedgerRecord]) -> CalendarHistory:
    """The calendar's view of the ledger: every record, in ledger order, read through the
    plan's renames (`core.roster`) like the book reads it. A void touches what its
    target touched; records that point nowhere touch nothing."""
    from kttn_cli.core.roster import Roster

    roster = Roster.of(plan)
    history = CalendarHistory()
    where: dict[str, tuple[str, str]] = {}  # record id → (milestone, unit or "")
    for record in records:
        at = record.recorded_at
        if at.tzinfo is None:  # a hand-written time without an offset: read as UTC
            at = at.replace(tzinfo=UTC)
        move: _Move | None = None
        if isinstance(record, Void):
            place = where.get(record.target)
            if place is None:
                continue
            move = _Move(at, record.id, "void", target=record.target)
        elif isinstance(record, AdHocTask):
            place = (record.milestone, "")
        else:
            milestone_id = roster.milestone(plan, record.milestone)
            if milestone_id is None:
                continue
            if isinstance(record, Schedule):
                place = (milestone_id, "")
                move = _Move(at, record.id, "schedule", day=record.on)
            else:
                reading = roster.unit(plan, record.unit)
                if reading is None:
                    continue
                place = (milestone_id, reading.unit_id)
                if isinstance(record, Extension):
                    move = _Move(at, record.id, "extension", unit=reading.unit_id, day=record.to)
        where[record.id] = place
        milestone_id, unit_id = place
        one = Touches(1, at)
        history.milestone[milestone_id] = history.of_milestone(milestone_id).plus(one)
        if unit_id:
            history.share[place] = history.share.get(place, Touches()).plus(one)
        else:
            history.general[milestone_id] = history.general.get(milestone_id, Touches()).plus(one)
        if move is not None:
            history.moves.setdefault(milestone_id, []).append(move)
    return history


@dataclass(frozen=True, slots=True)
class _Event:
    uid: str
    day: date
    rows: tuple[Row, ...]  # the obligations due that day that the event is about
    touches: Touches
    unit: Row | None = None  # a unit's own event: its row (summary names the unit)
    elsewhere: tuple[Row, ...] = ()  # a milestone event: units with a day of their own
    cancelled: bool = False


def ics_bytes(
    plan: Plan,
    as_of: date,
    rows: Sequence[Row],
    alarm_days: int | None = None,
    *,
    now: datetime,
    records: Iterable[LedgerRecord] = (),
    units: Sequence[str] = (),
) -> bytes:
    """iCalendar: all-day VEVENTs (Outlook and Google ignore VTODO) that update in place.

    `records` is the whole ledger, withdrawn records included (SEQUENCE, LAST-MODIFIED,
    and which units' own events existed). `units` are the units an export was filtered
    by: their calendar is another calendar, with its own name and UIDs, and one event per
    unit and milestone. `now` is DTSTAMP (UTC). `alarm_days` adds a VALARM at 09:00 that
    many days before the due day to events still ahead. The model is described above.
    """
    from icalendar import Alarm, Calendar, Event

    history = calendar_history(plan, records)
    cal = Calendar()
    cal.add("prodid", ICS_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = describe.plan_heading(plan)
    chosen = tuple(dict.fromkeys(units))
    if chosen:
        name += " — " + ", ".join(plan.unit_name(u) for u in chosen)
    cal.add("x-wr-calname", one_line(name))
    stamp = now.astimezone(UTC).replace(microsecond=0)
    issued = datetime.combine(plan.info.issued_on, time(0), tzinfo=UTC)
    if chosen:
        events = _unit_calendar_events(plan, rows, history, chosen)
    else:
        events = _plan_calendar_events(plan, rows, history)
    for item in events:
        first = item.rows[0]
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("sequence", item.touches.count)
        event.add("last-modified", (item.touches.newest or issued).astimezone(UTC))
        event.add("dtstart", item.day)
        if item.day < date.max:  # without DTEND an all-day event lasts its day (RFC 5545)
            event.add("dtend", item.day + timedelta(days=1))
        title = f"{first.milestone_title} ({first.task_id})"
        if item.unit is not None and (len(chosen) != 1):
            title += f" — {plan.unit_label(item.unit.unit_id)}"
        event.add("summary", one_line(title))
        event.add("description", _ics_description(plan, as_of, item))
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        ahead = any(r.status in _AHEAD for r in item.rows)
        if alarm_days is not None and ahead and not item.cancelled:
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


def _by_milestone(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Rows grouped by milestone, in first-seen (plan) order."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.milestone_id, []).append(row)
    return groups


def _unit_calendar_events(
    plan: Plan, rows: Sequence[Row], history: CalendarHistory, units: tuple[str, ...]
) -> list[_Event]:
    """A calendar of some units: one event per dated obligation, which moves with it."""
    domain = f"{plan.info.id}{UID_JOIN}{UID_JOIN.join(sorted(units))}.kttn"
    return [
        _Event(
            uid=f"{row.milestone_id}{UID_JOIN}{row.unit_id}@{domain}",
            day=row.due,
            rows=(row,),
            touches=history.of_share(row.milestone_id, row.unit_id),
            unit=row,
        )
        for row in rows
        if row.due is not None
    ]


def _plan_calendar_events(
    plan: Plan, rows: Sequence[Row], history: CalendarHistory
) -> list[_Event]:
    """The plan's calendar: per milestone, its event, then its units' own events."""
    domain = f"{plan.info.id}.kttn"
    events: list[_Event] = []
    for milestone_id, group in _by_milestone(rows).items():
        dated = [r for r in group if r.due is not None]
        if not dated:
            continue
        planned = group[0].last_day
        main = main_day([r.due for r in dated if r.due is not None], planned)
        together = tuple(r for r in dated if r.due == main)
        apart = tuple(r for r in dated if r.due != main)
        events.append(
            _Event(
                uid=f"{milestone_id}@{domain}",
                day=main,
                rows=together,
                touches=history.of_milestone(milestone_id),
                elsewhere=apart,
            )
        )
        had_own = _units_once_apart(
            history.moves.get(milestone_id, []),
            [r.unit_id for r in dated],
            None if group[0].kind in OPEN_KINDS else planned,
        )
        for row in dated:
            if row.due == main and row.unit_id not in had_own:
                continue
            assert row.due is not None
            events.append(
                _Event(
                    uid=f"{milestone_id}{UID_JOIN}{row.unit_id}@{domain}",
                    day=row.due,
                    rows=(row,),
                    # Another unit's extension can move or cancel this event too.
                    touches=history.of_milestone(milestone_id),
                    unit=row,
                    cancelled=row.due == main,
                )
            )
    return events


def main_day(days: Sequence[date], planned: date | None) -> date:
    """The day of a milestone's own event: the plan's day in force while a unit is due
    on it, else the day most units share (ties: the earliest)."""
    if planned is not None and planned in days:
        return planned
    counts: dict[date, int] = {}
    for day in days:
        counts[day] = counts.get(day, 0) + 1
    return min(counts, key=lambda d: (-counts[d], d))


def _units_once_apart(moves: list[_Move], units: list[str], plan_day: date | None) -> set[str]:
    """The units that had a day apart from the milestone event's after some write, so an
    earlier export may hold their own event: the ledger's extensions, schedules and their
    voids replayed write by write (a write's records share their recorded_at)."""
    extensions: dict[str, list[tuple[str, date]]] = {}
    schedules: list[tuple[str, date]] = []
    wanted = set(units)
    apart: set[str] = set()
    for index, move in enumerate(moves):
        if move.kind == "extension" and move.day is not None:
            extensions.setdefault(move.unit, []).append((move.record_id, move.day))
        elif move.kind == "schedule" and move.day is not None:
            schedules.append((move.record_id, move.day))
        else:
            schedules = [s for s in schedules if s[0] != move.target]
            for unit, held in extensions.items():
                extensions[unit] = [e for e in held if e[0] != move.target]
        if index + 1 < len(moves) and moves[index + 1].at == move.at:
            continue  # the same write goes on
        planned = schedules[-1][1] if schedules else plan_day
        days = {u: (extensions[u][-1][1] if extensions.get(u) else planned) for u in wanted}
        known = [d for d in days.values() if d is not None]
        if not known:
            continue
        main = main_day(known, planned)
        apart |= {u for u, d in days.items() if d is not None and d != main}
    return apart


def _ics_description(plan: Plan, as_of: date, event: _Event) -> str:
    """Task, deadline as written, recipients, then one line per unit with its status;
    text from files is made one line each, so no line of it can pass for another."""
    first = event.rows[0]
    lines = [_("Task {id}: {title}").format(id=first.task_id, title=one_line(first.task_title))]
    if first.due_text:
        lines.append(_("Deadline as written: {text}").format(text=one_line(first.due_text)))
    milestone = plan.milestone(first.milestone_id)
    to = describe.recipients_text(plan, milestone)
    if to:
        lines.append(one_line(to))
    if event.cancelled:
        lines.append(
            _(
                "Cancelled: this unit's last day is the milestone's again ({date}); "
                "see the milestone's event."
            ).format(date=show_date(event.day))
        )
    lines.append(_("Units:"))
    for row in event.rows:
        details = []
        if row.extended and row.last_day is not None:
            details.append(_("extended from {date}").format(date=show_date(row.last_day)))
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
    if event.elsewhere:
        lines.append(_("Units with a last day of their own (their own events):"))
        for row in event.elsewhere:
            lines.append(f"- {one_line(row.unit_name)}: {show_date(row.due)}")
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
