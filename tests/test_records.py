"""Recording in the ledger from the command line (issue 4): submit, void, extend, task add,
log and check, and what `status`, `board` and `overdue` then show (DESIGN §3).

Every test runs as of 10/07/2024 (KTTN_TODAY), so none depends on the real date. The
bundled plan's III.2-bc-6-thang is due 30/06/2024 from the 11 district-level committees
(group `cap-huyen`) and the assigned bodies (`don-vi-duoc-phan-cong`).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from conftest import invoke, run_kttn

TODAY = "2024-07-10"
M = "III.2-bc-6-thang"
PLAN_ID = "kh-01-bcd-2024"
GOLDEN = Path(__file__).parent / "golden_ledger"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture(autouse=True)
def clerk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KTTN_TODAY", TODAY)
    monkeypatch.setenv("KTTN_USER", "clerk")
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line


@pytest.fixture
def ledger(isolated_env: Path) -> Path:
    return isolated_env / "data" / f"{PLAN_ID}.ledger.toml"


def ok(*args: str) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def fails(code: int, *args: str) -> Result:
    result = invoke(*args)
    assert result.exit_code == code, result.output + result.stderr
    assert result.stdout == ""
    return result


def log_json() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(ok("log", "--format", "json").stdout)
    return records


def overdue() -> dict[tuple[str, str], dict[str, Any]]:
    doc = json.loads(ok("overdue", "--format", "json").stdout)
    return {(r["milestone_id"], r["unit_id"]): r for r in doc["obligations"]}


def upcoming(days: int = 10) -> dict[tuple[str, str], dict[str, Any]]:
    doc = json.loads(ok("upcoming", "--format", "json", "--days", str(days)).stdout)
    return {(r["milestone_id"], r["unit_id"]): r for r in doc["obligations"]}


STATUS_LABELS = {
    "Overdue": "overdue",
    "Due soon": "due_soon",
    "Pending": "pending",
    "Done late": "late",
    "No deadline": "undated",
    "Done on time": "on_time",
    "Done": "done",
}


def counts(*args: str) -> dict[str, int]:
    """The status dashboard's count per status code (English labels), zeros included."""
    out = ok("status", "--lang", "en", *args).stdout
    found = dict.fromkeys(STATUS_LABELS.values(), 0)
    for line in out.splitlines():
        for part in line.split("·"):
            m = re.fullmatch(r"\s*([A-Za-z ]+): (\d+)\s*", part)
            if m and m.group(1) in STATUS_LABELS:
                found[STATUS_LABELS[m.group(1)]] = int(m.group(2))
    return found


def statuses(**given: int) -> dict[str, int]:
    return dict.fromkeys(STATUS_LABELS.values(), 0) | given


def board_cell(unit_label: str, milestone: str, *args: str) -> str:
    """One unit's cell of `kttn board` for a milestone: its mark and date or days overdue."""
    out = ok("board", "--lang", "en", "-t", milestone.split("-")[0], *args).stdout
    lines = out.splitlines()
    header = next(x for x in lines if x.startswith("┃"))
    columns = [c.strip() for c in header.strip("┃").split("┃")]
    short = milestone.split("-", 1)[1]
    index = next(i for i, c in enumerate(columns) if c in (milestone, short))
    for line in lines:
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0] == unit_label:
            return " ".join(cells[index].split()[:2])
    raise AssertionError(f"no row {unit_label!r} in:\n{out}")


def snapshot(path: Path) -> tuple[bytes, int] | None:
    return (path.read_bytes(), path.stat().st_mtime_ns) if path.exists() else None


# ── submit ──────────────────────────────────────────────────────────────────────────


def test_submit_one_unit_echoes_on_time(ledger: Path) -> None:
    result = ok("submit", M, "van lam", "--on", "28/06/2024", "--ref", "12-BC/HU")
    assert result.stdout == (
        "Đã ghi r1: III.2-bc-6-thang — Huyện ủy Văn Lâm — nộp ngày 28/06/2024: "
        "Hoàn thành đúng hạn\n"
    )
    assert result.stderr == ""
    assert ledger.exists()
    [record] = log_json()
    assert {k: record[k] for k in ("id", "type", "milestone", "unit", "on", "reference")} == {
        "id": "r1",
        "type": "submission",
        "milestone": M,
        "unit": "van-lam",
        "on": "2024-06-28",
        "reference": "12-BC/HU",
    }


