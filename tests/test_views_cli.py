"""The clerk's views end to end: issue 3's "Done when", and its output rules.

In-process runs go through Typer's CliRunner; the rules that depend on the process
(terminal or not, stdout's encoding, a cron-like environment, exit codes) run `kttn` as a
real subprocess. Every run passes `--as-of`: nothing here depends on today's date.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUNDLED_PLAN, invoke, run_kttn
from kttn_cli.core.model import Plan
from kttn_cli.core.rows import ROW_KEYS
from kttn_cli.storage.plan_file import load_plan
from test_views_support import plan_variant, table_rows, write_ledger

DONE_WHEN = "2024-07-01"
DISTRICT_REPORT = "III.2-bc-6-thang"
SYNTHESIS = "III.3-bc-6-thang"
# DESIGN §4: the keys every row of `overdue`/`export` JSON carries at least.
CONTRACT_KEYS = {
    "task_id", "task_title", "milestone_id", "milestone_title", "unit_id", "unit_name",
    "kind", "due", "due_text", "status", "submitted_on", "reference", "days_overdue",
    "days_late",
}  # fmt: skip


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(BUNDLED_PLAN, "vi")


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return write_ledger(tmp_path)


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def labels_of(plan: Plan, milestone_id: str) -> list[str]:
    milestone = next(m for m in plan.milestones if m.id == milestone_id)
    return [plan.unit(u).label for u in plan.expand(milestone.assignees)]


def row_for(rows: list[list[str]], milestone_id: str) -> list[str]:
    return next(r for r in rows if r[0].split()[:1] == [milestone_id])


# --- Done when (issue 3) --------------------------------------------------------------


def test_done_when_status(plan: Plan) -> None:
    """Empty ledger, 01/07/2024: the districts' 6-month reports are overdue by one day; the
    standing office's synthesis (due 05/07) is due soon and waits for all of them."""
    rows = table_rows(ok("status", "--as-of", DONE_WHEN), separated=True)
    milestone, due, status = row_for(rows, DISTRICT_REPORT)
    units = labels_of(plan, DISTRICT_REPORT)
    assert due == "30/06/2024"
    assert status.startswith(f"0/{len(units)} ")
    assert f"Quá hạn: {len(units)} (1 ngày)" in status
    assert f"Còn thiếu ({len(units)}): {', '.join(units)}" in milestone

    milestone, due, status = row_for(rows, SYNTHESIS)
    assert due == "05/07/2024"
    assert status == "Sắp đến hạn (còn 4 ngày)"
    assert "Đang chờ: III.1-bc-6-thang (0/1), III.2-bc-6-thang (0/12)" in milestone


def test_done_when_board(plan: Plan) -> None:
    out = ok("board", "--as-of", DONE_WHEN)
    rows = {r[0]: r for r in table_rows(out, separated=False)}
    for label in labels_of(plan, DISTRICT_REPORT):
        assert rows[label][1] == "✗ +1 ngày", out
    assert "III.2-bc-6-thang  Báo cáo sơ kết 06 tháng" in out


def test_done_when_overdue_table_and_plain(plan: Plan) -> None:
    units = labels_of(plan, DISTRICT_REPORT)
    rows = table_rows(ok("overdue", "--as-of", DONE_WHEN), separated=False)
    reports = [r for r in rows if r[3].startswith(DISTRICT_REPORT)]
    assert [r[2] for r in reports] == units
    assert {(r[0], r[1]) for r in reports} == {("30/06/2024", "1 ngày")}
    plain = ok("overdue", "--as-of", DONE_WHEN, "--format", "plain").splitlines()
    lines = [x for x in plain if f"| {DISTRICT_REPORT} " in x]
    assert len(lines) == len(units)
    assert all(x.startswith("30/06/2024 | quá hạn 1 ngày | ") for x in lines)


def test_done_when_overdue_json(plan: Plan) -> None:
    doc = json.loads(ok("overdue", "--as-of", DONE_WHEN, "--format", "json"))
    assert doc["as_of"] == DONE_WHEN
    assert doc["plan"] == {
        "id": plan.info.id, "number": plan.info.number, "title": plan.info.title,
    }  # fmt: skip
    assert all(set(row) >= CONTRACT_KEYS for row in doc["obligations"])
    assert all(list(row) == list(ROW_KEYS) for row in doc["obligations"])
    reports = [r for r in doc["obligations"] if r["milestone_id"] == DISTRICT_REPORT]
    assert [r["unit_id"] for r in reports] == list(
        plan.expand(next(m for m in plan.milestones if m.id == DISTRICT_REPORT).assignees)
    )
    assert {(r["status"], r["days_overdue"], r["due"]) for r in reports} == {
        ("overdue", 1, "2024-06-30")
    }
    days = [r["days_overdue"] for r in doc["obligations"]]
    assert days == sorted(days, reverse=True)  # most days overdue first


