"""The status rules of DESIGN §3, tested on the pure core with explicit dates.

Most rules are properties (hypothesis): they must hold for any deadline, any as-of date,
any warning window and any ledger, not just for the dates of the bundled plan. The
examples after them pin the cases a clerk will meet: Tết, the plan's weekend deadlines,
make-up working Saturdays, and the plan's own "Done when" date.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kttn_cli.core.model import (
    CalendarRules,
    Due,
    Extension,
    Group,
    LedgerRecord,
    Milestone,
    Plan,
    PlanInfo,
    Status,
    Submission,
    Task,
    Unit,
    Void,
)
from kttn_cli.core.rows import to_row
from kttn_cli.core.status import (
    EMPTY_LEDGER,
    Judged,
    Ledger,
    Obligation,
    judge,
    judge_all,
    next_working_day,
    obligations,
    rates,
)
from kttn_cli.storage.holidays import vietnam_holidays
from kttn_cli.storage.plan_file import load_plan

BUNDLED_PLAN = Path(__file__).resolve().parent.parent / "src/kttn_cli/data/plan_2024.toml"
STAMP = datetime(2024, 1, 1, tzinfo=UTC)
VN_HOLIDAYS = vietnam_holidays()
NEVER_OFF = next_working_day(lambda day: False, frozenset(), frozenset())

# The years the plan and its successors live in; wide enough to cross many Tết.
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))
windows = st.integers(min_value=0, max_value=60)
UNSUBMITTED_ORDER = {Status.PENDING: 0, Status.DUE_SOON: 1, Status.OVERDUE: 2}


# --- building blocks ------------------------------------------------------------------


def make_plan(*milestones: Milestone, warn_days: int = 7) -> Plan:
    """A one-task plan owned by two units and a group of both."""
    info = PlanInfo(
        id="p",
        number="1-KH",
        title="Kế hoạch thử",
        issued_on=date(2024, 1, 1),
        place="Hưng Yên",
        issuer="BCĐ",
        signer="A",
        signer_title="B",
        implements=(),
    )
    return Plan(
        info=info,
        warn_days=warn_days,
        calendar=CalendarRules(),
        units=(Unit("a", "Đơn vị A", "x"), Unit("b", "Đơn vị B", "x")),
        groups=(Group("ab", "A và B", ("a", "b")),),
        tasks=(Task("T.1", "T", "Nhiệm vụ", "", "", milestones),),
    )


def make_milestone(due: Due, warn_days: int | None = None, mid: str = "T.1-m") -> Milestone:
    return Milestone(
        id=mid,
        task_id="T.1",
        title="Báo cáo",
        due=due,
        due_text="",
        assignees=("ab",),
        recipient="a",
        source="",
        warn_days=warn_days,
    )


def dated(day: date, warn_days: int | None = None) -> Milestone:
    return make_milestone(Due(kind="date", date=day), warn_days)


def submission(on: date, rid: str = "r1", unit: str = "a", ref: str | None = None) -> Submission:
    return Submission(rid, STAMP, "test", "T.1-m", unit, on, ref)


def judged_a(
    milestone: Milestone, as_of: date, *records: LedgerRecord, warn_days: int = 7
) -> Judged:
    """Unit a's obligation for the only milestone, judged as of `as_of`."""
    plan = make_plan(milestone, warn_days=warn_days)
    return next(j for j in judge_all(plan, Ledger(records), as_of) if j.obligation.unit_id == "a")


def is_working_day(day: date, rules: CalendarRules) -> bool:
    if day in rules.working_days:
        return True
    return day.weekday() < 5 and day not in rules.days_off and not VN_HOLIDAYS(day)


# --- properties -----------------------------------------------------------------------


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
def test_a_date_deadline_covers_its_whole_day(due: date, as_of: date) -> None:
    """Due on D: on time through D, overdue from D+1 by (as_of − D) days."""
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
    deadline = Due(kind="quarter", quarter=quarter, year=year).deadline
    assert deadline is not None
    assert deadline.month == quarter * 3
    assert deadline.day == calendar.monthrange(year, deadline.month)[1]
    assert (deadline + timedelta(days=1)).month == (quarter * 3) % 12 + 1
    milestone = make_milestone(Due(kind="quarter", quarter=quarter, year=year))
    assert judged_a(milestone, deadline).status is Status.DUE_SOON
    assert judged_a(milestone, deadline + timedelta(days=1)).days_overdue == 1


