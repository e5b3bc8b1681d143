"""`kttn show` of a milestone or unit gives each obligation's status as of a date."""

from __future__ import annotations

import pytest
from tests.conftest import invoke


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KTTN_TODAY", "2024-07-10")
    monkeypatch.setenv("COLUMNS", "200")


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_milestone_lists_every_unit_with_its_status() -> None:
    ok("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-28", "--ref", "12-BC/HU")
    ok("submit", "III.2-bc-6-thang", "yen-my", "--on", "2024-07-02")
    ok("extend", "III.2-bc-6-thang", "kim-dong", "--to", "2024-07-15", "--reason", "BCĐ")
    lines = ok("show", "III.2-bc-6-thang", "--as-of", "2024-07-03", "--lang", "en").splitlines()
    assert lines[0] == "As of 03/07/2024"
    assert "Unit: Huyện ủy Văn Lâm — Done on time (28/06/2024, 12-BC/HU)" in lines
    assert "Unit: Huyện ủy Yên Mỹ — Done late (02/07/2024, 2 days late)" in lines
    assert "Unit: Huyện ủy Kim Động — Pending (Due 15/07/2024)" in lines
    assert "Unit: Huyện ủy Tiên Lữ — Overdue (3 days overdue)" in lines
    units = [line for line in lines if line.startswith("Unit: ")]
    assert len(units) == 12


def test_a_submission_after_the_as_of_date_does_not_show_yet() -> None:
    ok("submit", "III.2-bc-6-thang", "yen-my", "--on", "2024-07-02")
    lines = ok("show", "yen my", "--as-of", "2024-07-01", "--lang", "en").splitlines()
    row = next(line for line in lines if "III.2-bc-6-thang" in line)
    assert row.endswith("— Overdue (1 day overdue)")
