"""Repeating deadlines (docs/architecture.md, "Repeating deadlines"): one obligation per
period, with its own id and period title, judged under the plan's counting rule; the
occurrences as properties (hypothesis)."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import DATA, kttn, ok
from kttn_cli.core.model import Period, PeriodKind, Submission
from kttn_cli.core.obligations import Book, obligations
from kttn_cli.core.recurrence import MONTHS_PER_PERIOD, Repeat, occurrence_days, period_of, suffix
from kttn_cli.schema.plan import PlanFile

RECURRING_PLAN = DATA / "recurring_plan.toml"
PLAN = ("--plan", str(RECURRING_PLAN))


def rows(*args: str) -> list[dict[str, Any]]:
    result = ok(kttn(*args, *PLAN, "--format", "json"))
    return list(json.loads(result.out)["obligations"])


def by_unit(found: list[dict[str, Any]], prefix: str) -> dict[str, list[tuple[str, str]]]:
    """Each unit's occurrences of a repeating milestone: (id, last day)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in found:
        if r["milestone_id"].startswith(prefix + "-"):
            out.setdefault(r["unit_id"], []).append((r["milestone_id"], r["last_day"]))
    return out


# --- the plan's repeating milestones, end to end ----------------------------------------


def test_a_quarterly_report_gives_four_obligations_per_unit_on_the_19th() -> None:
    """'Trước ngày 20 tháng cuối quý' under the exclusive rule: the 19th of March, June,
    September and December."""
    found = rows("status", "--as-of", "2025-01-02")
    expected = [
        ("bc-quy-2025-q1", "2025-03-19"),
        ("bc-quy-2025-q2", "2025-06-19"),
        ("bc-quy-2025-q3", "2025-09-19"),
        ("bc-quy-2025-q4", "2025-12-19"),
    ]
    assert by_unit(found, "bc-quy") == {"van-lam": expected, "van-giang": expected}
    stated = {r["milestone_id"]: r["stated_date"] for r in found if r["unit_id"] == "van-lam"}
    assert stated["bc-quy-2025-q2"] == "2025-06-20"


def test_day_31_is_the_last_day_of_shorter_months_and_other_periods() -> None:
    found = rows("status", "--as-of", "2025-01-02")
    months = by_unit(found, "bc-thang")["office"]
    assert [day for _id, day in months] == [
        f"2025-{m:02d}-{calendar.monthrange(2025, m)[1]:02d}" for m in range(1, 13)
    ]
    assert months[1] == ("bc-thang-2025-02", "2025-02-28")
    assert by_unit(found, "bc-6-thang")["van-lam"] == [
        ("bc-6-thang-2025-h1", "2025-06-14"),
        ("bc-6-thang-2025-h2", "2025-12-14"),
    ]
    assert by_unit(found, "bc-nam")["office"] == [
        ("bc-nam-2025", "2025-12-10"),
        ("bc-nam-2026", "2026-12-10"),
    ]


def test_titles_carry_the_period() -> None:
    shown = ok(kttn("show", "bc-quy-2025-q2", *PLAN, "--as-of", "2025-07-01"))
    assert "Tên: Báo cáo quý — Quý II/2025" in shown.out, shown.out
    overdue = ok(kttn("overdue", *PLAN, "--as-of", "2025-07-01", "--format", "plain"))
    assert "bc-quy-2025-q2 Báo cáo quý — Quý II/2025 | gửi Ban Tổ chức" in overdue.out, overdue
    assert "bc-thang-2025-06 Báo cáo tháng — Tháng 6/2025" in overdue.out, overdue
    english = ok(kttn("show", "bc-6-thang-2025-h1", *PLAN, "--as-of", "2025-07-01", "--lang", "en"))
    assert "Title: Báo cáo 6 tháng — first half of 2025" in english.out, english.out
    tasks = ok(kttn("tasks", *PLAN))
    assert "Báo cáo năm — Năm 2026" in " ".join(tasks.out.split()), tasks.out