def test_quiet_exit_code_before_anything_is_due() -> None:
    """Cron's MAILTO sends no empty mail: nothing printed, exit 0."""
    result = invoke("overdue", "--as-of", "2024-01-15", "--quiet", "--exit-code")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    for fmt in ("plain", "csv", "json"):
        result = invoke("overdue", "--as-of", "2024-01-15", "-q", "--exit-code", "-f", fmt)
        assert (result.exit_code, result.stdout) == (0, "")
    loud = invoke("overdue", "--as-of", "2024-01-15", "--exit-code")
    assert loud.exit_code == 0 and "Quá hạn: 0" in loud.stdout


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json"])
def test_exit_code_one_when_something_is_overdue(fmt: str) -> None:
    result = invoke("overdue", "--as-of", DONE_WHEN, "--quiet", "--exit-code", "-f", fmt)
    assert result.exit_code == 1, result.output
    assert DISTRICT_REPORT in result.stdout
    assert invoke("overdue", "--as-of", DONE_WHEN, "-f", fmt).exit_code == 0


def test_exit_codes_from_a_real_process() -> None:
    found = run_kttn("overdue", "--as-of", DONE_WHEN, "--exit-code", "-q", "-f", "plain")
    assert found.returncode == 1, found.stderr
    assert found.stdout.count(DISTRICT_REPORT) == 12 and found.stderr == ""
    none = run_kttn("overdue", "--as-of", "2024-01-15", "--exit-code", "-q")
    assert (none.returncode, none.stdout, none.stderr) == (0, "", "")


# --- colour ---------------------------------------------------------------------------

COLOURS = {  # DESIGN: on time green, late orange, overdue red, due soon yellow, …
    "Hoàn thành đúng hạn": "32",
    "Hoàn thành quá hạn": "38;5;208",
    "Quá hạn": "1;31",
    "Sắp đến hạn": "33",
    "Trong hạn": "34",
    "Không thời hạn": "90",
}


def colour_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def styles_before(output: str, text: str) -> set[str]:
    return set(re.findall(r"\x1b\[([0-9;]+)m" + re.escape(text), output))


def test_forced_colour_gives_each_status_its_colour(ledger: Path) -> None:
    out = run_kttn(
        "status", "--as-of", DONE_WHEN, "--ledger", str(ledger), env=colour_env(FORCE_COLOR="1")
    ).stdout
    for label, sgr in COLOURS.items():
        assert sgr in styles_before(out, label), (label, styles_before(out, label))
    board = run_kttn(
        "board", "--as-of", DONE_WHEN, "--ledger", str(ledger), env=colour_env(FORCE_COLOR="1")
    ).stdout
    assert "1;31" in styles_before(board, "✗")
    assert "32" in styles_before(board, "✓")


@pytest.mark.parametrize(
    "env",
    [
        {"NO_COLOR": "1"},
        {"TERM": "dumb"},
        {},  # a pipe, not a terminal
        {"FORCE_COLOR": "0"},
        {"NO_COLOR": "1", "FORCE_COLOR": "1"},
    ],
    ids=["NO_COLOR", "TERM=dumb", "pipe", "FORCE_COLOR=0", "NO_COLOR-wins"],
)
def test_no_escape_codes_without_colour(env: dict[str, str], ledger: Path) -> None:
    for view in ("status", "board", "overdue", "upcoming"):
        result = run_kttn(
            view, "--as-of", DONE_WHEN, "--ledger", str(ledger), env=colour_env(**env)
        )
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout, view


def on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run kttn with stdout on a pseudo-terminal; its output, read as it comes."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kttn_cli", *args], stdout=follower, stderr=subprocess.DEVNULL,
        env=env,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8")


def test_colour_on_a_terminal_and_not_under_no_color_or_dumb() -> None:
    args = ("overdue", "--as-of", DONE_WHEN)
    assert "\x1b[1;31m" in on_a_terminal(*args, env=colour_env())
    assert "\x1b" not in on_a_terminal(*args, env=colour_env(NO_COLOR="1"))
    assert "\x1b" not in on_a_terminal(*args, env=colour_env(TERM="dumb"))


# --- text from files is not markup ----------------------------------------------------


