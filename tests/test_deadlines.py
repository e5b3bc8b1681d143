"""From the plan's words to the last day judged (docs/architecture.md, "Deadlines"):
every qualifier × both counting rules × moving off days off, with Vietnam's calendar."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import BUNDLED_PLAN, kttn, ok
from kttn_cli.core.deadlines import (
    BEFORE_WORDS,
    BY_WORDS,
    DATE_QUALIFIERS,
    last_day,
    last_day_in_force,
    working_day_shift,
)
from kttn_cli.core.model import BeforeRule, Deadline, DeadlineRules
from kttn_cli.storage.holidays import vietnam_holidays

VN = vietnam_holidays()
RULES = {rule: DeadlineRules(before=rule, shift_to_working_day=True) for rule in BeforeRule}
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))


def is_working_day(day: date, rules: DeadlineRules) -> bool:
    if day in rules.working_days:
        return True
    return day.weekday() < 5 and day not in rules.days_off and not VN(day)


@settings(max_examples=400)
@given(
    stated=days,
    qualifier=st.sampled_from(sorted(DATE_QUALIFIERS)),
    rule=st.sampled_from(list(BeforeRule)),
    shift=st.booleans(),
)
def test_every_qualifier_rule_and_shift(
    stated: date, qualifier: str, rule: BeforeRule, shift: bool
) -> None:
    rules = DeadlineRules(before=rule, shift_to_working_day=shift)
    deadline = Deadline("date", "", stated, qualifier)
    by_words = last_day(deadline, rules)
    if qualifier in BEFORE_WORDS and rule is BeforeRule.EXCLUSIVE:
        assert by_words == stated - timedelta(days=1)
    else:
        assert qualifier in BY_WORDS or rule is BeforeRule.INCLUSIVE
        assert by_words == stated
    moved = last_day_in_force(deadline, rules, working_day_shift(rules, VN) if shift else None)
    assert moved is not None and by_words is not None
    if not shift:
        assert moved == by_words
    else:
        assert moved >= by_words and is_working_day(moved, rules)
        skipped = [by_words + timedelta(days=i) for i in range((moved - by_words).days)]
        assert not any(is_working_day(d, rules) for d in skipped)


@given(
    quarter=st.integers(1, 4), year=st.integers(2020, 2030), rule=st.sampled_from(list(BeforeRule))
)
def test_a_quarter_is_a_period_never_moved_out_of_itself(
    quarter: int, year: int, rule: BeforeRule
) -> None:
    rules = RULES[rule]
    deadline = Deadline("quarter", "", None, "trong", quarter, year)
    last = last_day_in_force(deadline, rules, working_day_shift(rules, VN))
    assert last is not None
    assert (last.month - 1) // 3 + 1 == quarter and last.year == year
    assert (last + timedelta(days=1)).month != last.month  # the quarter's last day


@pytest.mark.parametrize(
    ("stated", "qualifier", "rule", "expected", "why"),
    [
        # The plan's weekend deadlines (III.2 6-month report: Sunday 30/06/2024).
        (date(2024, 6, 30), "xong trước", "exclusive", date(2024, 7, 1), "29/06 is a Saturday"),
        (date(2024, 6, 30), "xong trước", "inclusive", date(2024, 7, 1), "30/06 is a Sunday"),
        (date(2024, 7, 15), "trước", "exclusive", date(2024, 7, 15), "14/07 is a Sunday"),
        (date(2025, 2, 15), "trước", "exclusive", date(2025, 2, 14), "a Friday stays"),
        (date(2025, 2, 15), "trước", "inclusive", date(2025, 2, 17), "15/02 is a Saturday"),
        (date(2025, 1, 5), "xong trước", "exclusive", date(2025, 1, 6), "04/01 is a Saturday"),
        (date(2025, 1, 5), "xong trước", "inclusive", date(2025, 1, 6), "05/01 is a Sunday"),
        # Tết and the other holidays.
        (date(2025, 1, 30), "chậm nhất", "exclusive", date(2025, 2, 3), "Tết Ất Tỵ 27/01–01/02"),
        (date(2024, 2, 11), "trước", "exclusive", date(2024, 2, 15), "Tết Giáp Thìn 08–14/02"),
        (date(2024, 4, 30), "trước", "exclusive", date(2024, 5, 2), "29/04 swapped, 30/04, 01/05"),
        (date(2024, 9, 3), "vào ngày", "exclusive", date(2024, 9, 4), "National Day 02–03/09"),
    ],
)
def test_vietnam_calendar_examples(
    stated: date, qualifier: str, rule: str, expected: date, why: str
) -> None:
    rules = RULES[BeforeRule(rule)]
    deadline = Deadline("date", "", stated, qualifier)
    assert last_day_in_force(deadline, rules, working_day_shift(rules, VN)) == expected, why


def test_make_up_working_saturday_and_plan_days_off() -> None:
    # 04/05/2024 was a make-up working Saturday (Thông báo 1570/TB-BLĐTBXH).
    rules = DeadlineRules(shift_to_working_day=True, working_days=frozenset({date(2024, 5, 4)}))
    shift = working_day_shift(rules, VN)
    assert shift(date(2024, 5, 4)) == date(2024, 5, 4)
    assert shift(date(2024, 5, 5)) == date(2024, 5, 6)
    off = DeadlineRules(shift_to_working_day=True, days_off=frozenset({date(2024, 7, 1)}))
    assert working_day_shift(off, VN)(date(2024, 6, 30)) == date(2024, 7, 2)


# --- through the command line: every view agrees --------------------------------------


def variant(tmp_path: Path, *, before: str = "exclusive", shift: bool = False) -> str:
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    text = text.replace('before = "exclusive"', f'before = "{before}"')
    text = text.replace(
        "shift_to_working_day = false", f"shift_to_working_day = {str(shift).lower()}"
    )
    path = tmp_path / f"plan-{before}-{shift}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("before", "shift", "last", "overdue_on"),
    [
        ("exclusive", False, "29/06/2024", "2024-06-30"),
        ("exclusive", True, "01/07/2024", "2024-07-02"),
        ("inclusive", False, "30/06/2024", "2024-07-01"),
    ],
)
def test_done_when_every_view_agrees_on_the_last_day(
    tmp_path: Path, before: str, shift: bool, last: str, overdue_on: str
) -> None:
    """`show` says the last day; status, overdue, board, JSON, CSV and ICS agree, and all
    show the plan's words "trước 30/06/2024"."""
    plan = variant(tmp_path, before=before, shift=shift)
    common = ("--plan", plan, "--as-of", "2024-06-30")
    shown = ok(kttn("show", "III.2-bc-6-thang", *common)).out
    assert f"Hạn cuối dùng để đánh giá: {last}" in shown, shown
    assert "xong trước 30/06/2024" in shown
    assert "Cách tính hạn:" in shown
    for view in ("status", "board"):
        out = ok(kttn(view, *common)).out
        assert "xong trước 30/06/2024" in out, out
    doc = __import__("json").loads(ok(kttn("export", "--format", "json", *common)).out)
    rows = [r for r in doc["obligations"] if r["milestone_id"] == "III.2-bc-6-thang"]
    iso = "-".join(reversed(last.split("/")))
    assert {(r["stated_date"], r["qualifier"], r["last_day"], r["due"]) for r in rows} == {
        ("2024-06-30", "xong trước", iso, iso)
    }
    csv_text = ok(kttn("export", "--format", "csv", *common)).out
    assert f"2024-06-30,{iso},{iso}" in csv_text.replace("xong trước,", "")
    ics = ok(kttn("export", "--format", "ics", *common)).out
    assert "DTSTART;VALUE=DATE:" + iso.replace("-", "") in ics
    # Overdue from the day after the last day, not before.
    day_before = (date.fromisoformat(overdue_on) - timedelta(days=1)).isoformat()
    quiet = ok(
        kttn(
            "overdue", "--task", "III.2", "--plan", plan, "--as-of", day_before, "--format", "plain"
        )
    )
    assert "III.2-bc-6-thang" not in quiet.out, quiet.out
    late = ok(
        kttn(
            "overdue", "--task", "III.2", "--plan", plan, "--as-of", overdue_on, "--format", "plain"
        )
    )
    assert "xong trước 30/06/2024" in late.out and "III.2-bc-6-thang" in late.out, late.out


def test_status_and_check_state_the_rules_in_force(tmp_path: Path) -> None:
    plain = ok(kttn("status", "--as-of", "2024-07-01")).out
    assert (
        "Cách tính hạn: “trước ngày X” tính đến hết ngày X−1; ngày nghỉ không làm thay đổi hạn."
        in plain.replace("\n", " ")
    )
    shifted = ok(kttn("check", "--plan", variant(tmp_path, before="inclusive", shift=True))).out
    assert "tính cả ngày X" in shifted and "Điều 148" in shifted, shifted


def _unused(_: Any) -> None:
    pass