def test_submit_several_units_at_once_echoes_each_late_by_days() -> None:
    result = ok("submit", M, "van giang", "yen-my", "--on", "2024-07-02", "--lang", "en")
    assert result.stdout == (
        "Recorded r1: III.2-bc-6-thang — Huyện ủy Văn Giang — received 02/07/2024: "
        "Done late (2 days late)\n"
        "Recorded r2: III.2-bc-6-thang — Huyện ủy Yên Mỹ — received 02/07/2024: "
        "Done late (2 days late)\n"
    )
    assert [(r["id"], r["unit"]) for r in log_json()] == [("r1", "van-giang"), ("r2", "yen-my")]


def test_the_same_unit_twice_in_one_command_is_recorded_once() -> None:
    ok("submit", M, "van-lam", "van lam", "--on", "2024-06-28")
    assert [r["unit"] for r in log_json()] == ["van-lam"]


def test_submission_to_an_undated_milestone_is_done() -> None:
    result = ok("submit", "III.2-ke-hoach", "van-lam", "--on", "2024-03-01", "--lang", "en")
    assert result.stdout.endswith("received 01/03/2024: Done\n"), result.stdout


@pytest.mark.parametrize(
    "typed",
    [
        "van-lam",
        "VAN-LAM",
        "Văn Lâm",
        nfd("Văn Lâm"),
        "van lam",
        "VĂN LÂM",
        nfd("VĂN LÂM"),
        "  van   lam ",
        "huyen uy van lam",
        nfd("Huyện ủy Văn Lâm"),
    ],
)
def test_unit_by_id_or_name_in_any_case_and_normal_form(typed: str) -> None:
    ok("submit", M, typed, "--on", "2024-06-28")
    assert [r["unit"] for r in log_json()] == ["van-lam"]


@pytest.mark.parametrize(
    "typed",
    [
        "iii.2-BC-6-THANG",
        "bao cao so ket 06 thang cap huyen",
        nfd("BÁO CÁO SƠ KẾT 06 THÁNG CỦA BAN CHỈ ĐẠO CẤP HUYỆN VÀ ĐƠN VỊ ĐƯỢC PHÂN CÔNG"),
    ],
)
def test_milestone_by_id_or_name(typed: str) -> None:
    ok("submit", typed, "van-lam", "--on", "2024-06-28")
    assert [r["milestone"] for r in log_json()] == [M]


def test_ambiguous_unit_lists_the_candidates(ledger: Path) -> None:
    result = fails(2, "submit", M, "van", "--on", "2024-06-28", "--lang", "en")
    assert result.stderr == (
        "kttn: 'van' matches several unit: van-lam (Huyện ủy Văn Lâm), "
        "van-giang (Huyện ủy Văn Giang); use the id\n"
    )
    assert not ledger.exists()


def test_unknown_unit_lists_the_closest_names(ledger: Path) -> None:
    result = fails(2, "submit", M, "van lamm", "--on", "2024-06-28", "--lang", "en")
    assert result.stderr == (
        "kttn: no unit matches 'van lamm'; closest: van-lam (Huyện ủy Văn Lâm), "
        "van-giang (Huyện ủy Văn Giang)\n"
    )
    assert not ledger.exists()


def test_ambiguous_milestone_lists_the_candidates() -> None:
    result = fails(2, "submit", "bao cao 6 thang", "van-lam", "--on", "2024-06-28", "--lang", "en")
    assert result.stderr == (
        "kttn: 'bao cao 6 thang' matches several milestone: "
        "III.1-bc-6-thang (Báo cáo sơ kết 06 tháng của thành viên Ban Chỉ đạo tỉnh), "
        "III.2-bc-6-thang (Báo cáo sơ kết 06 tháng của ban chỉ đạo cấp huyện và đơn vị được "
        "phân công), III.3-bc-6-thang (Báo cáo sơ kết 06 tháng của Ban Chỉ đạo (tổng hợp)); "
        "use the id\n"
    )


def test_unit_not_assigned_to_the_milestone_is_refused(ledger: Path) -> None:
    result = fails(2, "submit", M, "btctu", "--on", "2024-06-28", "--lang", "en")
    assert result.stderr.startswith(
        "kttn: milestone III.2-bc-6-thang is not assigned to Ban Tổ chức Tỉnh ủy — Cơ quan "
        "thường trực Ban Chỉ đạo; assigned: TP Hưng Yên, Mỹ Hào, Văn Lâm,"
    ), result.stderr
    assert not ledger.exists()