def test_submitting_q2_late_leaves_q1_and_q3_untouched(tmp_path: Path) -> None:
    before = rows("status", "--as-of", "2025-10-01")
    done = ok(kttn("submit", "bc-quy-2025-q2", "van-lam", "--on", "2025-06-25", *PLAN))
    assert done.out == (
        "Đã ghi r1: bc-quy-2025-q2 — Huyện ủy Văn Lâm — nhận ngày 25/06/2025: "
        "Hoàn thành quá hạn (muộn 6 ngày)\n"
    ), done
    after = rows("status", "--as-of", "2025-10-01")
    changed = [
        (a["milestone_id"], a["unit_id"]) for a, b in zip(after, before, strict=True) if a != b
    ]
    assert changed == [("bc-quy-2025-q2", "van-lam")]
    late = next(
        r for r in after if (r["milestone_id"], r["unit_id"]) == ("bc-quy-2025-q2", "van-lam")
    )
    assert (late["status"], late["days_late"], late["submitted_on"]) == ("late", 6, "2025-06-25")
    untouched = {r["milestone_id"]: r["status"] for r in after if r["unit_id"] == "van-lam"}
    assert untouched["bc-quy-2025-q1"] == untouched["bc-quy-2025-q3"] == "overdue"


def test_an_occurrence_is_extended_and_exported_like_any_milestone() -> None:
    ok(
        kttn(
            "extend",
            "bc-quy-2025-q3",
            "van-giang",
            "--to",
            "2025-09-30",
            "--reason",
            "đồng ý",
            *PLAN,
        )
    )
    found = rows("status", "--as-of", "2025-09-25")
    row = next(
        r for r in found if (r["milestone_id"], r["unit_id"]) == ("bc-quy-2025-q3", "van-giang")
    )
    assert (row["due"], row["status"], row["extended"]) == ("2025-09-30", "due_soon", True)
    ics = ok(kttn("export", "--format", "ics", *PLAN, "--as-of", "2025-09-25"))
    for quarter in ("q1", "q2", "q3", "q4"):
        assert f"bc-quy-2025-{quarter}" in ics.out, ics.out


# --- a repeat the calendar does not have is a plan problem -------------------------------


@pytest.mark.parametrize(
    ("repeat", "message"),
    [
        ("day = 0, month = -1", "repeat.day: không có ngày 0"),
        ("day = 20, month = 4", "repeat.month: không phải một tháng của kỳ"),
        ("day = 20, month = 0", "repeat.month: không phải một tháng của kỳ"),
    ],
)
def test_a_day_or_month_the_period_has_not_is_located(
    tmp_path: Path, repeat: str, message: str
) -> None:
    text = RECURRING_PLAN.read_text(encoding="utf-8").replace("day = 20, month = -1", repeat)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    check = kttn("check", "--plan", str(path))
    assert check.code == 65, check
    line = next(i for i, t in enumerate(text.splitlines(), 1) if repeat in t)
    assert f"{path}:{line}:" in check.out and message in check.out, check


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ("from = 2025-12-31, until = 2025-01-01", "`until` ở trước `from`"),
        (
            "from = 2025-01-01, until = 2025-02-28",
            "không có ngày lặp lại nào nằm giữa `from` và `until`",
        ),
    ],
)
def test_a_repeat_with_no_day_in_its_span_is_a_problem(
    tmp_path: Path, span: str, message: str
) -> None:
    text = RECURRING_PLAN.read_text(encoding="utf-8").replace(
        "day = 20, month = -1, from = 2025-01-01, until = 2025-12-31",
        f"day = 20, month = -1, {span}",
    )
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    check = kttn("check", "--plan", str(path))
    assert check.code == 65 and message in check.out, check


@pytest.mark.parametrize(
    "due",
    [
        'due = { kind = "date", date = 2025-03-20, qualifier = "trước" }',
        'due = { kind = "quarter", quarter = 1, year = 2025 }',
        'due = { kind = "ongoing" }',
    ],
)
def test_a_repeating_milestone_whose_due_names_a_day_or_no_day_is_a_problem(
    tmp_path: Path, due: str
) -> None:
    """The repeat gives every day; a due of its own would be silently replaced."""
    text = RECURRING_PLAN.read_text(encoding="utf-8").replace(
        'due = { kind = "date", qualifier = "trước" }', due, 1
    )
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    check = kttn("check", "--plan", str(path))
    assert check.code == 65, check
    assert (
        'mốc lặp lại thì due có kind = "date" và không ghi ngày: mỗi ngày do repeat quy định'
        in check.out
    ), check


