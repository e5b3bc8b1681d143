"""The status rules (docs/architecture.md, "Status"), on the pure core with explicit dates.

Most rules are properties (hypothesis): they must hold for any deadline, any as-of date,
any warning window and any ledger, not just for the dates of the bundled plan.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import core_milestone, core_plan
from kttn_cli.core.ledger import Ledger
from kttn_cli.core.model import Extension, LedgerRecord, Status, Submission, Void
from kttn_cli.core.obligations import Book, obligations
from kttn_cli.core.rows import to_row
from kttn_cli.core.status import Judged, judge, judge_all, rates

STAMP = datetime(2024, 1, 1, tzinfo=UTC)
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))
windows = st.integers(min_value=0, max_value=60)
UNSUBMITTED_ORDER = {Status.PENDING: 0, Status.DUE_SOON: 1, Status.OVERDUE: 2}


def dated(day: date, warn_days: int | None = None) -> Any:
    return core_milestone("date", day, warn_days=warn_days)


def submission(on: date, rid: str = "r1", unit: str = "a", ref: str | None = None) -> Submission:
    return Submission(rid, STAMP, "test", "T.1-m", unit, on, ref)


def judged_all(
    milestone: Any, as_of: date, *records: LedgerRecord, warn_days: int = 7
) -> list[Judged]:
    plan: Any = core_plan(milestone, warn_days=warn_days)
    book = Book.read(plan, records)
    return judge_all(obligations(plan, book), as_of, warn_days)


def judged_a(milestone: Any, as_of: date, *records: LedgerRecord, warn_days: int = 7) -> Judged:
    """Unit a's obligation for the only milestone, judged as of `as_of`."""
    return next(
        j
        for j in judged_all(milestone, as_of, *records, warn_days=warn_days)
        if j.obligation.unit_id == "a"
    )


@given(due=days, first=days, step=st.integers(min_value=0, max_value=400), window=windows)
def test_unsubmitted_obligation_never_leaves_overdue(
    due: date, first: date, step: int, window: int
) -> None:
    """As the date advances: pending → due soon → overdue, never back."""
    milestone = dated(due)
    before = judged_a(milestone, first, warn_days=window)
    after = judged_a(milestone, first + timedelta(days=step), warn_days=window)
    assert UNSUBMITTED_ORDER[before.status] <= UNSUBMITTED_ORDER[after.status]
    if before.status is Status.OVERDUE:
        assert after.status is Status.OVERDUE
        assert after.days_overdue == (before.days_overdue or 0) + step


@given(due=days, received=days, first=days, step=st.integers(min_value=0, max_value=400))
def test_once_submitted_the_verdict_is_fixed(
    due: date, received: date, first: date, step: int
) -> None:
    """After a report arrives, its verdict (on time or late by N days) never changes."""
    milestone = dated(due)
    later = first + timedelta(days=step)
    before = judged_a(milestone, first, submission(received))
    after = judged_a(milestone, later, submission(received))
    if first >= received:
        assert (after.status, after.days_late) == (before.status, before.days_late)
    if later >= received:
        expected = Status.LATE if received > due else Status.ON_TIME
        assert after.status is expected
        assert after.days_late == ((received - due).days if received > due else None)


@given(due=days, as_of=days)
def test_a_last_day_covers_its_whole_day(due: date, as_of: date) -> None:
    """Last day D: on time through D, overdue from D+1 by (as_of − D) days."""
    judged = judged_a(dated(due), as_of)
    if as_of > due:
        assert judged.status is Status.OVERDUE
        assert judged.days_overdue == (as_of - due).days
    else:
        assert judged.status in (Status.PENDING, Status.DUE_SOON)
        assert judged.days_left == (due - as_of).days
    on_the_day = judged_a(dated(due), due, submission(due))
    day_after = judged_a(dated(due), due + timedelta(days=1), submission(due + timedelta(days=1)))
    assert on_the_day.status is Status.ON_TIME
    assert (day_after.status, day_after.days_late) == (Status.LATE, 1)


@given(quarter=st.integers(min_value=1, max_value=4), year=st.integers(2020, 2030))
def test_a_quarter_deadline_is_the_quarters_last_day(quarter: int, year: int) -> None:
    milestone = core_milestone("quarter", None, "trong", quarter=quarter, year=year)
    last = judged_a(milestone, date(year, 1, 1)).obligation.due
    assert last is not None
    assert last.month == quarter * 3
    assert last.day == calendar.monthrange(year, last.month)[1]
    assert judged_a(milestone, last).status is Status.DUE_SOON
    assert judged_a(milestone, last + timedelta(days=1)).days_overdue == 1


@given(
    kind=st.sampled_from(["ongoing", "on_request", "when_arises", "none"]),
    as_of=days,
    received=st.none() | days,
)
def test_undated_kinds_are_never_overdue(kind: str, as_of: date, received: date | None) -> None:
    milestone = core_milestone(kind)
    records = (submission(received),) if received else ()
    judged = judged_a(milestone, as_of, *records)
    if received and received <= as_of:
        assert judged.status is Status.DONE
    else:
        assert judged.status is Status.UNDATED
    assert judged.days_overdue is None and judged.days_left is None


