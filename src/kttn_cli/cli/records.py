"""Recording in the ledger: submit, void, extend, task add, log.

Every command builds its new records inside `ledger_file.append`, i.e. under the lock and
against the ledger as it is at that moment, so two clerks recording at once never both
"win" a duplicate and never lose each other's records.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from kttn_cli.cli.app import command, error_line, task_app
from kttn_cli.cli.session import (
    AsOfOption,
    LangOption,
    LedgerOption,
    PlanOption,
    Session,
    now_utc,
    user_date,
)
from kttn_cli.core.dates import show_date
from kttn_cli.core.model import (
    DATED_KINDS,
    RECORD_TYPES,
    AdHocTask,
    Extension,
    LedgerRecord,
    Milestone,
    Plan,
    Status,
    Submission,
    Void,
)
from kttn_cli.core.references import reference_form_ok
from kttn_cli.core.status import AD_HOC_TASK_ID, Ledger, judge, obligations, with_ad_hoc_tasks
from kttn_cli.core.text import nfc
from kttn_cli.errors import DataError, UsageError
from kttn_cli.i18n import Lang, say, say_n, status_label


def recorded_by() -> str:
    """Who records: KTTN_USER, else the login name (the audit trail's "by whom")."""
    name = incoming(os.environ.get("KTTN_USER", ""), "KTTN_USER")
    if name:
        return name
    import getpass

    try:
        # getpass reads LOGNAME/USER first: environment text like the rest.
        return incoming(getpass.getuser(), "LOGNAME") or "unknown"
    except (OSError, KeyError):
        return "unknown"


def incoming(text: str, what: str) -> str:
    """Text from an argument or the environment as stored: NFC, trimmed.

    Bytes that are not UTF-8 reach Python as lone surrogates, which no file can hold:
    refused here (exit 2) rather than failing at write time.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("err.not_text", what=what, value=text) from None
    return nfc(text).strip()


def _reason(text: str) -> str:
    """`--reason` as stored; an empty one is refused (exit 2): the audit trail needs it."""
    why = incoming(text, "--reason")
    if not why:
        raise UsageError("err.empty_reason")
    return why


def _next_ids(ledger: Ledger, count: int) -> list[str]:
    """Short sequential ids (`r1`, `r2`, …): chosen under the lock, so never reused."""
    highest = 0
    for record in ledger.records:
        if record.id.startswith("r") and record.id[1:].isdigit():
            highest = max(highest, int(record.id[1:]))
    return [f"r{highest + i}" for i in range(1, count + 1)]


def _common(ident: str, now: datetime, by: str) -> dict[str, Any]:
    return {"id": ident, "recorded_at": now, "recorded_by": by}


def _active_submissions(ledger: Ledger) -> dict[tuple[str, str], Submission]:
    found: dict[tuple[str, str], Submission] = {}
    for record in ledger.active():
        if isinstance(record, Submission):
            found[(record.milestone, record.unit)] = record
    return found


def _resolve_obligations(
    plan: Plan, milestone_query: str, unit_queries: list[str]
) -> tuple[Milestone, list[str]]:
    from kttn_cli.cli.lookup import find_milestone, find_unit

    milestone = plan.milestone(find_milestone(plan, milestone_query))
    assigned = plan.expand(milestone.assignees)
    units: list[str] = []
    for query in unit_queries:
        unit_id = find_unit(plan, query)
        if unit_id not in assigned:
            raise UsageError(
                "err.not_assigned",
                unit=plan.unit(unit_id).name,
                milestone=milestone.id,
                assigned=", ".join(plan.unit(u).label for u in assigned),
            )
        if unit_id not in units:
            units.append(unit_id)
    return milestone, units


def _echo(line: str) -> None:
    sys.stdout.write(line + "\n")


def _status_words(status: Status, days_late: int | None, lang: Lang) -> str:
    text = status_label(status, lang)
    if status is Status.LATE and days_late:
        text += f" ({say_n('late_by', lang, days_late, days=days_late)})"
    return text


MilestoneArg = Annotated[str, typer.Argument(help="Milestone: id or name", show_default=False)]
UnitsArg = Annotated[list[str], typer.Argument(help="One or more units: id or name")]


@command("submit")
def submit_command(
    milestone: MilestoneArg,
    units: UnitsArg,
    on: Annotated[str, typer.Option("--on", help="Date received: YYYY-MM-DD or DD/MM/YYYY")],
    ref: Annotated[
        str | None, typer.Option("--ref", help="Document number, e.g. 12-BC/HU or 12/BC-UBND")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note to keep")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Void the earlier submission and record this one")
    ] = False,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """Record that units sent a milestone's deliverable (one submission per unit)."""
    from kttn_cli.storage.ledger_file import append

    session = Session(plan, ledger, as_of, lang)
    lg = session.lang
    received = user_date(on)
    if received > session.as_of:
        raise DataError(
            "err.future_date", value=show_date(received), today=show_date(session.as_of)
        )
    reference = (incoming(ref, "--ref") or None) if ref else None
    note_text = (incoming(note, "--note") or None) if note else None

    def build(current: Ledger) -> list[dict[str, Any]]:
        full = with_ad_hoc_tasks(session.plan, current)
        target, unit_ids = _resolve_obligations(full, milestone, units)
        existing = _active_submissions(current)
        clashes = [u for u in unit_ids if (target.id, u) in existing]
        if clashes and not replace:
            raise DataError(
                "err.already_submitted",
                milestone=target.id,
                units=", ".join(
                    f"{full.unit(u).label} ({existing[(target.id, u)].id}, "
                    f"{show_date(existing[(target.id, u)].on)})"
                    for u in clashes
                ),
            )
        now, by = now_utc(), recorded_by()
        ids = iter(_next_ids(current, len(unit_ids) + len(clashes)))
        new: list[dict[str, Any]] = []
        for unit_id in unit_ids:
            if (target.id, unit_id) in existing:
                new.append(
                    {
                        **_common(next(ids), now, by),
                        "type": "void",
                        "target": existing[(target.id, unit_id)].id,
                        "reason": say("replaced_reason", lg),
                    }
                )
            new.append(
                {
                    **_common(next(ids), now, by),
                    "type": "submission",
                    "milestone": target.id,
                    "unit": unit_id,
                    "on": received,
                    "reference": reference,
                    "note": note_text,
                }
            )
        return new

    written = append(session.ledger_path, session.plan.info.id, lg, build)
    if reference and not reference_form_ok(reference):
        error_line(say("warn.reference_form", lg, ref=reference))
    _report_submissions(session, written, lg)


def _report_submissions(session: Session, written: list[LedgerRecord], lg: Lang) -> None:
    from kttn_cli.storage.ledger_file import load_ledger

    current = load_ledger(session.ledger_path, session.plan.info.id, lg)
    by_key = {
        (o.milestone.id, o.unit_id): o for o in obligations(session.plan, current, session.shift)
    }
    for record in written:
        if isinstance(record, Void):
            _echo(say("recorded.void", lg, id=record.id, target=record.target))
            continue
        assert isinstance(record, Submission)
        obligation = by_key[(record.milestone, record.unit)]
        # Judged as of the day it arrived: on time or late by N days, whatever today is.
        verdict = judge(obligation, record.on, session.plan.warn_days)
        _echo(
            say(
                "recorded.submission",
                lg,
                id=record.id,
                milestone=record.milestone,
                unit=session.plan.unit(record.unit).name,
                on=show_date(record.on),
                status=_status_words(verdict.status, verdict.days_late, lg),
            )
        )


@command("void")
def void_command(
    record_id: Annotated[str, typer.Argument(help="The record's id, as `kttn log` shows it")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn")],
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    lang: LangOption = None,
) -> None:
    """Withdraw a recorded submission, extension or ad-hoc task (kept for audit)."""
    from kttn_cli.storage.ledger_file import append

    session = Session(plan, ledger, None, lang)
    lg = session.lang
    why = _reason(reason)
    wanted = record_id.strip()

    def build(current: Ledger) -> list[dict[str, Any]]:
        records = {r.id: r for r in current.records}
        target = records.get(wanted)
        if target is None:
            raise DataError("err.no_record", id=wanted)
        if isinstance(target, Void):
            raise DataError("err.void_a_void", id=wanted)
        if all(r.id != wanted for r in current.active()):
            raise DataError("err.already_void", id=wanted)
        targets = [wanted]
        if isinstance(target, AdHocTask):
            # Submissions and extensions of a withdrawn task would name a milestone that
            # no longer exists (and fail `kttn check`): they are withdrawn with it.
            targets += [
                r.id
                for r in current.active()
                if isinstance(r, Submission | Extension) and r.milestone == target.milestone
            ]
        now, by = now_utc(), recorded_by()
        return [
            {**_common(ident, now, by), "type": "void", "target": victim, "reason": why}
            for ident, victim in zip(_next_ids(current, len(targets)), targets, strict=True)
        ]

    for record in append(session.ledger_path, session.plan.info.id, lg, build):
        assert isinstance(record, Void)
        _echo(say("recorded.void", lg, id=record.id, target=record.target))


@command("extend")
def extend_command(
    milestone: MilestoneArg,
    units: UnitsArg,
    to: Annotated[str, typer.Option("--to", help="New deadline: YYYY-MM-DD or DD/MM/YYYY")],
    reason: Annotated[str, typer.Option("--reason", help="Why, and on whose decision")],
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    lang: LangOption = None,
) -> None:
    """Record a deadline extension (gia hạn) for units; the original stays visible."""
    from kttn_cli.storage.ledger_file import append

    session = Session(plan, ledger, None, lang)
    lg = session.lang
    new_due = user_date(to)
    why = _reason(reason)

    def build(current: Ledger) -> list[dict[str, Any]]:
        full = with_ad_hoc_tasks(session.plan, current)
        target, unit_ids = _resolve_obligations(full, milestone, units)
        planned = target.due.deadline
        if target.due.kind not in DATED_KINDS or planned is None:
            raise DataError("err.extend_undated", milestone=target.id)
        if new_due <= planned:
            raise DataError(
                "err.extend_earlier",
                milestone=target.id,
                due=show_date(planned),
                to=show_date(new_due),
            )
        now, by = now_utc(), recorded_by()
        ids = _next_ids(current, len(unit_ids))
        return [
            {
                **_common(ident, now, by),
                "type": "extension",
                "milestone": target.id,
                "unit": unit_id,
                "to": new_due,
                "reason": why,
            }
            for ident, unit_id in zip(ids, unit_ids, strict=True)
        ]

    for record in append(session.ledger_path, session.plan.info.id, lg, build):
        assert isinstance(record, Extension)
        _echo(
            say(
                "recorded.extension",
                lg,
                id=record.id,
                milestone=record.milestone,
                unit=session.plan.unit(record.unit).name,
                to=show_date(record.to),
            )
        )


@command("add", group=task_app)
def task_add_command(
    title: Annotated[str, typer.Option("--title", help="What the task is")],
    assigned_by: Annotated[
        str, typer.Option("--by", help="The document that assigned it, e.g. 25-CV/TU")
    ],
    unit: Annotated[
        list[str], typer.Option("--unit", "-u", help="Unit or group that owes it; repeatable")
    ],
    due: Annotated[
        str | None, typer.Option("--due", help="Deadline: YYYY-MM-DD or DD/MM/YYYY")
    ] = None,
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="Unit that receives the result")
    ] = None,
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    lang: LangOption = None,
) -> None:
    """Add an ad-hoc task under item II.7 (nhiệm vụ đột xuất) with its deadline and units."""
    from kttn_cli.cli.lookup import find_unit, find_unit_or_group
    from kttn_cli.storage.ledger_file import append

    session = Session(plan, ledger, None, lang)
    lg = session.lang
    base = session.plan
    if not any(t.id == AD_HOC_TASK_ID for t in base.tasks):
        raise DataError("err.no_ad_hoc_item", task=AD_HOC_TASK_ID)
    clean_title = incoming(title, "--title")
    document = incoming(assigned_by, "--by")
    if not clean_title or not document:
        raise UsageError("err.empty_field")
    deadline = user_date(due) if due else None
    owners: list[str] = []
    for query in unit:
        owner = find_unit_or_group(base, query)
        if owner not in owners:
            owners.append(owner)
    receiver = find_unit(base, recipient) if recipient else None

    def build(current: Ledger) -> list[dict[str, Any]]:
        count = sum(1 for r in current.records if isinstance(r, AdHocTask))
        (ident,) = _next_ids(current, 1)
        return [
            {
                **_common(ident, now_utc(), recorded_by()),
                "type": "task",
                "milestone": f"{AD_HOC_TASK_ID}-{count + 1}",
                "title": clean_title,
                "due": deadline,
                "units": owners,
                "assigned_by": document,
                "recipient": receiver,
            }
        ]

    for record in append(session.ledger_path, base.info.id, lg, build):
        assert isinstance(record, AdHocTask)
        _echo(
            say(
                "recorded.task",
                lg,
                id=record.id,
                milestone=record.milestone,
                title=record.title,
                due=show_date(record.due) or "—",
            )
        )


@command("log")
def log_command(
    output_format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    lang: LangOption = None,
) -> None:
    """The ledger's records, newest last, with their ids (what `kttn void` takes)."""
    session = Session(plan, ledger, None, lang)
    records = session.ledger.records
    if output_format == "json":
        doc = [_record_json(r) for r in records]
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    if output_format != "table":
        raise UsageError("err.bad_format", value=output_format, choices="table, json")
    from kttn_cli.render.log_view import render_log

    render_log(session.full_plan, session.ledger, session.lang)


def _record_json(record: LedgerRecord) -> dict[str, Any]:
    from dataclasses import asdict

    out: dict[str, Any] = {"id": record.id, "type": RECORD_TYPES[type(record)]}
    for key, value in asdict(record).items():
        if key == "id":
            continue
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out
