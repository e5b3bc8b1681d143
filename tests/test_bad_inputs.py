"""Every bad input a clean answer (docs/architecture.md, "Exit codes"): wrong dates,
extensions that would move a deadline earlier, ids that collide, records that point
nowhere, damaged or hostile files, hostile text, odd terminals. Never exit 70, never a
traceback, never a silently wrong view."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import BUNDLED_PLAN, SMALL_PLAN, kttn, ok

M = "III.2-bc-6-thang"


# ── 6. extensions move the deadline in force later, never earlier ─────────────────


def test_an_extension_must_be_after_the_deadline_in_force() -> None:
    on_the_day = kttn("extend", M, "van-lam", "--to", "2024-06-29", "--reason", "x", "--lang", "en")
    assert on_the_day.code == 65, on_the_day
    assert "after the deadline in force, 29/06/2024" in on_the_day.err
    ok(kttn("extend", M, "van-lam", "--to", "2024-07-10", "--reason", "CV 1"))
    earlier = kttn("extend", M, "van-lam", "--to", "2024-07-05", "--reason", "x", "--lang", "en")
    assert earlier.code == 65 and "10/07/2024" in earlier.err, earlier


def test_an_extension_counts_days_off_when_the_plan_moves_deadlines(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        BUNDLED_PLAN.read_text().replace(
            "shift_to_working_day = false", "shift_to_working_day = true"
        )
    )
    refused = kttn(
        "extend",
        M,
        "van-lam",
        "--to",
        "2024-06-30",
        "--reason",
        "x",
        "--plan",
        str(plan),
        "--lang",
        "en",
    )
    assert refused.code == 65 and "01/07/2024" in refused.err, refused  # 29/06 is a Saturday


def test_extending_a_deliverable_already_received_needs_force() -> None:
    ok(kttn("submit", M, "van-lam", "--on", "2024-07-03"))
    refused = kttn("extend", M, "van-lam", "--to", "2024-07-15", "--reason", "x", "--lang", "en")
    assert refused.code == 65 and "--force" in refused.err, refused
    ok(kttn("extend", M, "van-lam", "--to", "2024-07-15", "--reason", "BCĐ đồng ý", "--force"))
    log = json.loads(ok(kttn("log", "--format", "json")).out)
    assert log[-1]["after_submission"] is True


# ── 7. every obligation a view's filter admits appears in it ──────────────────────


def test_the_board_shows_multi_unit_ad_hoc_tasks() -> None:
    ok(
        kttn(
            "task",
            "add",
            "--title",
            "Báo cáo nhanh",
            "--by",
            "25-CV/TU",
            "--unit",
            "van lam",
            "--unit",
            "yen my",
            "--due",
            "2024-07-20",
        )
    )
    for extra in ((), ("--all",)):
        board = ok(kttn("board", "--as-of", "2024-07-21", "--lang", "en", *extra)).out
        assert "II.7-1" in board and "Văn Lâm" in board and "Yên Mỹ" in board, board


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["submit", "task"]),
            st.sampled_from(["van-lam", "van-giang", "yen-my"]),
            st.integers(1, 20),
        ),
        max_size=6,
    ),
    as_of=st.dates(
        min_value=__import__("datetime").date(2024, 6, 1),
        max_value=__import__("datetime").date(2025, 2, 1),
    ),
)
def test_board_cells_match_the_rows(
    steps: list[tuple[str, str, int]], as_of: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ledger = tmp_path_factory.mktemp("board") / "ledger.toml"
    common = ("--ledger", str(ledger))
    for kind, unit, day in steps:
        if kind == "submit":
            kttn("submit", M, unit, "--on", f"2024-06-{day:02d}", *common)
        else:
            kttn(
                "task",
                "add",
                "--title",
                f"T{day}",
                "--by",
                "1-CV/TU",
                "-u",
                unit,
                "-u",
                "van-giang",
                "--due",
                f"2024-07-{day:02d}",
                *common,
            )
    if not ledger.exists():
        return
    when = ("--as-of", str(as_of))
    rows = json.loads(ok(kttn("export", "--format", "json", *common, *when)).out)["obligations"]
    owners: dict[str, set[str]] = {}
    for row in rows:
        owners.setdefault(row["milestone_id"], set()).add(row["unit_id"])
    board = json.loads(ok(kttn("board", "--all", "--format", "json", *common, *when)).out)[
        "obligations"
    ]
    expected = {
        (r["milestone_id"], r["unit_id"], r["status"])
        for r in rows
        if len(owners[r["milestone_id"]]) > 1
    }
    assert {(r["milestone_id"], r["unit_id"], r["status"]) for r in board} == expected


# ── 8. implausible receipt dates ──────────────────────────────────────────────────


def test_a_receipt_before_the_plan_starts_is_refused() -> None:
    result = kttn("submit", M, "van-lam", "--on", "28/06/2004", "--lang", "en")
    assert result.code == 65 and "before the plan starts (05/02/2024)" in result.err, result


def test_a_receipt_after_today_is_refused_whatever_as_of_says() -> None:
    result = kttn(
        "submit", M, "van-lam", "--on", "2999-06-28", "--as-of", "2999-07-01", "--lang", "en"
    )
    assert result.code == 65 and "after today" in result.err, result


# ── 9. ad-hoc ids never collide with the plan's ───────────────────────────────────


def test_ad_hoc_ids_skip_the_plans_ids_and_a_later_plan_edit_is_reported(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    plan.write_text(text.replace('id = "II.7-dot-xuat"', 'id = "II.7-1"'), encoding="utf-8")
    ok(kttn("task", "add", "--title", "T", "--by", "1-CV/TU", "-u", "btctu", "--plan", str(plan)))
    log = json.loads(ok(kttn("log", "--format", "json", "--plan", str(plan))).out)
    assert log[0]["milestone"] == "II.7-2"
    plan.write_text(text.replace('id = "II.7-dot-xuat"', 'id = "II.7-2"'), encoding="utf-8")
    check = kttn("check", "--plan", str(plan), "--lang", "en")
    assert check.code == 65 and "ad-hoc task 'II.7-2' has the id of a milestone" in check.out, check


# ── 10. records that point nowhere ────────────────────────────────────────────────


def test_a_record_that_points_nowhere_is_stated_by_every_command(tmp_path: Path) -> None:
    ok(kttn("submit", M, "van-lam", "--on", "2024-06-28"))
    plan = tmp_path / "plan.toml"
    plan.write_text(
        BUNDLED_PLAN.read_text(encoding="utf-8").replace(f'"{M}"', '"III.2-bc-sau-thang"'),
        encoding="utf-8",
    )
    ledger = tmp_path / "data" / "kh-01-bcd-2024.ledger.toml"
    common = ("--plan", str(plan), "--lang", "en")
    status = ok(kttn("status", "--as-of", "2024-07-01", *common))
    assert "The ledger has 1 problem" in status.out and "r1" in status.out, status.out
    plain = ok(kttn("overdue", "--format", "plain", "--as-of", "2024-07-01", *common))
    assert "warning:" in plain.err and "r1" in plain.err, plain
    refused = kttn("submit", "III.2-bc-sau-thang", "yen-my", "--on", "2024-06-28", *common)
    assert refused.code == 65 and "nothing was written" in refused.err, refused
    check = kttn("check", *common)
    assert check.code == 65
    assert "renamed_from" in check.out and "kttn void r1" in check.out, check.out
    ok(kttn("void", "r1", "--reason", "the milestone was renamed", *common))
    assert ok(kttn("check", *common)).code == 0
    assert ledger.exists()


def test_a_withdrawn_record_that_points_nowhere_is_not_a_problem(tmp_path: Path) -> None:
    ok(kttn("submit", M, "van-lam", "--on", "2024-06-28"))
    ok(kttn("void", "r1", "--reason", "nhầm"))
    plan = tmp_path / "plan.toml"
    plan.write_text(
        BUNDLED_PLAN.read_text(encoding="utf-8").replace(f'"{M}"', '"III.2-x"'), encoding="utf-8"
    )
    assert ok(kttn("check", "--plan", str(plan))).code == 0


# ── 12. damaged and hostile files: 65 with a place, never 70, never a hang ────────


@pytest.mark.parametrize(
    "nested",
    ["x = " + "[" * 5000 + "]" * 5000 + "\n", "x = [\n" + "[\n" * 5000 + "]" * 5001 + "\n"],
    ids=["one line", "one bracket a line"],
)
def test_deeply_nested_toml_is_65_with_a_location(tmp_path: Path, nested: str) -> None:
    plan = tmp_path / "deep.toml"
    plan.write_text(nested)
    result = kttn("check", "--plan", str(plan), "--lang", "en")
    assert result.code == 65, result
    assert f"{plan}:1:" in result.out and "nested more than" in result.out, result


def test_a_long_chain_of_inputs_is_checked_without_recursion(tmp_path: Path) -> None:
    head = SMALL_PLAN.read_text(encoding="utf-8")
    chain = []
    for n in range(1000):
        inputs = f'inputs = ["c{n + 1}"]' if n < 999 else 'inputs = ["c0"]'
        chain.append(
            f'[[tasks.milestones]]\nid = "c{n}"\ntitle = "C"\ndue = {{ kind = "none" }}\n'
            f'due_text = ""\nassignees = ["office"]\n{inputs}\nsource = "x"\n'
        )
    plan = tmp_path / "chain.toml"
    plan.write_text(head + "\n" + "\n".join(chain), encoding="utf-8")
    result = kttn("check", "--plan", str(plan), "--lang", "en")
    assert result.code == 65 and "input cycle" in result.out, result.err


@pytest.mark.process
@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "directory"])
def test_a_file_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, target: str) -> None:
    if target == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
        given = str(path)
    elif target == "directory":
        given = str(tmp_path)
    else:
        given = target
    en_as_of = ("--lang", "en", "--as-of", "2024-07-01")
    for option in ("--plan", "--ledger"):
        result = subprocess.run(
            [sys.executable, "-m", "kttn_cli", "status", option, given, *en_as_of],
            capture_output=True,
            text=True,
            timeout=30,
        )  # fmt: skip
        assert result.returncode in (65, 66), result.stderr
        assert "Traceback" not in result.stderr


def test_columns_0_and_odd_terminal_sizes_work(monkeypatch: pytest.MonkeyPatch) -> None:
    for columns in ("0", "-5", "abc", "100000", "40"):
        monkeypatch.setenv("COLUMNS", columns)
        for view in ("status", "board", "overdue", "tasks", "log"):
            ok(kttn(view, "--as-of", "2024-07-01"))


def test_ids_stay_visible_at_40_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    for view in ("status", "overdue", "tasks"):
        out = ok(kttn(view, "--as-of", "2024-07-01")).out
        assert "III.2-bc-6-thang" in out, f"{view}:\n{out}"


def _mutations(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(chars))
        action = rng.choice(["delete", "insert", "swap"])
        if action == "delete":
            del chars[where]
        elif action == "insert":
            chars.insert(where, rng.choice(list('[]{}="\n#,.0123-abcđ\x00\t')))
        else:
            chars[where], chars[-where] = chars[-where], chars[where]
    return "".join(chars)


def test_fuzzed_plans_and_ledgers_never_exit_70(tmp_path: Path) -> None:
    seed = int(os.environ.get("KTTN_TEST_SEED") or random.randrange(2**32))
    print(f"KTTN_TEST_SEED={seed}")
    rng = random.Random(seed)
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-28", "--plan", str(SMALL_PLAN)))
    ledger = next((tmp_path / "data").glob("*.ledger.toml"))
    ledger_text = ledger.read_text(encoding="utf-8")
    plan_text = SMALL_PLAN.read_text(encoding="utf-8")
    plan = tmp_path / "fuzzed.toml"
    for n in range(60):
        if n % 2:
            plan.write_text(_mutations(plan_text, rng), encoding="utf-8", errors="surrogateescape")
            ledger.write_text(ledger_text, encoding="utf-8")
        else:
            plan.write_text(plan_text, encoding="utf-8")
            ledger.write_text(
                _mutations(ledger_text, rng), encoding="utf-8", errors="surrogateescape"
            )
        for command in (
            ("check",),
            ("status", "--as-of", "2024-07-01"),
            ("overdue", "--format", "json", "--as-of", "2024-07-01"),
        ):
            result = kttn(*command, "--plan", str(plan), "--ledger", str(ledger))
            assert result.code in (0, 65, 66), f"seed {seed}, case {n}: {result}"
            assert "Traceback" not in result.err


# ── 16. terminal safety ───────────────────────────────────────────────────────────

HOSTILE = "\x1b[2J\x1b]0;pwned\x07 ‮gnp.exe 12-BC/HU"


def test_escape_sequences_and_bidi_overrides_are_shown_not_obeyed() -> None:
    ok(
        kttn(
            "submit",
            M,
            "van-lam",
            "--on",
            "2024-06-28",
            "--ref",
            HOSTILE,
            "--note",
            "a\x1b[31mred\u202e",
        )
    )
    for command in (
        ("show", M, "--as-of", "2024-07-01"),
        ("show", "van-lam", "--as-of", "2024-07-01"),
        ("log",),
        ("status", "--as-of", "2024-07-01"),
        ("board", "--as-of", "2024-07-01"),
    ):
        out = ok(kttn(*command)).out
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out, command
    shown = ok(kttn("log")).out
    assert "\\x1b[2J" in shown and "\\u202e" in shown


@pytest.mark.process
def test_a_legacy_8_bit_terminal_drops_tone_marks_consistently() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    result = subprocess.run(
        [sys.executable, "-m", "kttn_cli", "status", "--as-of", "2024-07-01"],
        capture_output=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("latin-1")
    assert "Tinh den ngay 01/07/2024" in out, out[:400]
    assert not any(ch in out for ch in "áíđ"), "half-folded text"


# ── 17. --as-of everywhere; English says "several milestones" ────────────────────


def test_every_command_accepts_as_of() -> None:
    from kttn_cli.cli.parser import all_commands

    missing = [c.path for c in all_commands() if not c.option("--as-of")]
    assert not missing, missing


def test_english_says_several_milestones() -> None:
    result = kttn("show", "bao cao 6 thang", "--lang", "en")
    assert (
        result.code == 2 and "matches several milestones" in result.err
    ) or "matches several" in result.err, result
    result = kttn("submit", "bao cao 6 thang", "van-lam", "--lang", "en")
    assert result.code == 2 and "matches several milestones" in result.err, result


def test_concurrent_in_process_readers_do_not_interfere() -> None:
    """The views are plain functions of the files: two threads reading agree."""
    ok(kttn("submit", M, "van-lam", "--on", "2024-06-28"))
    outputs: list[str] = []

    def read() -> None:
        outputs.append(ok(kttn("export", "--format", "json", "--as-of", "2024-07-01")).out)

    threads = [threading.Thread(target=read) for _ in range(1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    read()
    assert len(set(outputs)) == 1


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("31/6/2024", "không phải là một ngày có thật"),
        ("2024-02-30", "không phải là một ngày có thật"),
        ("29/02/2023", "không phải là một ngày có thật"),
        ("2024/06/30", "dùng YYYY-MM-DD hoặc DD/MM/YYYY"),
        ("30-06-24", "dùng YYYY-MM-DD hoặc DD/MM/YYYY"),
    ],
)
def test_a_date_that_is_not_a_day_is_told_apart_from_a_date_in_another_form(
    typed: str, says: str
) -> None:
    result = kttn("submit", "bc-6-thang", "van-lam", "--on", typed, "--plan", str(SMALL_PLAN))
    assert result.code == 2 and says in result.err and repr(typed) in result.err, result
    assert not (Path(os.environ["KTTN_DATA_DIR"]) / "small.ledger.toml").exists()


def test_a_language_kttn_does_not_have_and_a_missing_ledger_are_told_in_vietnamese(
    tmp_path: Path,
) -> None:
    asked = kttn("status", "--lang", "fr", "--plan", str(SMALL_PLAN))
    assert asked.code == 2 and "ngôn ngữ 'fr' (--lang) không hỗ trợ" in asked.err, asked
    missing = kttn("status", "--plan", str(SMALL_PLAN), "--ledger", str(tmp_path / "x.toml"))
    assert missing.code == 66 and "không tìm thấy sổ theo dõi" in missing.err, missing


@pytest.mark.parametrize(
    ("lang", "reason"), [("vi", "đó là một thư mục"), ("en", "it is a folder")]
)
def test_the_systems_reason_is_given_in_the_language_of_the_run(
    tmp_path: Path, lang: str, reason: str
) -> None:
    """The operating system says "Is a directory" whatever language kttn speaks: kttn
    words the reasons it knows itself (errors.OS_REASONS)."""
    folder = tmp_path / "out.json"
    folder.mkdir()
    result = kttn("export", "--format", "json", "--output", str(folder), "--lang", lang)
    assert result.code == 73, result
    assert result.err.strip().endswith(f"{folder}: {reason}"), result.err
    assert "Is a directory" not in result.err


def test_every_reason_kttn_words_is_translated() -> None:
    from kttn_cli import i18n
    from kttn_cli.errors import OS_REASONS

    i18n.use("vi")
    try:
        untranslated = [m for m in OS_REASONS.values() if i18n._(m) == m]
    finally:
        i18n.use(i18n.DEFAULT_LANG)
    assert not untranslated


def test_a_misspelt_key_in_the_plan_is_named_with_the_key_meant(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    text = SMALL_PLAN.read_text(encoding="utf-8")
    plan.write_text(text.replace('short = "BC 6 tháng"', 'shrot = "BC 6 tháng"'), "utf-8")
    result = kttn("check", "--plan", str(plan), "--lang", "en")
    assert result.code == 65, result
    assert "tasks[0].milestones[0].shrot: unknown key (not part of the file format); " in (
        result.out + result.err
    )
    assert "did you mean 'short'?" in result.out + result.err


@pytest.mark.parametrize("typed", ["9999-12-31", "31/12/1899", "0001-01-01"])
def test_a_year_far_from_any_plan_is_refused(typed: str) -> None:
    result = kttn(
        "task", "add", "--title", "T", "--by", "1-CV/TU", "-u", "van-lam", "--due", typed,
        "--plan", str(SMALL_PLAN), "--lang", "en",
    )  # fmt: skip
    assert result.code == 2, result
    assert "the year must be between 1900 and 2999" in result.err, result.err


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("date = 2024-06-30", "date = 9999-12-30"), "tasks[0].milestones[0].due.date"),
        (("date = 2024-06-30", "date = 0001-01-01"), "tasks[0].milestones[0].due.date"),
        (("shift_to_working_day = false", "days_off = [9999-12-31]"), "deadline_rules.days_off"),
    ],
)  # fmt: skip
def test_a_plan_date_at_the_calendars_ends_is_a_located_problem(
    tmp_path: Path, edit: tuple[str, str], where: str
) -> None:
    """Year 1 or 9999 in a plan (where the day before, or a week later, does not exist)
    is named by `check` and stops every command with 65, never a crash."""
    plan = tmp_path / "plan.toml"
    text = SMALL_PLAN.read_text(encoding="utf-8")
    assert edit[0] in text
    plan.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    result = kttn("check", "--plan", str(plan), "--lang", "en")
    assert result.code == 65, result
    assert f"{where}: the date " in result.out + result.err
    assert "is outside the years 1900–2999" in result.out + result.err
    for view in ("status", "overdue", "board"):
        assert kttn(view, "--plan", str(plan), "--as-of", "2024-07-01").code == 65
