"""Recording in the ledger: submit, void, extend, schedule, task add, log.

Each write decides its new records inside `ledger_file.append`, i.e. under the lock and
against the ledger as it is at that moment, so two clerks recording at once never both
"win" a duplicate and never lose each other's records. After the commit point the
confirmation is printed with interrupts held; a confirmation that cannot be printed
(stdout closed or full) does not undo or hide a committed write: the exit code stays 0
and stderr says so (docs/architecture.md, "Data safety").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

# What a write's `build` uses is imported here, before any lock is taken: under the lock
# an import is time every other writer waits (docs/architecture.md, "Data safety").
from kttn_cli.cli.lookup import find_milestone, find_unit, find_unit_or_group
from kttn_cli.cli.options import STATE, listing_format
from kttn_cli.cli.session import Session, now_utc, user_date
from kttn_cli.cli.spec import Param, command
from kttn_cli.core.dates import show_date
from kttn_cli.core.model import (
    OPEN_KINDS,
    AdHocTask,
    Extension,
    LedgerRecord,
    Milestone,
    Schedule,
    Submission,
    Void,
)
from kttn_cli.core.obligations import Obligation, ad_hoc_item
from kttn_cli.core.status import judge
from kttn_cli.core.text import nfc
from kttn_cli.errors import DataError, UsageError
from kttn_cli.i18n import N_, _
from kttn_cli.storage.loader import State

MILESTONE = Param(
    "milestone",
    required=True,
    metavar=N_("MILESTONE"),
    complete="milestone",
    help=N_("The milestone: its id (see `kttn tasks`) or its title without diacritics."),
)
UNITS = Param(
    "units",
    kind="list",
    required=True,
    metavar=N_("UNIT"),
    complete="unit",
    help=N_("One or more units: id or name without diacritics."),
)
REASON = Param(
    "reason",
    "--reason",
    metavar=N_("TEXT"),
    required=True,
    help=N_("Why, and on whose decision (kept in the ledger)."),
)


# --- shared pieces ------------------------------------------------------------------------


def incoming(text: str, what: str) -> str:
    """Text from the command line as stored: NFC, trimmed. Bytes that are not UTF-8
    reach Python as lone surrogates, which no file can hold: refused here (exit 2)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(
            N_("{what} contains bytes that are not UTF-8: {value!r}"), what=what, value=text
        ) from None
    return nfc(text).strip()


def _reason(text: str) -> str:
    why = incoming(text, "--reason")
    if not why:
        raise UsageError(N_("a reason is required (--reason)"))
    return why


def received_date(s: Session, text: str | None, what: str) -> date:
    """A date a record carries: `--on` (default: today in Vietnam). Never before the plan
    starts, never after today by the real clock, whatever --as-of says (--as-of may look
    back; a record cannot be dated in the future)."""
    day = user_date(text, what) if text is not None else s.today
    first = s.plan_file.info.records_from
    if day < first:
        raise DataError(
            N_("{option} {value} is before the plan starts ({start}); check the year"),
            option=what,
            value=show_date(day),
            start=show_date(first),
        )
    if day > s.today:
        raise DataError(
            N_("{option} {value} is after today ({today}); it cannot be recorded in advance"),
            option=what,
            value=show_date(day),
            today=show_date(s.today),
        )
    return day


class Stamp:
    """When and by whom the records of one write are recorded."""

    def __init__(self, s: Session) -> None:
        self.at = now_utc()
        self.by = incoming(s.recorded_by, "KTTN_USER") or "unknown"


def resolve_obligations(
    s: Session, state: State, milestone_query: str, unit_queries: list[str]
) -> tuple[Milestone, list[Obligation]]:
    """The milestone and the obligations of the named units, or a clear error."""
    plan = state.book.plan_with_tasks(state.plan)
    milestone = plan.milestone(find_milestone(plan, milestone_query))
    owed = {o.unit_id: o for o in obligations_of(s, state, milestone.id)}
    chosen: dict[str, Obligation] = {}
    for query in unit_queries:
        unit_id = find_unit(plan, query)
        if unit_id not in owed:
            raise UsageError(
                N_("milestone {milestone} is not owed by {unit}; owed by: {owed}"),
                milestone=milestone.id,
                unit=plan.unit_name(unit_id),
                owed=", ".join(plan.unit_label(u) for u in owed) or "—",
            )
        chosen.setdefault(unit_id, owed[unit_id])
    return milestone, list(chosen.values())