@given(due=days, as_of=days, plan_window=windows, own_window=st.none() | windows)
def test_warning_window_from_the_plan_or_the_milestone(
    due: date, as_of: date, plan_window: int, own_window: int | None
) -> None:
    judged = judged_a(dated(due, own_window), as_of, warn_days=plan_window)
    window = plan_window if own_window is None else own_window
    left = (due - as_of).days
    if left < 0:
        assert judged.status is Status.OVERDUE
    elif left <= window:
        assert judged.status is Status.DUE_SOON
    else:
        assert judged.status is Status.PENDING


@given(due=days, as_of=days, received=days)
def test_a_submission_dated_after_as_of_does_not_count_yet(
    due: date, as_of: date, received: date
) -> None:
    with_it = judged_a(dated(due), as_of, submission(received))
    without = judged_a(dated(due), as_of)
    plan: Any = core_plan(dated(due))
    if received > as_of:
        assert (with_it.status, with_it.days_overdue, with_it.days_left) == (
            without.status,
            without.days_overdue,
            without.days_left,
        )
        assert with_it.submission is None
        assert to_row(plan, with_it).submitted_on is None
    else:
        assert with_it.status in (Status.ON_TIME, Status.LATE)
        assert to_row(plan, with_it).submitted_on == received


@given(statuses=st.lists(st.sampled_from(list(Status)), max_size=60))
def test_rates_follow_the_government_office_formula(statuses: list[Status]) -> None:
    """completion = (on time + late) ÷ (on time + late + overdue); undated, not yet due
    and not owed obligations are outside both rates."""
    base = judged_a(dated(date(2024, 6, 30)), date(2024, 6, 1)).obligation
    fake = [Judged(base, s) for s in statuses]
    result = rates(fake)
    on_time, late, overdue = (
        statuses.count(s) for s in (Status.ON_TIME, Status.LATE, Status.OVERDUE)
    )
    assert result.counts == {s: statuses.count(s) for s in Status}
    assert result.denominator == on_time + late + overdue
    if result.denominator == 0:
        assert result.completion is None and result.on_time is None
    else:
        assert result.completion == pytest.approx((on_time + late) / result.denominator)
        assert result.on_time == pytest.approx(on_time / result.denominator)
        assert 0 <= result.on_time <= result.completion <= 1
    outside = [Status.DONE, Status.UNDATED, Status.PENDING, Status.DUE_SOON, Status.NOT_OWED]
    padded = rates(fake + [Judged(base, s) for s in outside])
    assert (padded.completion, padded.on_time) == (result.completion, result.on_time)


def test_extension_moves_the_deadline_and_keeps_the_original() -> None:
    milestone = dated(date(2024, 6, 30))
    ext = Extension("r1", STAMP, "test", "T.1-m", "a", date(2024, 7, 10), "công văn 5")
    judged = {j.obligation.unit_id: j for j in judged_all(milestone, date(2024, 7, 5), ext)}
    assert judged["a"].status is Status.DUE_SOON
    assert judged["a"].obligation.planned == date(2024, 6, 30)
    assert judged["a"].obligation.due == date(2024, 7, 10)
    assert judged["b"].status is Status.OVERDUE  # the extension is for unit a only
    voided = judged_a(milestone, date(2024, 7, 5), ext, Void("r2", STAMP, "test", "r1", "nhầm"))
    assert voided.status is Status.OVERDUE


def test_the_submission_that_counts_is_the_newest_one_received_by_then() -> None:
    """A later re-submission does not hide an earlier one when looking back."""
    milestone = dated(date(2024, 6, 30))
    first = submission(date(2024, 6, 25), "r1", ref="1-BC/HU")
    second = submission(date(2024, 7, 3), "r2", ref="2-BC/HU")
    assert judged_a(milestone, date(2024, 6, 28), first, second).status is Status.ON_TIME
    at_the_end = judged_a(milestone, date(2024, 7, 10), first, second)
    assert (at_the_end.status, at_the_end.days_late) == (Status.LATE, 3)
    assert at_the_end.submission == second
    voided = judged_a(milestone, date(2024, 7, 10), first, Void("r3", STAMP, "t", "r1", "x"))
    assert voided.status is Status.OVERDUE


def test_groups_expand_to_one_obligation_per_unit_in_order() -> None:
    plan: Any = core_plan(dated(date(2024, 6, 30)))
    assert [o.unit_id for o in obligations(plan, Book())] == ["a", "b"]


def test_judge_all_is_judge_one_by_one() -> None:
    plan: Any = core_plan(dated(date(2024, 6, 30)))
    found = obligations(plan, Book())
    assert judge_all(found, date(2024, 7, 1), 7) == [judge(o, date(2024, 7, 1), 7) for o in found]