@given(
    kind=st.sampled_from(["ongoing", "on_request", "none"]),
    as_of=days,
    received=st.none() | days,
)
def test_undated_kinds_are_never_overdue(kind: str, as_of: date, received: date | None) -> None:
    milestone = make_milestone(Due(kind=kind))  # type: ignore[arg-type]
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
    if received > as_of:
        assert (with_it.status, with_it.days_overdue, with_it.days_left) == (
            without.status,
            without.days_overdue,
            without.days_left,
        )
        assert with_it.submission is None
        assert to_row(make_plan(dated(due)), with_it).submitted_on is None
    else:
        assert with_it.status in (Status.ON_TIME, Status.LATE)
        assert to_row(make_plan(dated(due)), with_it).submitted_on == received


@given(statuses=st.lists(st.sampled_from(list(Status)), max_size=60))
def test_rates_follow_the_government_office_formula(statuses: list[Status]) -> None:
    """completion = (on time + late) ÷ (on time + late + overdue); undated and not yet
    due obligations are outside both rates."""
    fake = [Judged(_obligation(), s, None, None, None) for s in statuses]
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
    outside = [Status.DONE, Status.UNDATED, Status.PENDING, Status.DUE_SOON]
    padded = rates(fake + [Judged(_obligation(), s, None, None, None) for s in outside])
    assert (padded.completion, padded.on_time) == (result.completion, result.on_time)


def _obligation() -> Obligation:
    milestone = dated(date(2024, 6, 30))
    return obligations(make_plan(milestone), EMPTY_LEDGER)[0]


calendar_rules = st.builds(
    CalendarRules,
    shift_to_working_day=st.just(True),
    days_off=st.frozensets(days, max_size=20),
    working_days=st.frozensets(days, max_size=10),
)


@settings(max_examples=300)
@given(day=days, rules=calendar_rules)
def test_shifting_moves_forward_to_the_next_working_day(day: date, rules: CalendarRules) -> None:
    shift = next_working_day(VN_HOLIDAYS, rules.days_off, rules.working_days)
    moved = shift(day)
    assert moved >= day
    assert is_working_day(moved, rules)
    # The *next* working day: every day skipped was a day off.
    skipped = [day + timedelta(days=i) for i in range((moved - day).days)]
    assert not any(is_working_day(d, rules) for d in skipped)
    assert shift(moved) == moved


@given(due=days, as_of=days)
def test_shifting_never_makes_an_obligation_worse(due: date, as_of: date) -> None:
    """A later deadline can only turn overdue into not yet due, never the reverse."""
    shift = next_working_day(VN_HOLIDAYS, frozenset(), frozenset())
    plan = make_plan(dated(due))
    plain = judge_all(plan, EMPTY_LEDGER, as_of)[0]
    shifted = judge_all(plan, EMPTY_LEDGER, as_of, shift)[0]
    assert shifted.obligation.planned_due == due
    assert (shifted.obligation.due or due) >= due
    if plain.status is not Status.OVERDUE:
        assert shifted.status is not Status.OVERDUE
    assert (shifted.days_overdue or 0) <= (plain.days_overdue or 0)


# --- examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "expected", "why"),
    [
        (date(2025, 1, 29), date(2025, 2, 3), "Tết Ất Tỵ: 27/01–01/02 off, then Sunday"),
        (date(2025, 1, 27), date(2025, 2, 3), "29 Tết is a day off too"),
        (date(2024, 2, 10), date(2024, 2, 15), "Tết Giáp Thìn: 08/02–14/02"),
        (date(2024, 4, 27), date(2024, 5, 2), "weekend, the swapped 29/04, 30/04, 01/05"),
        (date(2024, 9, 2), date(2024, 9, 4), "National Day, two days in 2024"),
        (date(2024, 6, 30), date(2024, 7, 1), "III.2's 6-month report: a Sunday"),
        (date(2024, 3, 31), date(2024, 4, 1), "Quarter I ends on a Sunday"),
        (date(2025, 1, 5), date(2025, 1, 6), "III.3's year-end synthesis: a Sunday"),
        (date(2025, 2, 15), date(2025, 2, 17), "II.4's year-end conference: a Saturday"),
        (date(2024, 7, 5), date(2024, 7, 5), "a Friday stays"),
    ],
)
def test_vietnamese_holidays_and_weekends(planned: date, expected: date, why: str) -> None:
    shift = next_working_day(VN_HOLIDAYS, frozenset(), frozenset())
    assert shift(planned) == expected, why


def test_plan_given_days_off_and_make_up_working_days() -> None:
    # 04/05/2024 was a make-up working Saturday for the 29/04 bridge day.
    make_up = next_working_day(VN_HOLIDAYS, frozenset(), frozenset({date(2024, 5, 4)}))
    assert make_up(date(2024, 5, 4)) == date(2024, 5, 4)
    assert make_up(date(2024, 5, 5)) == date(2024, 5, 6)
    # A provincial day off the plan lists: Monday 01/07 off moves 30/06 to Tuesday 02/07.
    day_off = next_working_day(VN_HOLIDAYS, frozenset({date(2024, 7, 1)}), frozenset())
    assert day_off(date(2024, 6, 30)) == date(2024, 7, 2)
    # Without a holiday calendar only weekends move.
    assert NEVER_OFF(date(2025, 1, 29)) == date(2025, 1, 29)