def write(
    s: Session, build: Callable[[State], list[LedgerRecord]], *, fixes: bool = False
) -> list[LedgerRecord]:
    """Append the records `build` makes, and keep interrupts for after the confirmation."""
    from kttn_cli.storage.ledger_file import append

    s.as_of  # noqa: B018 - a bad KTTN_TODAY / --as-of is reported even by a write
    s.recorded_by  # noqa: B018 - settled before the lock (the login name imports getpass)
    written = append(
        s.ledger_path,
        s.plan_path,
        build,
        lock_timeout=s.lock_timeout,
        cache_dir=s.cache_dir,
        on_commit=s.committed,
        allow_problems=fixes,
    )
    if written.backup_note:
        s.warn(
            _(
                "warning: the record was written, but the backup could not be refreshed: {reason}"
            ).format(reason=written.backup_note)
        )
    s.refresh(written.state)
    return written.records


def obligations_of(s: Session, state: State, milestone_id: str | None = None) -> list[Obligation]:
    from kttn_cli.core.obligations import obligations

    return obligations(state.plan, state.book, s.shift, only=milestone_id)


# --- submit -------------------------------------------------------------------------------


@command(
    "submit",
    MILESTONE,
    UNITS,
    Param(
        "on",
        "--on",
        metavar=N_("DATE"),
        help=N_("Date received, YYYY-MM-DD or DD/MM/YYYY (default: today in Vietnam)."),
    ),
    Param(
        "ref",
        "--ref",
        metavar=N_("NUMBER"),
        help=N_("The document's number and symbol, e.g. 12-BC/HU or 12/BC-UBND."),
    ),
    Param("note", "--note", metavar=N_("TEXT"), help=N_("A note to keep with the record.")),
    Param(
        "replace",
        "--replace",
        kind="flag",
        default=False,
        help=N_("Withdraw the earlier submission and record this one."),
    ),
    *STATE,
    writes=True,
    examples=(
        (
            "kttn submit III.2-bc-6-thang van-lam yen-my --on 28/06/2024 --ref 45-BC/HU",
            N_("Two district committees sent their 6-month report on 28 June 2024."),
        ),
        (
            'kttn submit III.2-bc-6-thang "van lam" --on 29/06/2024 --replace',
            N_("A corrected report: the earlier record is withdrawn, both are kept."),
        ),
        (
            "kttn submit II.4-so-ket btctu --ref 15-TB/BCĐ",
            N_("The review conference was held today."),
        ),
    ),
)
def submit(
    s: Session,
    *,
    milestone: str,
    units: list[str],
    on: str | None,
    ref: str | None,
    note: str | None,
    replace: bool,
) -> None:
    """Record that units delivered a milestone: a report received, a conference held, a
    document issued (one record per unit).

    The date is the day it was received; without --on it is today in Vietnam. Each
    record is confirmed with its id (what `kttn void` takes) and its status.
    """
    received = received_date(s, on, "--on")
    reference = (incoming(ref, "--ref") or None) if ref else None
    note_text = (incoming(note, "--note") or None) if note else None

    def build(state: State) -> list[LedgerRecord]:
        plan = state.book.plan_with_tasks(state.plan)
        target, chosen = resolve_obligations(s, state, milestone, units)
        clashes = [o for o in chosen if o.submissions]
        if clashes and not replace:
            raise DataError(
                N_(
                    "{milestone} already has a submission from: {units}; use --replace to "
                    "replace it"
                ),
                milestone=target.id,
                units=", ".join(
                    f"{plan.unit_label(o.unit_id)} ({o.submissions[-1].id}, "
                    f"{show_date(o.submissions[-1].on)})"
                    for o in clashes
                ),
            )
        ids = iter(state.book.next_ids(len(chosen) + sum(len(o.submissions) for o in clashes)))
        stamp = Stamp(s)
        new: list[LedgerRecord] = []
        for o in chosen:
            for old in o.submissions:
                new.append(
                    Void(
                        id=next(ids),
                        recorded_at=stamp.at,
                        recorded_by=stamp.by,
                        target=old.id,
                        reason=_("replaced by a new submission (--replace)"),
                    )
                )
            new.append(
                Submission(
                    id=next(ids),
                    recorded_at=stamp.at,
                    recorded_by=stamp.by,
                    milestone=target.id,
                    unit=o.unit_id,
                    on=received,
                    reference=reference,
                    note=note_text,
                )
            )
        return new

    records = write(s, build)
    if reference:
        from kttn_cli.core.references import reference_form_ok

        if not reference_form_ok(reference):
            s.warn(
                _(
                    "warning: document number {ref!r} follows neither the Party form (12-BC/HU) "
                    "nor the State form (12/BC-UBND); recorded anyway"
                ).format(ref=reference)
            )
    confirm_records(s, records, received_today=on is None)