def test_today_is_the_date_in_vietnam(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 17:30 UTC on 30/06 it is already 01/07 in Hanoi: the report is overdue there."""
    from kttn_cli.cli import session

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            instant = datetime(2024, 6, 30, 17, 30, tzinfo=UTC)
            return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

    monkeypatch.setattr(session, "datetime", Clock)
    assert session.today_in_vietnam() == date(2024, 7, 1)


# --- the book: a write applies its records with the code that reads the whole ledger ------

records_strategy = st.lists(
    st.tuples(
        st.sampled_from(["submission", "extension", "void"]),
        st.sampled_from(["a", "b"]),
        days,
        st.integers(min_value=1, max_value=30),
    ),
    max_size=25,
)


def _records(steps: list[tuple[str, str, date, int]]) -> list[LedgerRecord]:
    out: list[LedgerRecord] = []
    for n, (kind, unit, day, target) in enumerate(steps, start=1):
        rid = f"r{n}"
        if kind == "submission":
            out.append(Submission(rid, STAMP, "t", "T.1-m", unit, day))
        elif kind == "extension":
            out.append(Extension(rid, STAMP, "t", "T.1-m", unit, day, "x"))
        else:
            # Voids written by kttn target earlier records (a void of a later id is a
            # hand edit, reported as `unknown_target`, which blocks writes).
            out.append(Void(rid, STAMP, "t", f"r{1 + target % max(n - 1, 1)}", "x"))
    return out


@given(steps=records_strategy, split=st.integers(min_value=0, max_value=25), as_of=days)
def test_a_book_brought_up_to_date_equals_one_read_whole(
    steps: list[tuple[str, str, date, int]], split: int, as_of: date
) -> None:
    """A write applies only its new records to the cached book (`Book.add`); the result
    must judge exactly like reading the whole ledger again (`Book.read`), and like the
    ledger's records in force."""
    plan: Any = core_plan(dated(date(2024, 6, 30)))
    records = _records(steps)
    whole = Book.read(plan, records)
    parts = Book.read(plan, records[:split])
    parts.add(plan, records[split:])
    assert judge_all(obligations(plan, parts), as_of, 7) == judge_all(
        obligations(plan, whole), as_of, 7
    )
    in_force = {r.id for r in Ledger(tuple(records)).active}
    used = {s.id for o in obligations(plan, whole) for s in o.submissions}
    assert used <= in_force


# Hand edits the whole-ledger read reports: ids used twice, voids of ids that come later
# or never, kttn ids with leading zeros, other ids.
hand_edits_strategy = st.lists(
    st.tuples(
        st.sampled_from(["submission", "extension", "void"]),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["r1", "r2", "r3", "r5", "r9", "r03", "x", "r10"]),
        st.sampled_from(["r1", "r2", "r3", "r4", "r7", "r03", "x", "nowhere"]),
    ),
    max_size=12,
)


@given(edits=hand_edits_strategy, split=st.integers(min_value=0, max_value=12))
def test_a_book_brought_up_to_date_finds_the_problems_a_whole_read_finds(
    edits: list[tuple[str, str, str, str]], split: int
) -> None:
    """A ledger read as `Book.read(first part)` + `add(the rest)` (how the state cache
    brings a cached book up to date, and how a write checks its records) reports exactly
    the problems of reading it whole: the cache must never hide one."""
    plan: Any = core_plan(dated(date(2024, 6, 30)))
    records: list[LedgerRecord] = []
    for kind, unit, rid, target in edits:
        if kind == "submission":
            records.append(Submission(rid, STAMP, "t", "T.1-m", unit, date(2024, 6, 1)))
        elif kind == "extension":
            records.append(Extension(rid, STAMP, "t", "T.1-m", unit, date(2024, 7, 1), "x"))
        else:
            records.append(Void(rid, STAMP, "t", target, "x"))
    whole = Book.read(plan, records)
    parts = Book.read(plan, records[:split])
    if parts.ledger_problems():
        return  # a cached state with ledger problems is never brought up to date
    found = parts.add(plan, records[split:])
    expected = {(p.code, p.where) for p in whole.ledger_problems()}
    assert {(p.code, p.where) for p in found} == expected
    if not expected:
        assert judge_all(obligations(plan, parts), date(2024, 7, 2), 7) == judge_all(
            obligations(plan, whole), date(2024, 7, 2), 7
        )


@given(
    st.lists(
        st.one_of(
            st.integers(min_value=1, max_value=40),
            st.sampled_from(["x", "r01", "r99999999999999999999", "r4611686018427387904"]),
        )
    )
)
def test_the_id_set_holds_exactly_the_ids_added(items: list[int | str]) -> None:
    from kttn_cli.core.obligations import IdSet

    ids = IdSet()
    added = set()
    for item in items:
        ident = f"r{item}" if isinstance(item, int) else item
        ids.add(ident)
        added.add(ident)
    big = ["r99999999999999999999", "r4611686018427387904"]
    for probe in [*(f"r{n}" for n in range(0, 45)), "x", "r01", "y", *big]:
        assert (probe in ids) == (probe in added), probe
    flat = [n for first, last in ids.runs for n in (first, last)]
    apart = all(b[0] > a[1] + 1 for a, b in zip(ids.runs, ids.runs[1:], strict=False))
    assert flat == sorted(flat) and apart