def test_where_the_ledger_lives(
    isolated_env: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--ledger, else KTTN_LEDGER, else <KTTN_DATA_DIR>/<plan id>.ledger.toml (DESIGN §4)."""
    option, env = isolated_env / "a" / "opt.toml", isolated_env / "b" / "env.toml"
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    assert ledger.exists()
    monkeypatch.setenv("KTTN_LEDGER", str(env))
    ok("submit", M, "van-giang", "--on", "2024-06-28")
    ok("submit", M, "yen-my", "--on", "2024-06-28", "--ledger", str(option))
    assert [r["unit"] for r in log_json()] == ["van-giang"]
    assert [
        r["unit"] for r in json.loads(ok("log", "-f", "json", "--ledger", str(option)).stdout)
    ] == ["yen-my"]
    monkeypatch.delenv("KTTN_LEDGER")
    assert [r["unit"] for r in log_json()] == ["van-lam"]
    assert ledger.read_text(encoding="utf-8").startswith(
        "# Sổ theo dõi của kttn: do kttn ghi, không sửa bằng tay.\n"
    )


# ── dates ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("typed", ["2024-06-28", "28/06/2024", " 28/06/2024 "])
def test_dates_iso_or_day_first(typed: str) -> None:
    ok("submit", M, "van-lam", "--on", typed)
    assert [r["on"] for r in log_json()] == ["2024-06-28"]


@pytest.mark.parametrize(
    "typed",
    [
        "2024/06/28",  # neither form
        "28-06-2024",  # day first with dashes
        "6/28/2024",  # month first: there is no month 28
        "28/06/24",  # two-digit year
        "2024-02-30",  # no such day
        "28.06.2024",
        "28 June 2024",
        "",
    ],
)
def test_other_date_forms_are_usage_errors(typed: str, ledger: Path) -> None:
    result = fails(2, "submit", M, "van-lam", "--on", typed, "--lang", "en")
    assert result.stderr == (
        f"kttn: invalid date {typed!r}: use YYYY-MM-DD or DD/MM/YYYY (4-digit year)\n"
    )
    assert not ledger.exists()


def test_today_is_accepted_and_a_later_date_refused_leaving_the_ledger_as_it_was(
    ledger: Path,
) -> None:
    ok("submit", M, "van-lam", "--on", TODAY)
    before = snapshot(ledger)
    result = fails(65, "submit", M, "van-giang", "--on", "11/07/2024", "--lang", "en")
    assert result.stderr == (
        "kttn: date 11/07/2024 is after today (10/07/2024); it cannot be recorded in advance\n"
    )
    assert snapshot(ledger) == before


def test_as_of_option_is_today_for_submit() -> None:
    result = invoke("submit", M, "van-lam", "--on", "2024-07-01", "--as-of", "2024-06-30")
    assert result.exit_code == 65, result.stderr
    ok("submit", M, "van-lam", "--on", "2024-06-30", "--as-of", "2024-06-30")


# ── duplicates and --replace ────────────────────────────────────────────────────────


def test_second_submission_is_refused_without_replace(ledger: Path) -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    before = snapshot(ledger)
    result = fails(65, "submit", M, "van-giang", "van lam", "--on", "2024-07-01", "--lang", "en")
    assert result.stderr == (
        "kttn: milestone III.2-bc-6-thang already has a submission from: "
        "Văn Lâm (r1, 28/06/2024); use --replace\n"
    )
    # Nothing at all is recorded: not even the unit without a clash.
    assert snapshot(ledger) == before


def test_replace_voids_the_earlier_submission() -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28", "--ref", "12-BC/HU")
    assert board_cell("Văn Lâm", M) == "✓ 28/06/2024"
    result = ok("submit", M, "van-lam", "--on", "2024-07-03", "--replace", "--lang", "en")
    assert result.stdout == (
        "Recorded r2: voided r1\n"
        "Recorded r3: III.2-bc-6-thang — Huyện ủy Văn Lâm — received 03/07/2024: "
        "Done late (3 days late)\n"
    )
    records = log_json()
    assert [(r["id"], r["type"]) for r in records] == [
        ("r1", "submission"),
        ("r2", "void"),
        ("r3", "submission"),
    ]
    assert records[1]["target"] == "r1"
    assert records[1]["reason"] == "replaced by a new submission (--replace)"
    assert board_cell("Văn Lâm", M) == "✓! 03/07/2024"
    assert counts("-t", "III.2", "-u", "van-lam") == statuses(pending=1, late=1, undated=3)


def test_replace_without_an_earlier_submission_just_records() -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28", "--replace")
    assert [r["type"] for r in log_json()] == ["submission"]


# ── document numbers ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "ref",
    [
        "12-BC/HU",
        "01-KH/BCĐ",
        "45-BC/ĐUK",
        "1234-CV/TU",
        "08-QĐi/TW",
        "12-TTr/BTCTU",
        "12/BC-UBND",
        "05/2024/NĐ-CP",
        "45/CĐ-TTg",
        "123/UBND-KT",
        "12 - BC/HU",
        "Số 12-BC/HU",
        "số: 12/BC-UBND",
    ],
)
def test_party_and_state_document_numbers_are_accepted_silently(ref: str) -> None:
    result = ok("submit", M, "van-lam", "--on", "2024-06-28", "--ref", ref)
    assert result.stderr == ""
    assert [r["reference"] for r in log_json()] == [ref]


@pytest.mark.parametrize("ref", ["BC12", "12.BC.HU", "số mười hai", "12/06/2024", "12-bc/hu"])
def test_another_form_is_kept_with_a_warning(ref: str) -> None:
    result = ok("submit", M, "van-lam", "--on", "2024-06-28", "--ref", ref, "--lang", "en")
    assert result.stderr == (
        f"kttn: warning: document number {ref!r} follows neither the Party form (12-BC/HU) "
        "nor the State form (12/BC-UBND); recorded anyway\n"
    )
    assert result.stdout.startswith("Recorded r1: ")
    assert [r["reference"] for r in log_json()] == [ref]


# ── statuses everywhere ─────────────────────────────────────────────────────────────


def test_submissions_change_status_board_and_overdue_per_design() -> None:
    assert counts("-t", "III.2") == statuses(overdue=12, pending=12, undated=35)
    assert (M, "van-lam") in overdue()
    assert overdue()[(M, "van-lam")]["days_overdue"] == 10

    ok("submit", M, "van-lam", "--on", "2024-06-30", "--ref", "12-BC/HU")  # due day: on time
    ok("submit", M, "van-giang", "--on", "2024-07-01")  # the day after: late by 1
    ok("submit", "III.2-ke-hoach", "van-lam", "--on", "2024-03-01")  # undated: done

    assert counts("-t", "III.2") == statuses(
        overdue=10, pending=12, late=1, undated=34, on_time=1, done=1
    )
    rows = overdue()
    assert (M, "van-lam") not in rows
    assert (M, "van-giang") not in rows
    assert (M, "yen-my") in rows
    assert board_cell("Văn Lâm", M) == "✓ 30/06/2024"
    assert board_cell("Văn Giang", M) == "✓! 01/07/2024"
    assert board_cell("Yên Mỹ", M) == "✗ +10"
    # Rates: (on time + late) ÷ (on time + late + overdue), on time ÷ the same; the
    # undated submission is outside both.
    out = ok("status", "--lang", "en", "-t", "III.2").stdout
    assert re.search(r"Completion rate: 16\.7%", out), out
    assert re.search(r"On-time rate: 8\.3%", out), out
    # Voiding the late one makes it overdue again.
    ok("void", "r2", "--reason", "nhầm")
    assert overdue()[(M, "van-giang")]["days_overdue"] == 10
    assert counts("-t", "III.2") == statuses(overdue=11, pending=12, undated=34, on_time=1, done=1)


def test_a_submission_counts_only_from_the_day_it_arrived() -> None:
    ok("submit", M, "van-lam", "--on", "2024-07-05")
    assert board_cell("Văn Lâm", M, "--as-of", "2024-07-04") == "✗ +4"
    assert board_cell("Văn Lâm", M) == "✓! 05/07/2024"


# ── void ────────────────────────────────────────────────────────────────────────────


def test_void_withdraws_a_submission_for_audit(ledger: Path) -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    assert (M, "van-lam") not in overdue()
    result = ok("void", "r1", "--reason", "nhập nhầm đơn vị", "--lang", "en")
    assert result.stdout == "Recorded r2: voided r1\n"
    assert (M, "van-lam") in overdue()
    records = log_json()
    assert [r["id"] for r in records] == ["r1", "r2"]  # the voided record stays
    assert records[1] | {"recorded_at": "*"} == {
        "id": "r2",
        "type": "void",
        "recorded_at": "*",
        "recorded_by": "clerk",
        "target": "r1",
        "reason": "nhập nhầm đơn vị",
    }
    # The obligation is open again: it can be submitted without --replace.
    ok("submit", M, "van-lam", "--on", "2024-06-29")


@pytest.mark.parametrize(
    ("record_id", "message"),
    [
        ("r9", "no record 'r9'; see `kttn log`"),
        ("r2", "r2 is itself a void and cannot be voided"),
        ("r1", "record r1 is already void"),
    ],
)
def test_void_refusals(record_id: str, message: str, ledger: Path) -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    ok("void", "r1", "--reason", "nhầm")
    before = snapshot(ledger)
    result = fails(65, "void", record_id, "--reason", "again", "--lang", "en")
    assert result.stderr == f"kttn: {message}\n"
    assert snapshot(ledger) == before


def test_void_needs_a_reason(ledger: Path) -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    before = snapshot(ledger)
    result = fails(2, "void", "r1", "--reason", "   ", "--lang", "en")
    assert result.stderr == "kttn: a reason is required (--reason)\n"
    assert snapshot(ledger) == before


# ── extend ──────────────────────────────────────────────────────────────────────────


def test_extension_moves_the_due_date_and_keeps_the_original_visible() -> None:
    assert overdue()[(M, "kim-dong")]["days_overdue"] == 10
    result = ok(
        "extend", M, "kim dong", "phu-cu", "--to", "15/07/2024", "--reason", "CV 5-CV/TU",
        "--lang", "en",
    )  # fmt: skip
    assert result.stdout == (
        "Recorded r1: extended III.2-bc-6-thang — Huyện ủy Kim Động to 15/07/2024\n"
        "Recorded r2: extended III.2-bc-6-thang — Huyện ủy Phù Cừ to 15/07/2024\n"
    )
    assert (M, "kim-dong") not in overdue()
    row = upcoming()[(M, "kim-dong")]
    assert (row["due"], row["planned_due"], row["status"]) == (
        "2024-07-15",
        "2024-06-30",
        "due_soon",
    )
    assert board_cell("Kim Động", M) == "◔ 15/07/2024"
    assert counts("-t", "III.2") == statuses(overdue=10, due_soon=2, pending=12, undated=35)
    # Judged against the extended deadline: on time after the planned day.
    result = ok("submit", M, "kim-dong", "--on", "2024-07-08", "--lang", "en")
    assert result.stdout.endswith("received 08/07/2024: Done on time\n"), result.stdout
    # Overdue again once the extension passes.
    assert overdue_as_of("2024-07-16")[(M, "phu-cu")]["days_overdue"] == 1


def overdue_as_of(day: str) -> dict[tuple[str, str], dict[str, Any]]:
    doc = json.loads(ok("overdue", "--format", "json", "--as-of", day).stdout)
    return {(r["milestone_id"], r["unit_id"]): r for r in doc["obligations"]}


def test_voiding_an_extension_restores_the_planned_deadline() -> None:
    ok("extend", M, "kim-dong", "--to", "2024-07-15", "--reason", "CV 5")
    assert (M, "kim-dong") not in overdue()
    ok("void", "r1", "--reason", "nhầm")
    assert overdue()[(M, "kim-dong")]["days_overdue"] == 10


def test_extending_an_undated_milestone_is_refused(ledger: Path) -> None:
    result = fails(
        65, "extend", "III.2-ke-hoach", "kim-dong", "--to", "2024-07-15", "--reason", "x",
        "--lang", "en",
    )  # fmt: skip
    assert result.stderr == "kttn: milestone III.2-ke-hoach has no deadline to extend\n"
    assert not ledger.exists()


def test_extending_to_before_the_planned_deadline_is_refused() -> None:
    result = fails(
        65, "extend", M, "kim-dong", "--to", "2024-06-30", "--reason", "x", "--lang", "en"
    )
    assert result.stderr == (
        "kttn: the new deadline 30/06/2024 of III.2-bc-6-thang must be after the planned "
        "30/06/2024\n"
    )


def test_extend_dates_are_strict() -> None:
    fails(2, "extend", M, "kim-dong", "--to", "15-07-2024", "--reason", "x")


# ── ad-hoc tasks (II.7) ─────────────────────────────────────────────────────────────


def test_task_add_with_a_group_appears_in_tasks_status_and_overdue() -> None:
    result = ok(
        "task", "add", "--title", "Báo cáo nhanh tình hình", "--by", "25-CV/TU",
        "-u", "cap-huyen", "-u", "btctu", "--due", "2024-07-05", "--lang", "en",
    )  # fmt: skip
    assert result.stdout == (
        "Recorded r1: ad-hoc task II.7-1 — Báo cáo nhanh tình hình — due 05/07/2024\n"
    )
    [record] = log_json()
    assert record["units"] == ["cap-huyen", "btctu"]
    assert record["assigned_by"] == "25-CV/TU"
    assert "II.7-1" in ok("tasks").stdout
    rows = [r for r in overdue().values() if r["milestone_id"] == "II.7-1"]
    assert len(rows) == 12  # the 11 committees of the group, and btctu
    assert {(r["task_id"], r["status"], r["days_overdue"]) for r in rows} == {
        ("II.7", "overdue", 5)
    }
    assert counts("-t", "II.7") == statuses(overdue=12, undated=1)
    # It is an obligation like any other: submitted by name, judged by its deadline.
    result = ok("submit", "bao cao nhanh", "van lam", "--on", "2024-07-06", "--lang", "en")
    assert result.stdout == (
        "Recorded r2: II.7-1 — Huyện ủy Văn Lâm — received 06/07/2024: Done late (1 day late)\n"
    )
    assert ("II.7-1", "van-lam") not in overdue()
    assert board_cell("Văn Lâm", "II.7-1") == "✓! 06/07/2024"
    assert board_cell("Yên Mỹ", "II.7-1").startswith("✗ +5")


def test_task_add_without_a_deadline_is_undated_and_units_may_be_named() -> None:
    ok("task", "add", "--title", "Rà soát", "--by", "26-CV/TU", "-u", "van lam")
    ok("task", "add", "--title", "Khảo sát", "--by", "27-CV/TU", "-u", "phu-cu", "--due", TODAY)
    assert [r["milestone"] for r in log_json()] == ["II.7-1", "II.7-2"]
    assert counts("-t", "II.7") == statuses(due_soon=1, undated=2)


def test_task_add_finds_groups_by_name_too() -> None:
    ok("task", "add", "--title", "T", "--by", "25-CV/TU", "-u", nfd("CẤP HUYỆN"), "-u", "btctu")
    assert [r["units"] for r in log_json()] == [["cap-huyen", "btctu"]]
    result = fails(2, "task", "add", "--title", "T", "--by", "25-CV/TU", "-u", "thanh vien")
    assert "thanh-vien-bcd (" in result.stderr
    assert "thanh-vien (" in result.stderr


def test_task_add_refuses_an_unknown_unit(ledger: Path) -> None:
    fails(2, "task", "add", "--title", "X", "--by", "25-CV/TU", "-u", "nowhere")
    assert not ledger.exists()


def test_voiding_a_task_withdraws_its_submissions_and_extensions_too() -> None:
    ok("task", "add", "--title", "Báo cáo nhanh", "--by", "25-CV/TU", "-u", "cap-huyen",
       "--due", "2024-07-05")  # fmt: skip
    ok("submit", "II.7-1", "van-lam", "--on", "2024-07-01")
    ok("extend", "II.7-1", "phu-cu", "--to", "2024-07-20", "--reason", "x")
    ok("submit", M, "phu-cu", "--on", "2024-07-01")  # another milestone: not touched
    result = ok("void", "r1", "--reason", "giao nhầm", "--lang", "en")
    assert result.stdout == (
        "Recorded r5: voided r1\nRecorded r6: voided r2\nRecorded r7: voided r3\n"
    )
    assert not any(r["milestone_id"] == "II.7-1" for r in overdue().values())
    assert "II.7-1" not in ok("tasks").stdout
    assert (M, "phu-cu") not in overdue()
    assert ok("check").exit_code == 0


# ── audit trail: who and when ───────────────────────────────────────────────────────


def test_every_record_carries_when_utc_and_by_whom() -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    ok("extend", M, "kim-dong", "--to", "2024-07-15", "--reason", "x")
    ok("task", "add", "--title", "T", "--by", "25-CV/TU", "-u", "btctu")
    ok("void", "r1", "--reason", "nhầm")
    end = datetime.now(UTC)
    records = log_json()
    assert [r["type"] for r in records] == ["submission", "extension", "task", "void"]
    for record in records:
        assert record["recorded_by"] == "clerk"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["recorded_at"])
        when = datetime.fromisoformat(record["recorded_at"])
        assert when.tzinfo is not None and when.utcoffset() is not None
        assert start <= when <= end


def test_recorded_by_falls_back_to_the_login_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KTTN_USER")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "nguyenvana")
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    assert [r["recorded_by"] for r in log_json()] == ["nguyenvana"]


def test_recorded_by_from_the_environment_is_nfc_and_trimmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KTTN_USER", "   ")
    monkeypatch.setenv("LOGNAME", nfd(" Lê Văn Đức "))
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    monkeypatch.setenv("KTTN_USER", nfd(" Trần Thị Hà "))
    ok("submit", M, "van-giang", "--on", "2024-06-28")
    assert [r["recorded_by"] for r in log_json()] == ["Lê Văn Đức", "Trần Thị Hà"]


def test_text_from_arguments_and_environment_is_stored_nfc(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KTTN_USER", nfd("Nguyễn Thị Hà"))
    note = "Đã nhận bản giấy, thiếu phụ lục"
    ok("submit", M, "van-lam", "--on", "2024-06-28", "--note", nfd(note), "--ref", nfd("01-KH/BCĐ"))
    ok("extend", M, "kim-dong", "--to", "2024-07-15", "--reason", nfd("Theo ý kiến Trưởng ban"))
    ok(
        "task",
        "add",
        "--title",
        nfd("Rà soát tổ chức đảng"),
        "--by",
        nfd("25-CV/TU"),
        "-u",
        "btctu",
    )
    text = ledger.read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert f'note = "{note}"' in text
    assert 'recorded_by = "Nguyễn Thị Hà"' in text
    assert 'reason = "Theo ý kiến Trưởng ban"' in text
    assert 'title = "Rà soát tổ chức đảng"' in text
    records = log_json()
    assert records[0]["note"] == note
    assert records[0]["reference"] == "01-KH/BCĐ"


def test_bytes_that_are_not_utf8_are_refused_before_anything_is_written(ledger: Path) -> None:
    """A real process: argv and environment carry raw bytes (lone surrogates in Python)."""
    result = run_kttn("submit", M, "van-lam", "--on", "2024-06-28", "--note", "a\udcffb",
                      "--lang", "en")  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr == "kttn: --note contains bytes that are not UTF-8: 'a\\udcffb'\n"
    env = {**os.environ, "KTTN_USER": "\udcff", "KTTN_LANG": "en"}
    result = run_kttn("submit", M, "van-lam", "--on", "2024-06-28", env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "kttn: KTTN_USER contains bytes that are not UTF-8: '\\udcff'\n"
    assert not ledger.exists()


def test_text_read_from_a_ledger_file_is_nfc(ledger: Path) -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28", "--note", "x")
    text = ledger.read_text(encoding="utf-8").replace('note = "x"', f'note = "{nfd("Bản gốc")}"')
    ledger.write_text(text, encoding="utf-8")
    assert [r["note"] for r in log_json()] == ["Bản gốc"]


# ── log ─────────────────────────────────────────────────────────────────────────────


def test_log_lists_records_newest_last_with_their_ids() -> None:
    assert ok("log", "--lang", "en").stdout == "Nothing to show.\n"
    ok("submit", M, "van-lam", "--on", "2024-06-28", "--ref", "12-BC/HU")
    ok("extend", M, "kim-dong", "--to", "2024-07-15", "--reason", "CV 5")
    ok("void", "r1", "--reason", "nhầm")
    out = ok("log", "--lang", "en").stdout
    rows = [
        [c.strip() for c in line.strip("│").split("│")]
        for line in out.splitlines()
        if line.startswith("│")
    ]
    masked = [[re.sub(r"\d\d/\d\d/\d{4} \d\d:\d\d", "<when>", c) for c in row] for row in rows]
    assert masked == [
        ["r1", "Submission", "<when>", "clerk",
         "III.2-bc-6-thang — Văn Lâm — 28/06/2024 — 12-BC/HU (voided by r3)"],
        ["r2", "Extension", "<when>", "clerk",
         "III.2-bc-6-thang — Kim Động → 15/07/2024: CV 5"],
        ["r3", "Void", "<when>", "clerk", "r1: nhầm"],
    ]  # fmt: skip


def test_log_json_has_every_field_and_id() -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28", "--ref", "12-BC/HU", "--note", "bản fax")
    ok("task", "add", "--title", "T", "--by", "25-CV/TU", "-u", "cap-huyen", "--due", TODAY)
    records = [r | {"recorded_at": "<when>"} for r in log_json()]
    assert records == [
        {
            "id": "r1",
            "type": "submission",
            "recorded_at": "<when>",
            "recorded_by": "clerk",
            "milestone": M,
            "unit": "van-lam",
            "on": "2024-06-28",
            "reference": "12-BC/HU",
            "note": "bản fax",
        },
        {
            "id": "r2",
            "type": "task",
            "recorded_at": "<when>",
            "recorded_by": "clerk",
            "milestone": "II.7-1",
            "title": "T",
            "due": TODAY,
            "units": ["cap-huyen"],
            "assigned_by": "25-CV/TU",
            "recipient": None,
        },
    ]


def test_log_rejects_an_unknown_format() -> None:
    fails(2, "log", "--format", "yaml")


# ── check ───────────────────────────────────────────────────────────────────────────


def test_check_counts_the_ledger_records() -> None:
    assert ok("check", "--lang", "en").stdout.endswith("ledger: none yet\n")
    ok("submit", M, "van-lam", "van-giang", "--on", "2024-06-28")
    assert ok("check", "--lang", "en").stdout.endswith("ledger: 2 records\n")


def test_check_reports_unknown_milestone_and_unit_of_a_hand_damaged_ledger(
    ledger: Path,
) -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    ok("submit", "III.2-bc-nam", "van-giang", "--on", "2024-07-01")
    text = ledger.read_text(encoding="utf-8")
    text = text.replace(f'milestone = "{M}"', 'milestone = "III.9-bc"')
    text = text.replace('unit = "van-giang"', 'unit = "van-xuan"')
    ledger.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    m_line = lines.index('milestone = "III.9-bc"') + 1
    u_line = lines.index('unit = "van-xuan"') + 1
    result = invoke("check", "--lang", "en")
    assert result.exit_code == 65, result.output
    assert result.stdout == (
        f"{ledger}:{m_line}:1: records[0].milestone: unknown milestone 'III.9-bc'\n"
        f"{ledger}:{u_line}:1: records[1].unit: unknown unit 'van-xuan'\n"
    )
    assert result.stderr == "2 problems.\n"


def test_check_reports_a_ledger_of_another_plan(ledger: Path) -> None:
    ok("submit", M, "van-lam", "--on", "2024-06-28")
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace(f'plan = "{PLAN_ID}"', 'plan = "kh-2025"'),
        encoding="utf-8",
    )
    result = invoke("check", "--lang", "en")
    assert result.exit_code == 65
    assert result.stdout == (
        f"{ledger}:4:1: plan: ledger belongs to plan 'kh-2025', not '{PLAN_ID}'\n"
    )


# ── the ledger's layout (golden) ────────────────────────────────────────────────────


def test_ledger_layout_after_a_fixed_sequence_of_commands(ledger: Path) -> None:
    ok("submit", M, "van-lam", "van giang", "--on", "28/06/2024", "--ref", "12-BC/HU",
       "--note", "Bản gốc gửi qua bưu điện")  # fmt: skip
    ok("submit", M, "van-lam", "--on", "2024-06-29", "--ref", "15/BC-UBND", "--replace")
    ok("extend", M, "kim-dong", "--to", "2024-07-15", "--reason", "Công văn 30-CV/BTCTU")
    ok("task", "add", "--title", "Báo cáo nhanh", "--by", "25-CV/TU", "-u", "cap-huyen",
       "-u", "btctu", "--due", "2024-07-20", "--recipient", "btctu")  # fmt: skip
    ok("submit", "II.7-1", "yen-my", "--on", TODAY)
    ok("void", "r2", "--reason", "nhầm đơn vị")
    masked = re.sub(
        r"(?m)^recorded_at = \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$",
        "recorded_at = <UTC>",
        ledger.read_text(encoding="utf-8"),
    )
    golden = GOLDEN / "sequence.toml"
    if os.environ.get("KTTN_UPDATE_GOLDEN"):
        golden.write_text(masked, encoding="utf-8")
    assert masked == golden.read_text(encoding="utf-8")