def confirm_records(s: Session, records: list[LedgerRecord], received_today: bool = False) -> None:
    """One line per record written: id, what, and for a submission its status."""
    from kttn_cli.render import describe

    written = dict.fromkeys(r.milestone for r in records if isinstance(r, Submission))
    by_key = {
        (o.milestone.id, o.unit_id): o for m in written for o in obligations_of(s, s.state, m)
    }
    plan = s.plan
    lines = []
    for record in records:
        if isinstance(record, Void):
            lines.append(
                _("Recorded {id}: withdrew {target}").format(id=record.id, target=record.target)
            )
        elif isinstance(record, Submission):
            o = by_key[(record.milestone, record.unit)]
            verdict = judge(o, record.on, s.warn_days)
            lines.append(
                _("Recorded {id}: {milestone} — {unit} — received {on}: {status}").format(
                    id=record.id,
                    milestone=record.milestone,
                    unit=plan.unit_name(record.unit),
                    on=_("{date} (today)").format(date=show_date(record.on))
                    if received_today
                    else show_date(record.on),
                    status=describe.status_words(verdict).split(" (")[0]
                    + (f" ({describe.late_by(verdict.days_late)})" if verdict.days_late else ""),
                )
            )
        elif isinstance(record, Extension):
            lines.append(
                _("Recorded {id}: extended {milestone} — {unit} to {to}").format(
                    id=record.id,
                    milestone=record.milestone,
                    unit=plan.unit_name(record.unit),
                    to=show_date(record.to),
                )
            )
        elif isinstance(record, Schedule):
            lines.append(
                _("Recorded {id}: {milestone} set for {on}").format(
                    id=record.id, milestone=record.milestone, on=show_date(record.on)
                )
            )
        elif isinstance(record, AdHocTask):
            lines.append(
                _("Recorded {id}: ad-hoc task {milestone} — {title} — due {due}").format(
                    id=record.id,
                    milestone=record.milestone,
                    title=record.title,
                    due=show_date(record.due) or "—",
                )
            )
    s.confirm(lines)


# --- void ---------------------------------------------------------------------------------


@command(
    "void",
    Param(
        "record_id",
        required=True,
        metavar=N_("RECORD"),
        complete="record",
        help=N_("The record's id, as `kttn log` shows it (r12)."),
    ),
    REASON,
    *STATE,
    writes=True,
    examples=(
        (
            'kttn void r2 --reason "ghi nhầm đơn vị"',
            N_("Withdraw record r2; the ledger keeps it, struck through."),
        ),
        (
            'kttn void r4 --reason "báo cáo gửi nhầm mốc"',
            N_("Withdraw the replacement too: the unit owes the report again."),
        ),
    ),
)
def void(s: Session, *, record_id: str, reason: str) -> None:
    """Withdraw a recorded submission, extension, schedule or ad-hoc task; the ledger
    keeps it for audit. Withdrawing a record that points nowhere resolves that problem.
    """
    why = _reason(reason)
    wanted = record_id.strip()

    def build(state: State) -> list[LedgerRecord]:
        place = state.book.in_force.get(wanted)
        if place is None:
            raise _NotInForce
        targets = [wanted]
        if place[0] == "task":
            # Records of a withdrawn ad-hoc task would name a milestone that no longer
            # exists: they are withdrawn with it.
            milestone_id = place[1]
            targets += [
                ident
                for ident, (kind, first, _unit) in state.book.in_force.items()
                if kind in ("submission", "extension", "schedule") and first == milestone_id
            ]
        stamp = Stamp(s)
        ids = state.book.next_ids(len(targets))
        return [
            Void(id=ident, recorded_at=stamp.at, recorded_by=stamp.by, target=target, reason=why)
            for ident, target in zip(ids, targets, strict=True)
        ]

    try:
        written = write(s, build, fixes=True)
    except _NotInForce:
        # Why, worked out once the lock is released: it reads the whole ledger.
        raise _not_in_force(s, wanted) from None
    confirm_records(s, written)


class _NotInForce(Exception):
    """The record to withdraw is not in force (`_not_in_force` says why)."""


