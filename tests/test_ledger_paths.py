"""A ledger named explicitly must exist to be read; the default one may be new."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import invoke


def test_a_missing_ledger_given_by_option_is_exit_66(tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "ledger.toml"
    result = invoke("status", "--ledger", str(typo), "--as-of", "2024-07-01", "--lang", "en")
    assert result.exit_code == 66, result.output
    assert result.stdout == ""
    assert result.stderr == f"kttn: ledger not found: {typo}\n"
    assert not typo.parent.exists()


def test_a_missing_ledger_given_by_environment_is_exit_66(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = tmp_path / "ledger.toml"
    monkeypatch.setenv("KTTN_LEDGER", str(typo))
    result = invoke("overdue", "--format", "plain", "--as-of", "2024-07-01")
    assert result.exit_code == 66, result.output
    assert result.stderr == f"kttn: không tìm thấy sổ theo dõi: {typo}\n"


def test_submit_still_creates_a_ledger_given_by_option(tmp_path: Path) -> None:
    new = tmp_path / "new.toml"
    result = invoke(
        "submit",
        "III.2-bc-6-thang",
        "van-lam",
        "--on",
        "2024-06-28",
        "--as-of",
        "2024-07-01",
        "--ledger",
        str(new),
    )
    assert result.exit_code == 0, result.output
    assert new.read_text(encoding="utf-8").count("[[records]]") == 1
    shown = invoke("overdue", "--format", "json", "--ledger", str(new), "--as-of", "2024-07-01")
    assert shown.exit_code == 0, shown.output
    assert '"unit_id": "van-lam"' not in shown.stdout


def test_the_default_ledger_may_not_exist_yet() -> None:
    result = invoke("overdue", "--format", "plain", "--as-of", "2024-01-15", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_a_directory_as_ledger_says_so(tmp_path: Path) -> None:
    result = invoke("status", "--ledger", str(tmp_path), "--as-of", "2024-07-01", "--lang", "en")
    assert result.exit_code == 66, result.output
    assert "is a directory" in result.stderr
    assert str(tmp_path) in result.stderr


def test_paths_still_prints_what_it_knows_when_the_plan_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-plan.toml"
    monkeypatch.setenv("KTTN_PLAN", str(missing))
    result = invoke("paths", "--lang", "en")
    assert result.exit_code == 66, result.output
    assert result.stdout == (
        f"Plan: {missing}\n"
        "Ledger: (unknown: the plan cannot be read)\n"
        f"Data directory: {tmp_path / 'data'}\n"
    )
    assert result.stderr == f"kttn: plan file not found: {missing}\n"