def test_shifted_obligation_keeps_both_dates_and_is_judged_on_the_later() -> None:
    shift = next_working_day(VN_HOLIDAYS, frozenset(), frozenset())
    plan = make_plan(dated(date(2025, 1, 29)))
    judged = judge_all(plan, EMPTY_LEDGER, date(2025, 2, 3), shift)[0]
    assert judged.obligation.planned_due == date(2025, 1, 29)
    assert judged.obligation.due == date(2025, 2, 3)
    assert (judged.status, judged.days_left) == (Status.DUE_SOON, 0)
    row = to_row(plan, judged)
    assert (row.planned_due, row.due) == (date(2025, 1, 29), date(2025, 2, 3))
    late = judge_all(plan, Ledger((submission(date(2025, 2, 4)),)), date(2025, 2, 10), shift)
    assert (late[0].status, late[0].days_late) == (Status.LATE, 1)


def test_extension_moves_the_deadline_and_keeps_the_original() -> None:
    plan = make_plan(dated(date(2024, 6, 30)))
    ext = Extension("r1", STAMP, "test", "T.1-m", "a", date(2024, 7, 10), "công văn 5")
    judged = {j.obligation.unit_id: j for j in judge_all(plan, Ledger((ext,)), date(2024, 7, 5))}
    assert judged["a"].status is Status.DUE_SOON
    assert judged["a"].obligation.planned_due == date(2024, 6, 30)
    assert judged["a"].obligation.due == date(2024, 7, 10)
    assert judged["b"].status is Status.OVERDUE  # the extension is for unit a only
    voided = Ledger((ext, Void("r2", STAMP, "test", "r1", "nhầm")))
    assert judge_all(plan, voided, date(2024, 7, 5))[0].status is Status.OVERDUE


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
    plan = make_plan(dated(date(2024, 6, 30)))
    assert [o.unit_id for o in obligations(plan, EMPTY_LEDGER)] == ["a", "b"]


# --- the bundled plan -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> Plan:
    return load_plan(BUNDLED_PLAN, "vi")


def test_done_when_districts_six_month_reports_overdue_by_one_day(bundled: Plan) -> None:
    judged = judge_all(bundled, EMPTY_LEDGER, date(2024, 7, 1))
    reports = [j for j in judged if j.obligation.milestone.id == "III.2-bc-6-thang"]
    assert len(reports) == 12  # 10 district committees, ĐUK CQ-DN, the assigned bodies
    assert {(j.status, j.days_overdue) for j in reports} == {(Status.OVERDUE, 1)}
    synthesis = [j for j in judged if j.obligation.milestone.id == "III.3-bc-6-thang"]
    assert [(j.status, j.days_left) for j in synthesis] == [(Status.DUE_SOON, 4)]
    assert synthesis[0].obligation.milestone.inputs == ("III.1-bc-6-thang", "III.2-bc-6-thang")


def test_bundled_plan_weekend_deadlines_shift_when_asked(bundled: Plan) -> None:
    shift = next_working_day(VN_HOLIDAYS, frozenset(), frozenset())
    moved = {
        (o.planned_due, o.due)
        for o in obligations(bundled, EMPTY_LEDGER, shift)
        if o.planned_due != o.due
    }
    assert moved == {
        (date(2024, 3, 31), date(2024, 4, 1)),
        (date(2024, 6, 30), date(2024, 7, 1)),
        (date(2025, 1, 5), date(2025, 1, 6)),
        (date(2025, 2, 15), date(2025, 2, 17)),
    }
    on_the_day = judge_all(bundled, EMPTY_LEDGER, date(2024, 7, 1), shift)
    reports = {j.status for j in on_the_day if j.obligation.milestone.id == "III.2-bc-6-thang"}
    assert reports == {Status.DUE_SOON}


def test_before_anything_is_due_nothing_is_overdue(bundled: Plan) -> None:
    judged = judge_all(bundled, EMPTY_LEDGER, date(2024, 1, 15))
    assert not [j for j in judged if j.status is Status.OVERDUE]
    assert rates(judged).completion is None


def test_judge_is_the_same_one_by_one(bundled: Plan) -> None:
    as_of = date(2024, 12, 31)
    together = judge_all(bundled, EMPTY_LEDGER, as_of)
    alone = [judge(o, as_of, bundled.warn_days) for o in obligations(bundled, EMPTY_LEDGER)]
    assert together == alone


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