def _not_in_force(s: Session, wanted: str) -> DataError:
    """Why a record cannot be withdrawn: unknown, itself a void, or withdrawn already."""
    from kttn_cli.storage.loader import read_ledger

    ledger, _parsed = read_ledger(s.ledger_path, s.state.plan)
    found = next((r for r in ledger.records if r.id == wanted), None)
    if found is None:
        return DataError(N_("no record {id!r}; see `kttn log`"), id=wanted)
    if isinstance(found, Void):
        return DataError(N_("{id} is itself a withdrawal and cannot be withdrawn"), id=wanted)
    return DataError(N_("record {id} is already withdrawn"), id=wanted)


# --- extend -------------------------------------------------------------------------------


@command(
    "extend",
    MILESTONE,
    UNITS,
    Param("to", "--to", metavar=N_("DATE"), required=True, help=N_("The new last day.")),
    REASON,
    Param(
        "force",
        "--force",
        kind="flag",
        default=False,
        help=N_("Extend even a deliverable already received (it may turn late into on time)."),
    ),
    *STATE,
    writes=True,
    examples=(
        (
            'kttn extend III.2-bc-6-thang kim-dong --to 2024-07-15 --reason "BCĐ đồng ý, CV 12"',
            N_("Kim Động may send its report until 15 July 2024."),
        ),
        (
            'kttn extend III.2-bc-6-thang "tien lu" "phu cu" --to 15/07/2024 --reason "CV 20"',
            N_("Two units at once, named without diacritics."),
        ),
    ),
)
def extend(
    s: Session, *, milestone: str, units: list[str], to: str, reason: str, force: bool
) -> None:
    """Record a deadline extension (gia hạn) for units; the plan's day stays visible.

    The new day must be after the deadline in force (after days off and earlier
    extensions). A deliverable already received is not extended unless --force.
    """
    new_due = user_date(to, "--to")
    why = _reason(reason)

    def build(state: State) -> list[LedgerRecord]:
        plan = state.book.plan_with_tasks(state.plan)
        target, chosen = resolve_obligations(s, state, milestone, units)
        for o in chosen:
            if o.due is None:
                raise DataError(
                    N_(
                        "{milestone} has no deadline to extend; set its day first with "
                        "`kttn schedule {milestone} --on DATE --reason …`"
                    ),
                    milestone=target.id,
                )
            if new_due <= o.due:
                raise DataError(
                    N_(
                        "the new deadline {to} for {unit} must be after "
                        "the deadline in force, {due}"
                    ),
                    to=show_date(new_due),
                    unit=plan.unit_label(o.unit_id),
                    due=show_date(o.due),
                )
            if o.submissions and not force:
                raise DataError(
                    N_(
                        "{unit} already delivered {milestone} on {on}: extending now would "
                        "change how it is judged; use --force (with the reason) if that is intended"
                    ),
                    unit=plan.unit_label(o.unit_id),
                    milestone=target.id,
                    on=show_date(o.submissions[-1].on),
                )
        stamp = Stamp(s)
        ids = state.book.next_ids(len(chosen))
        return [
            Extension(
                id=ident,
                recorded_at=stamp.at,
                recorded_by=stamp.by,
                milestone=target.id,
                unit=o.unit_id,
                to=new_due,
                reason=why,
                after_submission=bool(o.submissions),
            )
            for ident, o in zip(ids, chosen, strict=True)
        ]

    confirm_records(s, write(s, build))


# --- schedule -----------------------------------------------------------------------------


@command(
    "schedule",
    MILESTONE,
    Param("on", "--on", metavar=N_("DATE"), required=True, help=N_("The day the committee fixed.")),
    REASON,
    *STATE,
    writes=True,
    examples=(
        (
            'kttn schedule II.4-giao-ban-q3 --on 2024-09-20 --reason "Thông báo số 25-TB/BCĐ"',
            N_("The Quarter III briefing is set for 20 September 2024."),
        ),
        (
            'kttn schedule II.4-giao-ban-q1 --on 2024-03-25 --reason "Thông báo số 5-TB/BCĐ"',
            N_("The Quarter I briefing, set for 25 March 2024."),
        ),
    ),
)
def schedule(s: Session, *, milestone: str, on: str, reason: str) -> None:
    """Record the day the committee fixed for a milestone the plan leaves undated (the
    Quarter I and III briefings); from then on it is judged like a dated one. Withdraw
    it with `kttn void`.
    """
    day = user_date(on, "--on")
    why = _reason(reason)

    def build(state: State) -> list[LedgerRecord]:
        plan = state.book.plan_with_tasks(state.plan)
        target = plan.milestone(find_milestone(plan, milestone))
        if target.deadline.kind not in OPEN_KINDS:
            raise DataError(
                N_(
                    "{milestone} already has a deadline in the plan; to give units more time "
                    "use `kttn extend`"
                ),
                milestone=target.id,
            )
        (ident,) = state.book.next_ids(1)
        stamp = Stamp(s)
        return [
            Schedule(
                id=ident,
                recorded_at=stamp.at,
                recorded_by=stamp.by,
                milestone=target.id,
                on=day,
                reason=why,
            )
        ]

    confirm_records(s, write(s, build))


