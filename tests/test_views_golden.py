"""What people and scripts read, pinned as golden files (black's `tests/data/cases`
habit): one file per case under tests/golden/, rendered at 80 columns without colour.

`UPDATE_GOLDEN=1 pytest tests/test_views_golden.py` rewrites them when the output
changes on purpose; review the diff. Cases use the small plan (tests/data/small_plan.toml)
so that a wording change in the bundled plan rewrites one or two files, not thirty.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import BUNDLED_PLAN, SMALL_PLAN, kttn, ok

GOLDEN = Path(__file__).parent / "golden"
SMALL = ("--plan", str(SMALL_PLAN))
# A ledger where one district reported on time, one late, one extension, one ad-hoc task.
SCENARIO = [
    ("submit", "bc-6-thang", "van-lam", "--on", "2024-06-28", "--ref", "12-BC/HU"),
    ("extend", "bc-6-thang", "van-giang", "--to", "2024-07-10", "--reason", "CV 5-CV/BCĐ"),
    ("submit", "bc-6-thang", "van-giang", "--on", "2024-07-12"),
    (
        "task",
        "add",
        "--title",
        "Báo cáo nhanh",
        "--by",
        "25-CV/TU",
        "-u",
        "districts",
        "--due",
        "2024-07-20",
    ),
    ("schedule", "giao-ban", "--on", "2024-07-25", "--reason", "Thông báo 3-TB/BCĐ"),
]

CASES: dict[str, tuple[str, ...]] = {
    "status-vi": ("status", "--as-of", "2024-07-22"),
    "status-en": ("status", "--as-of", "2024-07-22", "--lang", "en"),
    "status-overdue-vi": ("status", "--as-of", "2024-07-22", "--status", "overdue"),
    "board-vi": ("board", "--as-of", "2024-07-22"),
    "board-all-en": ("board", "--all", "--as-of", "2024-07-22", "--lang", "en"),
    "overdue-vi": ("overdue", "--as-of", "2024-07-26"),
    "overdue-plain-vi": ("overdue", "--format", "plain", "--as-of", "2024-07-26"),
    "overdue-plain-en": ("overdue", "--format", "plain", "--as-of", "2024-07-26", "--lang", "en"),
    "overdue-json": ("overdue", "--format", "json", "--as-of", "2024-07-26"),
    "overdue-csv": ("overdue", "--format", "csv", "--as-of", "2024-07-26"),
    "upcoming-30-vi": ("upcoming", "--days", "30", "--as-of", "2024-07-01"),
    "upcoming-en": ("upcoming", "--as-of", "2024-07-15", "--lang", "en"),
    "tasks-vi": ("tasks",),
    "units-en": ("units", "--lang", "en"),
    "show-milestone-vi": ("show", "bc-6-thang", "--as-of", "2024-07-22"),
    "show-unit-en": ("show", "van giang", "--as-of", "2024-07-22", "--lang", "en"),
    "show-plan-vi": ("show", "plan"),
}


def _check(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name}: output changed (UPDATE_GOLDEN=1 to accept)"
    )


@pytest.fixture
def scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    for command in SCENARIO:
        ok(kttn(*command, *SMALL))


@pytest.mark.parametrize("name", sorted(CASES))
def test_small_plan_views(name: str, scenario: None) -> None:
    _check(name, ok(kttn(*CASES[name], *SMALL)).out)


def test_log_after_the_scenario(scenario: None) -> None:
    out = ok(kttn("log", *SMALL, "--lang", "en")).out
    # Recorded times depend on the clock: compare everything else.
    lines = [line for line in out.splitlines() if "/20" not in line or "│ r" not in line]
    assert "Ad-hoc task" in out and "Day set" in out and "Extension" in out
    assert len(lines) > 5


def test_bundled_plan_status_on_the_first_day_after_the_six_month_reports() -> None:
    _check(
        "bundled-status-2024-07-01-vi",
        ok(kttn("status", "--as-of", "2024-07-01", "--plan", str(BUNDLED_PLAN))).out,
    )


def test_bundled_plan_overdue_plain_for_cron() -> None:
    _check(
        "bundled-overdue-plain-2025-01-06-vi",
        ok(kttn("overdue", "--format", "plain", "--as-of", "2025-01-06")).out,
    )