@pytest.fixture
def markup_plan(tmp_path: Path) -> Path:
    return plan_variant(
        tmp_path,
        "markup.toml",
        (
            'title = "Kế hoạch thực hiện công tác',
            'title = "Kế hoạch [bold]thử[/bold] và [/] [link=https://x.invalid]lỗi[/link] '
            "thực hiện công tác",
        ),
        (
            'title = "Báo cáo sơ kết 06 tháng của ban chỉ đạo cấp huyện',
            'title = "Báo cáo [red]sơ kết[/] 06 tháng [/] của ban chỉ đạo cấp huyện',
        ),
        ('short = "Văn Lâm"', 'short = "Văn [i]Lâm[/i]"'),
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def test_text_from_the_plan_prints_literally(markup_plan: Path) -> None:
    """Titles and names with Rich markup in them print as written, in every view."""
    plan_title = "[bold]thử[/bold] và [/] [link=https://x.invalid]lỗi[/link]"
    milestone_title = "Báo cáo [red]sơ kết[/] 06 tháng [/] của ban chỉ đạo cấp huyện"
    unit = "Văn [i]Lâm[/i]"
    args = ("--as-of", DONE_WHEN, "--plan", str(markup_plan))

    status = ok("status", *args)
    row = row_for(table_rows(status, separated=True), DISTRICT_REPORT)
    assert milestone_title in row[0] and unit in row[0]
    board = ok("board", *args)
    assert unit in [r[0] for r in table_rows(board, separated=False)]
    assert milestone_title in flat(board)
    overdue = ok("overdue", *args)
    rows = table_rows(overdue, separated=False)
    assert unit in [r[2] for r in rows]
    assert any(milestone_title in r[3] for r in rows)
    plain = ok("overdue", "-f", "plain", *args)
    assert milestone_title in plain
    upcoming = ok("upcoming", "--days", "400", *args)
    for out in (status, board, overdue, upcoming):
        assert plan_title in flat(out), out


# --- 80 columns: nothing cut off ------------------------------------------------------


def assert_fits(out: str, width: int = 80) -> None:
    assert "…" not in out
    too_long = [line for line in out.splitlines() if len(line) > width]
    assert not too_long, too_long


def shown_ids(plan: Plan, out: str) -> set[str]:
    ids = {m.id for m in plan.milestones} | {"II.7-chuyen-de"}
    return {i for i in ids if re.search(rf"(?<![\w.-]){re.escape(i)}(?![\w-])", out)}


def test_status_at_80_columns_keeps_ids_and_unit_names_whole(plan: Plan, ledger: Path) -> None:
    out = ok("status", "--as-of", DONE_WHEN, "--ledger", str(ledger))
    assert_fits(out)
    assert shown_ids(plan, out) == {m.id for m in plan.milestones} | {"II.7-chuyen-de"}
    rows = table_rows(out, separated=True)
    for milestone in plan.milestones:
        cell = row_for(rows, milestone.id)[0]
        assert flat(cell).startswith(flat(f"{milestone.id} {milestone.title}"))
    missing = row_for(rows, "III.2-bc-nam")[0]
    for label in labels_of(plan, "III.2-bc-nam"):
        assert label in missing


def test_board_at_80_columns_keeps_ids_and_unit_names_whole(plan: Plan, ledger: Path) -> None:
    out = ok("board", "--as-of", DONE_WHEN, "--ledger", str(ledger))
    assert_fits(out)
    for milestone_id in ("III.1-bc-6-thang", "III.1-bc-nam", "III.2-bc-6-thang", "III.2-bc-nam"):
        assert re.search(rf"^{re.escape(milestone_id)}  ", out, re.MULTILINE), milestone_id
    first_cells = [r[0] for r in table_rows(out, separated=False)]
    expected = labels_of(plan, "III.1-bc-nam") + labels_of(plan, "III.2-bc-nam")
    assert first_cells == expected
    for line in out.splitlines():
        if line.startswith("┃"):
            assert all(" " not in c.strip() for c in line.strip("┃").split("┃")[1:])


@pytest.mark.parametrize("view", [("overdue",), ("upcoming", "--days", "400")], ids=str)
def test_row_tables_at_80_columns_keep_ids_and_unit_names_whole(
    view: tuple[str, ...], plan: Plan, ledger: Path
) -> None:
    out = ok(*view, "--as-of", DONE_WHEN, "--ledger", str(ledger))
    assert_fits(out)
    rows = table_rows(out, separated=False)
    assert rows
    labels = {u.label for u in plan.units}
    ids = {m.id for m in plan.milestones} | {"II.7-chuyen-de"}
    for due, _days, unit, milestone in rows:
        assert re.fullmatch(r"\d\d/\d\d/\d{4}", due)
        assert unit in labels
        assert milestone.split()[0] in ids


def test_plain_names_units_in_full(plan: Plan) -> None:
    out = ok("overdue", "--as-of", DONE_WHEN, "-f", "plain")
    for unit_id in plan.expand(("cap-huyen", "duoc-phan-cong")):
        assert f" | {plan.unit(unit_id).name} | " in out


# --- stable order, ASCII, cron --------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("status",), ("board", "--all"), ("overdue", "-f", "json"), ("upcoming", "-d", "200")],
    ids=lambda a: a[0],
)
def test_same_inputs_same_bytes(args: tuple[str, ...], ledger: Path) -> None:
    """Two processes, different hash seeds: byte-identical output."""
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = run_kttn(*args, "--as-of", DONE_WHEN, "--ledger", str(ledger), env=env)
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("board",),
        ("overdue",),
        ("overdue", "-f", "plain"),
        ("upcoming", "-d", "30"),
        ("upcoming", "-d", "30", "-f", "plain"),
    ],
    ids=lambda a: "-".join(a),
)
def test_ascii_stdout_gives_readable_unaccented_text(args: tuple[str, ...], ledger: Path) -> None:
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    result = subprocess.run(
        [sys.executable, "-m", "kttn_cli", *args, "--as-of", DONE_WHEN, "--ledger", str(ledger)],
        capture_output=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("ascii")  # raises if anything is not ASCII
    assert "?" not in out
    assert "Ke hoach so 01-KH/BCD - " in out
    assert "Tinh den ngay 01/07/2024" in out
    if args[0] == "status":
        assert "Qua han: 9 - Sap den han: 2" in out
        assert "Hoan thanh dung han" in out
    if args[0] == "board":
        assert "X +1 ngay" in out and "OK 28/06/2024" in out


def kttn_script() -> str:
    script = shutil.which("kttn", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the kttn entry point is not installed next to this Python")
    return script


def test_cron_like_environment(tmp_path: Path) -> None:
    """`env -i` with only PATH and HOME, as cron runs `kttn overdue` for MAILTO."""
    script = kttn_script()
    home = tmp_path / "cronhome"
    home.mkdir()
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    command = ["env", "-i", f"PATH={path}", f"HOME={home}", script]
    result = subprocess.run(
        [*command, "overdue", "--format", "plain", "--as-of", DONE_WHEN],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = result.stdout.decode("utf-8")
    assert out.startswith("Kế hoạch số 01-KH/BCĐ — Tính đến ngày 01/07/2024 — Quá hạn: ")
    assert out.count("| quá hạn 1 ngày | ") == 12
    found = subprocess.run(
        [*command, "overdue", "-q", "--exit-code", "--as-of", DONE_WHEN],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert found.returncode == 1 and b"\x1b" not in found.stdout
    nothing = subprocess.run(
        [*command, "overdue", "-q", "--exit-code", "--as-of", "2024-01-15"],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, b"", b"")


# --- language and filters -------------------------------------------------------------


@pytest.mark.parametrize("view", ["status", "board", "overdue", "upcoming"])
def test_english_by_option_or_environment(view: str, monkeypatch: pytest.MonkeyPatch) -> None:
    by_option = ok(view, "--as-of", DONE_WHEN, "--lang", "en")
    monkeypatch.setenv("KTTN_LANG", "en")
    by_env = ok(view, "--as-of", DONE_WHEN)
    assert by_option == by_env
    assert "As of 01/07/2024" in by_env and "Tính đến" not in by_env
    assert "Tính đến ngày 01/07/2024" in ok(view, "--as-of", DONE_WHEN, "--lang", "vi")


def test_unsupported_language_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("status", "--as-of", DONE_WHEN, "--lang", "fr").exit_code == 2
    monkeypatch.setenv("KTTN_LANG", "fr")
    assert invoke("overdue", "--as-of", DONE_WHEN).exit_code == 2


def test_today_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KTTN_TODAY", "01/07/2024")
    assert ok("overdue", "-f", "json") == ok("overdue", "-f", "json", "--as-of", DONE_WHEN)


@pytest.mark.parametrize("bad", ["late-ish", "overdue,soon", ""])
def test_a_bad_status_filter_is_a_usage_error(bad: str) -> None:
    result = invoke("status", "--as-of", DONE_WHEN, "--status", bad)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "on_time" in result.stderr and "due_soon" in result.stderr


def test_status_filter_accepts_codes_dashes_and_repeats(ledger: Path) -> None:
    a = ok("status", "--as-of", DONE_WHEN, "--ledger", str(ledger), "-s", "due-soon,overdue")
    b = ok("status", "--as-of", DONE_WHEN, "--ledger", str(ledger), "-s", "OVERDUE",
           "-s", "due_soon")  # fmt: skip
    assert a == b
    rows = table_rows(a, separated=True)
    statuses = " ".join(r[2] for r in rows)
    assert "Quá hạn" in statuses and "Sắp đến hạn" in statuses and "Trong hạn" not in statuses


def test_unit_and_task_filters(ledger: Path) -> None:
    out = ok("overdue", "--as-of", DONE_WHEN, "--ledger", str(ledger), "-u", "van giang",
             "-f", "json")  # fmt: skip
    assert {r["unit_id"] for r in json.loads(out)["obligations"]} == {"van-giang"}
    out = ok("upcoming", "--as-of", "2024-06-25", "-t", "III.2", "-f", "json")
    assert {r["task_id"] for r in json.loads(out)["obligations"]} == {"III.2"}
    assert invoke("status", "--as-of", DONE_WHEN, "-u", "nowhere").exit_code == 2


def test_upcoming_default_window_is_each_milestones_own(tmp_path: Path) -> None:
    """A milestone's `warn_days` widens (or narrows) its own due-soon window."""
    plan = plan_variant(
        tmp_path,
        "warn.toml",
        (
            'due_text = "xong trước 05/7/2024"\n',
            'due_text = "xong trước 05/7/2024"\nwarn_days = 20\n',
        ),
    )
    own = json.loads(ok("upcoming", "--as-of", "2024-06-21", "--plan", str(plan), "-f", "json"))
    assert {r["milestone_id"] for r in own["obligations"]} == {
        SYNTHESIS
    }  # 14 days left: due soon only by its own 20-day window
    plain = ok("upcoming", "--as-of", "2024-06-21", "-f", "json")
    assert json.loads(plain)["obligations"] == []


def test_shifted_deadline_shows_both_dates(tmp_path: Path) -> None:
    plan = plan_variant(
        tmp_path,
        "shift.toml",
        ("shift_to_working_day = false", "shift_to_working_day = true"),
        ("working_days = []", "working_days = [2024-05-04]"),
    )
    out = ok("status", "--as-of", DONE_WHEN, "--plan", str(plan), "-t", "III.2")
    _, due, status = row_for(table_rows(out, separated=True), DISTRICT_REPORT)
    assert due == "01/07/2024 dời từ 30/06/2024"
    assert "Sắp đến hạn: 12 (hôm nay)" in status
    doc = json.loads(ok("overdue", "--as-of", "2024-07-02", "--plan", str(plan), "-f", "json"))
    reports = [r for r in doc["obligations"] if r["milestone_id"] == DISTRICT_REPORT]
    assert {(r["due"], r["planned_due"], r["days_overdue"]) for r in reports} == {
        ("2024-07-01", "2024-06-30", 1)
    }


def test_plan_days_off_and_make_up_working_days(tmp_path: Path) -> None:
    """The plan's own calendar: an extra day off pushes a deadline on; a make-up working
    Saturday keeps a deadline that falls on it."""
    plan = plan_variant(
        tmp_path,
        "calendar.toml",
        ("shift_to_working_day = false", "shift_to_working_day = true"),
        ("days_off = []", "days_off = [2024-07-01]"),
        ("working_days = []", "working_days = [2025-02-15]"),
    )

    def due(milestone_id: str, as_of: str) -> set[tuple[str, str]]:
        doc = json.loads(ok("overdue", "--as-of", as_of, "--plan", str(plan), "-f", "json"))
        rows = doc["obligations"]
        return {(r["due"], r["planned_due"]) for r in rows if r["milestone_id"] == milestone_id}

    # Sunday 30/06, then the plan's day off on Monday 01/07: due Tuesday 02/07.
    assert due(DISTRICT_REPORT, "2024-07-02") == set()
    assert due(DISTRICT_REPORT, "2024-07-03") == {("2024-07-02", "2024-06-30")}
    # Saturday 15/02/2025 is a working day in this plan: overdue from Sunday 16/02.
    assert due("II.4-tong-ket", "2025-02-16") == {("2025-02-15", "2025-02-15")}
