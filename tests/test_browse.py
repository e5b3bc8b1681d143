"""Browsing the plan: tasks, units, show, paths, init, --version, help, the error boundary."""

from __future__ import annotations

import importlib.metadata
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import typer.main

import kttn_cli
from conftest import invoke, run_kttn
from kttn_cli.cli.app import app
from kttn_cli.storage.plan_file import BUNDLED_PLAN, BUNDLED_SCHEMA

SMALL_PLAN = Path(__file__).parent / "data" / "small_plan.toml"
GROUP_CAP_HUYEN = (
    "Huyện ủy, thị ủy, thành ủy và Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh (ban chỉ đạo cấp huyện)"
)
GROUP_DUOC_PHAN_CONG = "Các tổ chức, cơ quan, đơn vị được phân công nhiệm vụ"


def table_rows(output: str) -> list[list[str]]:
    """The body rows of the Rich tables in `output`, each cell's wrapped lines joined by a
    space. A row starts after a rule line or where the first (id) column has text."""
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    for line in output.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line[1:-1].split("│")]
            if current is None or cells[0]:
                current = [[] for _ in cells]
                rows.append([])  # filled below, once the row is complete
            for parts, cell in zip(current, cells, strict=True):
                if cell:
                    parts.append(cell)
            rows[-1] = [" ".join(parts) for parts in current]
        else:
            current = None
    return rows


@pytest.fixture(scope="module")
def plan_data() -> dict[str, Any]:
    with BUNDLED_PLAN.open("rb") as handle:
        return tomllib.load(handle)


def expected_task_rows(plan: dict[str, Any]) -> list[list[str]]:
    """What `kttn tasks` must show, from the TOML itself (not from kttn's model)."""
    units = {u["id"]: u.get("short") or u["name"] for u in plan["units"]}
    groups = {g["id"]: g["name"] for g in plan["groups"]}
    roman = ("I", "II", "III", "IV")
    undated = {"ongoing": "Thường xuyên", "on_request": "Theo yêu cầu", "none": "Không thời hạn"}
    rows = []
    for task in plan["tasks"]:
        rows.append([task["id"], task["title"], "", ""])
        for m in task["milestones"]:
            due = m["due"]
            if due["kind"] == "date":
                shown = due["date"].strftime("%d/%m/%Y")
            elif due["kind"] == "quarter":
                shown = f"Quý {roman[due['quarter'] - 1]}/{due['year']}"
            else:
                shown = undated[due["kind"]]
            owners = "; ".join(groups.get(a) or units[a] for a in m["assignees"])
            rows.append([m["id"], m["title"], f"{shown} {m['due_text']}", owners])
    return rows