# --- properties ---------------------------------------------------------------------------

kinds = st.sampled_from(list(MONTHS_PER_PERIOD))
days_of_month = st.one_of(st.just(-1), st.integers(min_value=1, max_value=31))
spans = st.tuples(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=3 * 366),
)


@st.composite
def repeats(draw: Any) -> Repeat:
    every: PeriodKind = draw(kinds)
    size = MONTHS_PER_PERIOD[every]
    month = draw(st.one_of(st.just(-1), st.integers(min_value=1, max_value=size)))
    start, length = draw(spans)
    return Repeat(every, draw(days_of_month), start, start + timedelta(days=length), month)


def expected_day(repeat: Repeat, period: Period) -> date:
    """The day a period's occurrence falls on, by the plan's words: the day of the month
    of the period (the month's last when it is shorter)."""
    size = MONTHS_PER_PERIOD[repeat.every]
    month = (period.index - 1) * size + (size if repeat.month == -1 else repeat.month)
    last = calendar.monthrange(period.year, month)[1]
    return date(period.year, month, last if repeat.day == -1 else min(repeat.day, last))


@settings(deadline=None)  # a loaded machine (pytest -n 8) is no reason to fail a property
@given(repeats())
def test_occurrences_are_ordered_unique_inside_the_span_and_on_the_plans_day(
    repeat: Repeat,
) -> None:
    days = occurrence_days(repeat)
    assert days == sorted(set(days))
    assert all(repeat.starts <= d <= repeat.ends for d in days)
    periods = [period_of(d, repeat.every) for d in days]
    assert len(set(periods)) == len(periods)  # one occurrence per period
    assert all(expected_day(repeat, p) == d for p, d in zip(periods, days, strict=True))
    # No period whose day falls inside the span is missed.
    first, last = repeat.starts.year, repeat.ends.year
    size = MONTHS_PER_PERIOD[repeat.every]
    every_period = [
        Period(repeat.every, i, y) for y in range(first, last + 1) for i in range(1, 12 // size + 1)
    ]
    inside = [p for p in every_period if repeat.starts <= expected_day(repeat, p) <= repeat.ends]
    assert periods == inside
    assert len({suffix(p) for p in periods}) == len(periods)


def _plan_with(repeat: Repeat) -> Any:
    data = tomli.loads(RECURRING_PLAN.read_text(encoding="utf-8"))
    milestone = data["tasks"][0]["milestones"][0]
    milestone["repeat"] = {
        "every": repeat.every,
        "day": repeat.day,
        "month": repeat.month,
        "from": repeat.starts,
        "until": repeat.ends,
    }
    return PlanFile.model_validate(data).to_core()


STAMP = datetime(2025, 1, 1, tzinfo=UTC)


@settings(max_examples=60, deadline=None)
@given(
    repeats(),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=50),
            st.sampled_from(["van-lam", "van-giang"]),
            st.dates(),
        ),
        max_size=12,
    ),
)
def test_occurrences_are_stable_when_the_ledger_grows(
    repeat: Repeat, picks: list[tuple[int, str, date]]
) -> None:
    if not occurrence_days(repeat):
        return  # not a valid plan (its check says so)
    plan = _plan_with(repeat)
    ids = [m.id for m in plan.milestones if m.repeat_of == "bc-quy"]

    def listing(book: Book) -> list[tuple[str, str, date | None]]:
        return [(o.milestone.id, o.unit_id, o.last_day) for o in obligations(plan, book)]

    before = listing(Book.read(plan, []))
    records = [
        Submission(f"r{n}", STAMP, "test", ids[pick % len(ids)], unit, on)
        for n, (pick, unit, on) in enumerate(picks, 1)
    ]
    book = Book.read(plan, [])
    for record in records:
        assert book.add(plan, [record]) == []
        assert listing(book) == before
    assert listing(Book.read(plan, records)) == before