# --- task add -----------------------------------------------------------------------------


@command(
    "add",
    Param("title", "--title", metavar=N_("TEXT"), required=True, help=N_("What the task is.")),
    Param(
        "assigned_by",
        "--by",
        metavar=N_("NUMBER"),
        required=True,
        help=N_("The document that assigned it, e.g. 25-CV/TU."),
    ),
    Param(
        "units",
        "--unit",
        "-u",
        kind="list",
        metavar=N_("UNIT"),
        required=True,
        complete="assignee",
        help=N_("Unit or group that owes it; repeatable."),
    ),
    Param("due", "--due", metavar=N_("DATE"), help=N_("Its deadline (none if not given).")),
    Param(
        "recipient",
        "--recipient",
        metavar=N_("UNIT"),
        complete="unit",
        help=N_("The unit that receives the result."),
    ),
    *STATE,
    group="task",
    writes=True,
    examples=(
        (
            'kttn task add --title "Báo cáo nhanh" --by 25-CV/TU --unit cap-huyen --due 2024-07-20',
            N_("A quick report every district committee owes by 20 July 2024."),
        ),
        (
            'kttn task add --title "Báo cáo số liệu" --by 30-CV/BTCTU '
            '--unit "van lam" --unit "yen my"',
            N_("A task for two units, without a deadline."),
        ),
    ),
)
def task_add(
    s: Session,
    *,
    title: str,
    assigned_by: str,
    units: list[str],
    due: str | None,
    recipient: str | None,
) -> None:
    """Add an ad-hoc task (nhiệm vụ đột xuất) under the plan's item for them, with the
    document that assigned it, its units and its deadline."""
    plan = s.plan_file
    item = ad_hoc_item(plan)
    if item is None:
        raise DataError(N_("the plan has no item for ad-hoc tasks (a task with ad_hoc = true)"))
    clean_title = incoming(title, "--title")
    document = incoming(assigned_by, "--by")
    if not clean_title or not document:
        raise UsageError(N_("--title and --by must not be empty"))
    deadline = user_date(due, "--due") if due else None
    owners: list[str] = []
    for query in units:
        owner = find_unit_or_group(plan, query)
        if owner not in owners:
            owners.append(owner)
    receiver = find_unit(plan, recipient) if recipient else None

    def build(state: State) -> list[LedgerRecord]:
        full = state.book.plan_with_tasks(state.plan)
        number = 1
        while full.has_milestone(f"{item.id}-{number}") or full.has_task(f"{item.id}-{number}"):
            number += 1
        (ident,) = state.book.next_ids(1)
        stamp = Stamp(s)
        return [
            AdHocTask(
                id=ident,
                recorded_at=stamp.at,
                recorded_by=stamp.by,
                milestone=f"{item.id}-{number}",
                title=clean_title,
                due=deadline,
                units=tuple(owners),
                assigned_by=document,
                recipient=receiver,
            )
        ]

    confirm_records(s, write(s, build))


# --- log ----------------------------------------------------------------------------------


@command(
    "log",
    listing_format("table", "json"),
    *STATE,
    examples=(
        ("kttn log", N_("Every record, newest last, with its id.")),
        ("kttn log --format json", N_("The same for scripts.")),
    ),
)
def log(s: Session, *, output_format: str) -> None:
    """The ledger's records, newest last, with their ids (what `kttn void` takes)."""
    from kttn_cli.storage.loader import read_ledger

    ledger, _parsed = read_ledger(s.ledger_path, s.state.plan)
    if output_format == "json":
        from kttn_cli.export import records_json

        s.terminal.write_bytes(records_json(ledger))
        return
    from kttn_cli.render.log_view import render_log

    s.page(render_log(s.plan, ledger))