# --- kttn tasks ------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["200", "80"])
def test_tasks_lists_every_task_and_milestone_uncut(
    plan_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    result = invoke("tasks")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= int(columns)
    assert "…" not in result.stdout
    # Every cell, its wrapped lines joined, is exactly the full text: nothing is cut.
    assert table_rows(result.stdout) == expected_task_rows(plan_data)


def test_tasks_shows_section_three_reports_with_wording_and_owners(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    rows = {row[0]: row for row in table_rows(invoke("tasks").stdout)}
    assert len(rows) == 33  # 10 tasks, 23 milestones
    assert rows["III.2-bc-6-thang"] == [
        "III.2-bc-6-thang",
        "Báo cáo sơ kết 06 tháng của ban chỉ đạo cấp huyện và đơn vị được phân công",
        "30/06/2024 báo cáo sơ kết 06 tháng xong trước 30/6/2024",
        f"{GROUP_CAP_HUYEN}; {GROUP_DUOC_PHAN_CONG}",
    ]
    assert rows["III.1-bc-nam"][2:] == [
        "31/12/2024 báo cáo tổng kết năm xong trước ngày 31/12/2024",
        "Các đồng chí thành viên Ban Chỉ đạo tỉnh",
    ]
    assert rows["II.1-hop-bcd"][2:] == ["Quý I/2024 Thực hiện trong Quý I/2024", "BTCTU"]
    assert rows["II.6-theo-doi"][2] == "Thường xuyên Thực hiện thường xuyên"
    assert rows["III.3-bc-nam"][2] == "05/01/2025 xong trước 05/01/2025"


def test_tasks_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = invoke("tasks", "--lang", "en")
    assert result.exit_code == 0, result.output
    rows = {row[0]: row for row in table_rows(result.stdout)}
    assert rows["II.1-hop-bcd"][2] == "Quarter I/2024 Thực hiện trong Quý I/2024"
    assert rows["II.7-dot-xuat"][2] == "On request Thực hiện theo yêu cầu"
    assert "Plan No. 01-KH/BCĐ" in result.stdout


def test_tasks_of_another_plan() -> None:
    result = invoke("tasks", "--plan", str(SMALL_PLAN))
    assert result.exit_code == 0, result.output
    assert [row[0] for row in table_rows(result.stdout)] == ["T.1", "bc-6-thang", "tong-hop"]


# --- kttn units ------------------------------------------------------------------------------


def test_units_lists_units_and_groups(plan_data: dict[str, Any]) -> None:
    result = invoke("units")
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    rows = table_rows(result.stdout)
    expected_units = [[u["id"], u["name"], u.get("short", ""), ""] for u in plan_data["units"]]
    expected_groups = [[g["id"], g["name"], ", ".join(g["members"])] for g in plan_data["groups"]]
    assert rows == expected_units + expected_groups
    assert len(expected_units) == 16
    assert ["van-lam", "Huyện ủy Văn Lâm", "Văn Lâm", ""] in rows


# --- kttn show -------------------------------------------------------------------------------


def shown(*args: str) -> tuple[int, list[str], str]:
    result = invoke("show", *args, "--as-of", "2024-07-01")
    return result.exit_code, result.stdout.splitlines(), result.stderr


VAN_LAM = "Mã: van-lam"


@pytest.mark.parametrize(
    "query",
    [
        "van-lam",
        "VAN-LAM",
        "van lam",
        "VĂN LÂM",
        "Văn Lâm",
        unicodedata.normalize("NFD", "Văn Lâm"),
        "huyen uy van lam",
    ],
)
def test_show_unit_by_id_or_name_without_diacritics(query: str) -> None:
    code, lines, stderr = shown(query)
    assert code == 0, stderr
    assert lines[:4] == [
        "Tính đến ngày 01/07/2024",
        VAN_LAM,
        "Tên: Huyện ủy Văn Lâm",
        "Tên ngắn: Văn Lâm",
    ]


def test_show_unit_lists_what_it_owes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, lines, _ = shown("van lam")
    assert code == 0
    assert lines[5:] == [
        "Mốc: III.2-ke-hoach — Kế hoạch cụ thể của đơn vị để tổ chức triển khai thực hiện "
        "(Không thời hạn) — Không thời hạn",
        "Mốc: III.2-bc-6-thang — Báo cáo sơ kết 06 tháng của ban chỉ đạo cấp huyện và đơn vị "
        "được phân công (30/06/2024) — Quá hạn (quá hạn 1 ngày)",
        "Mốc: III.2-bc-nam — Báo cáo tổng kết năm của ban chỉ đạo cấp huyện và đơn vị được "
        "phân công (31/12/2024) — Trong hạn",
        "Mốc: III.2-phan-anh — Phản ánh khó khăn, vướng mắc về Cơ quan Thường trực Ban Chỉ đạo "
        "(Theo yêu cầu) — Không thời hạn",
        "Mốc: III.2-kien-toan — Kiện toàn ban chỉ đạo cấp huyện theo cơ cấu tại Nghị quyết số "
        "15-NQ/TU (Theo yêu cầu) — Không thời hạn",
    ]


def test_show_task_by_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    code, lines, stderr = shown("ii.4", "--lang", "en")
    assert code == 0, stderr
    assert lines[0] == "ID: II.4"
    assert lines[2] == "Where in the text: Mục II, điểm 4"
    assert "(Thực hiện sơ kết trước 15/7/2024, tổng kết trước 15/02/2025)." in lines[3]
    assert [line.split(" — ")[0] for line in lines[4:]] == [
        "Milestone: II.4-giao-ban-q1",
        "Milestone: II.4-giao-ban-q3",
        "Milestone: II.4-so-ket",
        "Milestone: II.4-tong-ket",
    ]


def test_show_milestone_by_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    code, lines, stderr = shown("III.3-bc-6-thang", "--lang", "en")
    assert code == 0, stderr
    assert lines == [
        "As of 01/07/2024",
        "ID: III.3-bc-6-thang",
        "Task: III.3 — Ban Tổ chức Tỉnh ủy - Cơ quan thường trực Ban Chỉ đạo",
        "Title: Báo cáo sơ kết 06 tháng của Ban Chỉ đạo (tổng hợp)",
        "Due: 05/07/2024 — xong trước 05/7/2024",
        "Kind: Date",
        "Recipient: Ban Thường vụ Tỉnh ủy",
        "Where in the text: Mục III, điểm 3, gạch đầu dòng 2",
        "Unit: Ban Tổ chức Tỉnh ủy — Cơ quan thường trực Ban Chỉ đạo — Due soon",
        "Waiting for: III.1-bc-6-thang, III.2-bc-6-thang",
    ]


def test_show_ambiguous_name_lists_the_candidates() -> None:
    code, lines, stderr = shown("bao cao so ket", "--lang", "en")
    assert code == 2
    assert lines == []
    assert stderr == (
        "kttn: 'bao cao so ket' matches several task, milestone or unit: "
        "III.1-bc-6-thang (Báo cáo sơ kết 06 tháng của thành viên Ban Chỉ đạo tỉnh), "
        "III.2-bc-6-thang (Báo cáo sơ kết 06 tháng của ban chỉ đạo cấp huyện và đơn vị được "
        "phân công), "
        "III.3-bc-6-thang (Báo cáo sơ kết 06 tháng của Ban Chỉ đạo (tổng hợp)); use the id\n"
    )


def test_show_ambiguous_in_vietnamese() -> None:
    code, _, stderr = shown("van")
    assert code == 2
    assert stderr.startswith("kttn: 'van' khớp với nhiều nhiệm vụ, mốc hay đơn vị: ")
    assert "van-lam (Huyện ủy Văn Lâm)" in stderr and "van-giang (Huyện ủy Văn Giang)" in stderr
    assert stderr.endswith("; hãy dùng mã\n") and stderr.count("\n") == 1


def test_show_no_match_names_the_closest() -> None:
    code, lines, stderr = shown("van lan", "--lang", "en")
    assert code == 2
    assert lines == []
    assert stderr == (
        "kttn: no task, milestone or unit matches 'van lan'; "
        "closest: van-lam (Huyện ủy Văn Lâm), van-giang (Huyện ủy Văn Giang)\n"
    )


# --- kttn paths ------------------------------------------------------------------------------


def test_paths_defaults(isolated_env: Path) -> None:
    data = isolated_env / "data"
    result = invoke("paths", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Plan: {BUNDLED_PLAN}  (bundled plan)\n"
        f"Ledger: {data / 'kh-01-bcd-2024.ledger.toml'}  (not created yet)\n"
        f"Data directory: {data}\n"
    )


def test_paths_honours_options(isolated_env: Path) -> None:
    ledger = isolated_env / "mine.ledger.toml"
    ledger.write_text('schema_version = 1\nplan = "small"\n', encoding="utf-8")
    result = invoke("paths", "--plan", str(SMALL_PLAN), "--ledger", str(ledger))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Kế hoạch: {SMALL_PLAN}\nSổ theo dõi: {ledger}\nThư mục dữ liệu: {isolated_env / 'data'}\n"
    )


def test_paths_honours_environment_and_options_win(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = isolated_env / "elsewhere"
    monkeypatch.setenv("KTTN_DATA_DIR", str(elsewhere))
    monkeypatch.setenv("KTTN_PLAN", str(SMALL_PLAN))
    result = invoke("paths", "--lang", "en")
    assert result.stdout == (
        f"Plan: {SMALL_PLAN}\n"
        f"Ledger: {elsewhere / 'small.ledger.toml'}  (not created yet)\n"
        f"Data directory: {elsewhere}\n"
    )
    monkeypatch.setenv("KTTN_LEDGER", str(isolated_env / "env.toml"))
    other = isolated_env / "option.toml"
    result = invoke("paths", "--lang", "en", "--plan", str(BUNDLED_PLAN), "--ledger", str(other))
    assert result.stdout.splitlines()[:2] == [
        f"Plan: {BUNDLED_PLAN}  (bundled plan)",
        f"Ledger: {other}  (not created yet)",
    ]


def test_paths_default_data_directory_is_the_platform_one(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from platformdirs import user_data_path

    monkeypatch.delenv("KTTN_DATA_DIR")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    result = invoke("paths", "--lang", "en")
    expected = user_data_path("kttn", appauthor=False)
    assert result.stdout.splitlines()[2] == f"Data directory: {expected}"
    assert str(expected).startswith(str(isolated_env / "home"))


# --- version, python -m ----------------------------------------------------------------------


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"kttn {kttn_cli.__version__}\n"
    assert kttn_cli.__version__ == importlib.metadata.version("kttn")


def test_python_dash_m() -> None:
    done = run_kttn("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"kttn {kttn_cli.__version__}\n"


# --- kttn init -------------------------------------------------------------------------------


def test_init_writes_a_plan_that_check_accepts(tmp_path: Path) -> None:
    target = tmp_path / "plan_2025.toml"
    result = invoke("init", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Đã tạo {target} từ kế hoạch kèm theo.\n"
        "Hãy đổi `id` trong bảng [plan] (kh-01-bcd-2024): mỗi id có sổ theo dõi riêng.\n"
    )
    first, rest = target.read_text(encoding="utf-8").split("\n", 1)
    assert first == f"#:schema {BUNDLED_SCHEMA.as_uri()}"
    assert rest == BUNDLED_PLAN.read_text(encoding="utf-8").split("\n", 1)[1]
    checked = invoke("check", "--plan", str(target), "--lang", "en")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"{target}: valid — 10 tasks, 23 milestones")


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("# mine\n", encoding="utf-8")
    result = invoke("init", str(target), "--lang", "en")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"kttn: {target} already exists; not overwriting. Choose another path\n"
    )
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_init_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    target = tmp_path / "link.toml"
    target.symlink_to(tmp_path / "nowhere.toml")
    result = invoke("init", str(target))
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "nowhere.toml").exists()


def test_init_into_a_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "plan.toml"
    result = invoke("init", str(target), "--lang", "en")
    assert result.exit_code == 73, result.output
    assert result.stderr == f"kttn: cannot write {target}: No such file or directory\n"


# --- the error boundary ------------------------------------------------------------------------


def _explode(*_: object) -> None:
    raise RuntimeError("boom")


def test_unexpected_error_is_exit_70_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kttn_cli.render.plan_views.render_units", _explode)
    result = invoke("units")
    assert result.exit_code == 70
    assert result.stdout == ""
    assert result.stderr == (
        "kttn: lỗi không mong đợi: RuntimeError: boom (chạy lại với --debug để xem chi tiết)\n"
    )
    result = invoke("units", "--lang", "en")
    assert result.stderr == (
        "kttn: unexpected error: RuntimeError: boom (run again with --debug for details)\n"
    )


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kttn_cli.render.plan_views.render_units", _explode)
    result = invoke("--debug", "units")
    assert result.exit_code == 70
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.endswith(
        "kttn: lỗi không mong đợi: RuntimeError: boom (chạy lại với --debug để xem chi tiết)\n"
    )


def test_usage_errors_are_exit_2() -> None:
    assert invoke("show").exit_code == 2
    assert invoke("no-such-command").exit_code == 2
    result = invoke("units", "--lang", "fr")
    assert result.exit_code == 2
    assert result.stderr == "kttn: ngôn ngữ 'fr' không hỗ trợ: dùng vi hoặc en\n"


# --- help (sqlite-utils' test_docs habit) ------------------------------------------------------


def _commands() -> list[tuple[list[str], Any]]:
    found: list[tuple[list[str], Any]] = []

    def walk(group: Any, path: list[str]) -> None:
        for name, command in sorted(group.commands.items()):
            found.append(([*path, name], command))
            if hasattr(command, "commands"):
                walk(command, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def test_the_browse_commands_exist() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"tasks", "units", "show", "paths", "check", "schema", "init"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path: list[str], command: Any) -> None:
    assert (command.help or "").strip(), f"kttn {' '.join(path)} has no docstring"
    for param in command.params:
        assert getattr(param, "help", None), f"kttn {' '.join(path)}: {param.name} has no help"
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    first_line = command.help.strip().splitlines()[0]
    assert " ".join(first_line.split()[:4]) in " ".join(result.stdout.split())
