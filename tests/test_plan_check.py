"""`kttn check` on deliberately broken plans: exit 65 and every problem located exactly.

Each case edits `tests/data/small_plan.toml` and asserts the full output lines,
`FILE:LINE:COL: key.path: message`, line and column included (columns count characters,
1-based, as editors show them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke, run_kttn
from kttn_cli.storage.plan_file import BUNDLED_PLAN, check_plan_bytes
from kttn_cli.storage.toml_locate import TomlIndex

SMALL_PLAN = Path(__file__).parent / "data" / "small_plan.toml"
BOM = b"\xef\xbb\xbf"


def broken(tmp_path: Path, *edits: tuple[str, str], name: str = "plan.toml") -> Path:
    """A copy of the small plan with each `old` text (found exactly once) replaced."""
    text = SMALL_PLAN.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"fixture edit is ambiguous or stale: {old!r}"
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path, *options: str) -> tuple[int, list[str], str]:
    result = invoke("check", "--plan", str(path), *options)
    return result.exit_code, result.stdout.splitlines(), result.stderr


def assert_problems(path: Path, expected: list[str], *options: str) -> None:
    code, lines, stderr = check(path, *options)
    assert code == 65, f"stdout: {lines}\nstderr: {stderr}"
    assert lines == [f"{path}:{line}" for line in expected]
    count = len(expected)
    english = f"{count} problem.\n" if count == 1 else f"{count} problems.\n"
    assert stderr == (english if "en" in options else f"{count} lỗi.\n")


# --- clean plans ---------------------------------------------------------------------------


def test_bundled_plan_is_valid_with_a_one_line_summary() -> None:
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{BUNDLED_PLAN}: hợp lệ — 10 nhiệm vụ, 23 mốc, 16 đơn vị, 77 nghĩa vụ; "
        "sổ theo dõi: chưa có\n"
    )
    assert result.stderr == ""


def test_bundled_plan_summary_in_english() -> None:
    result = invoke("check", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{BUNDLED_PLAN}: valid — 10 tasks, 23 milestones, 16 units, 77 obligations; "
        "ledger: none yet\n"
    )


def test_small_plan_is_valid() -> None:
    code, lines, _ = check(SMALL_PLAN, "--lang", "en")
    assert (code, len(lines)) == (0, 1), lines
    assert lines[0].startswith(f"{SMALL_PLAN}: valid — 1 tasks, 2 milestones, 3 units")


# --- TOML syntax -------------------------------------------------------------------------


def test_unclosed_string_in_english_and_vietnamese(tmp_path: Path) -> None:
    # The column counts characters: "Kế hoạch thử" is 12 characters but 17 bytes.
    path = broken(tmp_path, ('title = "Kế hoạch thử"', 'title = "Kế hoạch thử'))
    assert_problems(
        path,
        [
            "8:22: plan.title: TOML syntax error: string not closed: "
            "the closing quote is missing before the end of the line"
        ],
        "--lang",
        "en",
    )
    assert_problems(
        path,
        [
            "8:22: plan.title: lỗi cú pháp TOML: chuỗi chưa được đóng: "
            "thiếu dấu nháy kép trước cuối dòng"
        ],
    )


def test_missing_equals_sign(tmp_path: Path) -> None:
    path = broken(tmp_path, ('place = "Hưng Yên"', 'place "Hưng Yên"'))
    assert_problems(
        path, ["10:7: plan.place: TOML syntax error: expected '=' after the key"], "--lang", "en"
    )


def test_unquoted_text(tmp_path: Path) -> None:
    path = broken(tmp_path, ('short = "Văn Lâm"', "short = Văn Lâm"))
    assert_problems(
        path,
        ["20:9: units[0].short: TOML syntax error: invalid value (text must be in double quotes)"],
        "--lang",
        "en",
    )


def test_key_given_twice(tmp_path: Path) -> None:
    path = broken(tmp_path, ('place = "Hưng Yên"\n', 'place = "Hưng Yên"\nplace = "Hà Nội"\n'))
    assert_problems(
        path,
        ["11:17: plan.place: TOML syntax error: this key already has a value above"],
        "--lang",
        "en",
    )


def test_unclosed_list_names_no_wrong_key(tmp_path: Path) -> None:
    # tomli stops where `]` was expected: at the next line's key, which is not at fault.
    path = broken(tmp_path, ('assignees = ["districts"]', 'assignees = ["districts"'))
    assert_problems(path, ["56:1: TOML syntax error: list not closed with ']'"], "--lang", "en")


@pytest.mark.parametrize("day", ["2024-02-30", "2024-13-01", "2023-02-29"])
def test_impossible_date(tmp_path: Path, day: str) -> None:
    path = broken(tmp_path, ("date = 2024-06-30", f"date = {day}"))
    assert_problems(
        path,
        [f"53:31: tasks[0].milestones[0].due.date: TOML syntax error: impossible date {day}"],
        "--lang",
        "en",
    )


def test_impossible_date_in_vietnamese(tmp_path: Path) -> None:
    path = broken(tmp_path, ("issued_on = 2024-02-05", "issued_on = 2024-02-30"))
    assert_problems(path, ["9:13: plan.issued_on: lỗi cú pháp TOML: ngày 2024-02-30 không tồn tại"])


# --- shape: types, unknown and missing keys -----------------------------------------------


def test_wrong_types_in_english(tmp_path: Path) -> None:
    path = broken(
        tmp_path,
        ("issued_on = 2024-02-05", 'issued_on = "2024-02-05"'),
        ('place = "Hưng Yên"', "place = 3"),
        ("year = 2024 }", 'year = "2024" }'),
        ('assignees = ["office"]', 'assignees = "office"'),
    )
    assert_problems(
        path,
        [
            "9:1: plan.issued_on: Input should be a valid date",
            "10:1: plan.place: Input should be a valid string",
            "62:40: tasks[0].milestones[1].due.year: Input should be a valid integer",
            "64:1: tasks[0].milestones[1].assignees: Input should be a valid list",
        ],
        "--lang",
        "en",
    )


def test_wrong_types_in_vietnamese(tmp_path: Path) -> None:
    path = broken(
        tmp_path,
        ("issued_on = 2024-02-05", 'issued_on = "2024-02-05"'),
        ('place = "Hưng Yên"', "place = 3"),
        ("year = 2024 }", 'year = "2024" }'),
        ('assignees = ["office"]', 'assignees = "office"'),
    )
    assert_problems(
        path,
        [
            "9:1: plan.issued_on: cần một ngày dạng YYYY-MM-DD (không có ngoặc kép)",
            "10:1: plan.place: cần một chuỗi văn bản",
            "62:40: tasks[0].milestones[1].due.year: cần một số nguyên",
            "64:1: tasks[0].milestones[1].assignees: cần một danh sách",
        ],
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            ("schema_version = 1\n", 'schema_version = 1\ncolour = "red"\n'),
            "4:1: colour",
            id="top-level",
        ),
        pytest.param(
            ('title = "Trưởng ban"\n', 'title = "Trưởng ban"\nphone = "0221"\n'),
            "16:1: plan.signer.phone",
            id="sub-table",
        ),
        pytest.param(
            ('recipient = "office"\n', 'recipient = "office"\nremind = true\n'),
            "57:1: tasks[0].milestones[0].remind",
            id="milestone",
        ),
        pytest.param(
            ("date = 2024-06-30 }", 'date = 2024-06-30, time = "09:00" }'),
            "53:43: tasks[0].milestones[0].due.time",
            id="inline-table",
        ),
    ],
)
def test_unknown_key(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    path = broken(tmp_path, edit)
    assert_problems(
        path, [f"{expected}: unknown key (not part of the file format)"], "--lang", "en"
    )
    assert_problems(path, [f"{expected}: khoá không được phép (không có trong lược đồ)"])


def test_missing_key_points_at_its_table(tmp_path: Path) -> None:
    path = broken(tmp_path, ('due_text = "xong trước 30/6/2024"\n', ""))
    assert_problems(path, ["50:3: tasks[0].milestones[0].due_text: Field required"], "--lang", "en")


def test_unknown_deadline_kind(tmp_path: Path) -> None:
    path = broken(tmp_path, ('kind = "date"', 'kind = "weekly"'))
    assert_problems(
        path,
        [
            "53:9: tasks[0].milestones[0].due.kind: invalid kind 'weekly'; "
            "expected 'date', 'quarter', 'ongoing', 'on_request', 'none'"
        ],
        "--lang",
        "en",
    )


def test_bad_id(tmp_path: Path) -> None:
    path = broken(tmp_path, ('id = "office"', 'id = "văn phòng"'))
    assert_problems(
        path,
        [
            "30:1: units[2].id: wrong form (an id has only ASCII letters, digits, '.', '_', '-')",
            # The unit is gone, so references to it are reported too.
            "56:1: tasks[0].milestones[0].recipient: unknown unit 'office'",
            "64:14: tasks[0].milestones[1].assignees[0]: unknown unit or group 'office'",
        ],
        "--lang",
        "en",
    )


# --- meaning: references, duplicates, quarters, assignees, cycles --------------------------


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            ('assignees = ["office"]', 'assignees = ["office", "ghost"]'),
            "64:24: tasks[0].milestones[1].assignees[1]: unknown unit or group 'ghost'",
            id="assignee",
        ),
        pytest.param(
            ('recipient = "office"', 'recipient = "ofice"'),
            "56:1: tasks[0].milestones[0].recipient: unknown unit 'ofice'",
            id="recipient",
        ),
        pytest.param(
            ('inputs = ["bc-6-thang"]', 'inputs = ["bc-6-thang", "bc-nam"]'),
            "65:25: tasks[0].milestones[1].inputs[1]: unknown milestone 'bc-nam'",
            id="input",
        ),
        pytest.param(
            # An item of a list spread over several lines is found on its own line.
            ('    "van-giang",\n]', '    "van-giang",\n    "yen-my",\n]'),
            "40:5: groups[0].members[2]: unknown unit 'yen-my'",
            id="group-member",
        ),
    ],
)
def test_broken_reference(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    assert_problems(broken(tmp_path, edit), [expected], "--lang", "en")


def test_broken_reference_in_vietnamese(tmp_path: Path) -> None:
    path = broken(tmp_path, ('assignees = ["office"]', 'assignees = ["office", "ghost"]'))
    assert_problems(
        path, ["64:24: tasks[0].milestones[1].assignees[1]: không có đơn vị hay nhóm 'ghost'"]
    )


def test_duplicate_unit_id(tmp_path: Path) -> None:
    path = broken(tmp_path, ('id = "van-giang"', 'id = "van-lam"'))
    assert_problems(
        path,
        [
            "24:1: units[1].id: duplicate id 'van-lam'",
            "39:5: groups[0].members[1]: unknown unit 'van-giang'",
        ],
        "--lang",
        "en",
    )


def test_duplicate_milestone_id(tmp_path: Path) -> None:
    path = broken(tmp_path, ('id = "tong-hop"', 'id = "bc-6-thang"'))
    assert_problems(
        path, ["60:1: tasks[0].milestones[1].id: duplicate id 'bc-6-thang'"], "--lang", "en"
    )


def test_milestone_id_equal_to_a_task_id(tmp_path: Path) -> None:
    path = broken(tmp_path, ('id = "tong-hop"', 'id = "T.1"'))
    assert_problems(path, ["60:1: tasks[0].milestones[1].id: duplicate id 'T.1'"], "--lang", "en")


def test_group_id_equal_to_a_unit_id(tmp_path: Path) -> None:
    path = broken(tmp_path, ('id = "districts"', 'id = "office"'))
    assert_problems(
        path,
        [
            "35:1: groups[0].id: duplicate id 'office'",
            "55:14: tasks[0].milestones[0].assignees[0]: unknown unit or group 'districts'",
        ],
        "--lang",
        "en",
    )


def test_quarter_five(tmp_path: Path) -> None:
    path = broken(tmp_path, ("quarter = 3", "quarter = 5"))
    assert_problems(
        path,
        ["62:27: tasks[0].milestones[1].due.quarter: quarter 5 is outside I–IV (1–4)"],
        "--lang",
        "en",
    )
    assert_problems(path, ["62:27: tasks[0].milestones[1].due.quarter: quý 5 nằm ngoài I–IV (1–4)"])


def test_milestone_with_empty_assignees(tmp_path: Path) -> None:
    path = broken(tmp_path, ('assignees = ["office"]', "assignees = []"))
    assert_problems(
        path, ["64:1: tasks[0].milestones[1].assignees: milestone has no assignee"], "--lang", "en"
    )


def test_input_cycle(tmp_path: Path) -> None:
    path = broken(
        tmp_path, ('recipient = "office"\n', 'recipient = "office"\ninputs = ["tong-hop"]\n')
    )
    assert_problems(
        path,
        ["66:1: tasks[0].milestones[1].inputs: input cycle: bc-6-thang → tong-hop → bc-6-thang"],
        "--lang",
        "en",
    )


def test_milestone_consolidating_itself(tmp_path: Path) -> None:
    path = broken(tmp_path, ('inputs = ["bc-6-thang"]', 'inputs = ["tong-hop"]'))
    assert_problems(
        path,
        ["65:1: tasks[0].milestones[1].inputs: input cycle: tong-hop → tong-hop"],
        "--lang",
        "en",
    )


def test_several_problems_are_all_reported_in_file_order(tmp_path: Path) -> None:
    # Shape problems (wrong type, bad value) and meaning problems (unknown ids, quarter 5)
    # in one file: all of them, in the order a reader meets them.
    path = broken(
        tmp_path,
        ("quarter = 3", "quarter = 5"),
        ('assignees = ["office"]', 'assignees = ["office", "ghost"]'),
        ('recipient = "office"', 'recipient = "ofice"'),
        ('place = "Hưng Yên"', "place = 3"),
        ('kind = "standing_office"', 'kind = "office"'),
    )
    assert_problems(
        path,
        [
            "10:1: plan.place: Input should be a valid string",
            "32:1: units[2].kind: Input should be 'steering_committee', 'standing_office', "
            "'party_committee', 'district_committee', 'agency' or 'collective'",
            "56:1: tasks[0].milestones[0].recipient: unknown unit 'ofice'",
            "62:27: tasks[0].milestones[1].due.quarter: quarter 5 is outside I–IV (1–4)",
            "64:24: tasks[0].milestones[1].assignees[1]: unknown unit or group 'ghost'",
        ],
        "--lang",
        "en",
    )


# --- encodings and missing files -----------------------------------------------------------


def test_file_saved_with_a_bom_is_accepted(tmp_path: Path) -> None:
    """Decided behaviour: Windows Notepad writes a BOM; it carries no meaning in TOML."""
    path = tmp_path / "notepad.toml"
    path.write_bytes(BOM + SMALL_PLAN.read_bytes())
    code, lines, stderr = check(path, "--lang", "en")
    assert code == 0, lines
    assert lines == [
        f"{path}: valid — 1 tasks, 2 milestones, 3 units, 3 obligations; ledger: none yet"
    ]
    assert stderr == ""


def test_bom_does_not_shift_columns(tmp_path: Path) -> None:
    path = tmp_path / "notepad.toml"
    path.write_bytes(BOM + b"schema_version = x\n")
    assert_problems(
        path,
        ["1:18: schema_version: TOML syntax error: invalid value (text must be in double quotes)"],
        "--lang",
        "en",
    )
    path.write_bytes(BOM + broken(tmp_path, ("quarter = 3", "quarter = 5")).read_bytes())
    assert_problems(
        path,
        ["62:27: tasks[0].milestones[1].due.quarter: quarter 5 is outside I–IV (1–4)"],
        "--lang",
        "en",
    )


def test_file_in_windows_1258_is_not_utf8(tmp_path: Path) -> None:
    # "Kế" as Vietnamese Windows ("ANSI", cp1258) writes it: ê (0xEA) + combining acute.
    raw = SMALL_PLAN.read_bytes().replace("Kế".encode(), b"K\xea\xec", 1)
    path = tmp_path / "ansi.toml"
    path.write_bytes(raw)
    assert_problems(
        path,
        ["8:11: file is not UTF-8 (invalid byte 0xEA); save it again as UTF-8"],
        "--lang",
        "en",
    )
    assert_problems(
        path, ["8:11: tệp không phải UTF-8 (byte 0xEA không hợp lệ); hãy lưu lại với mã hoá UTF-8"]
    )


def test_not_utf8_column_counts_characters(tmp_path: Path) -> None:
    # `place = "Hưng Y` is 15 characters (16 bytes: ư takes two): the bad byte is column 16.
    raw = SMALL_PLAN.read_bytes().replace("Yên".encode(), b"Y\xean", 1)
    path = tmp_path / "latin1.toml"
    path.write_bytes(raw)
    assert_problems(
        path,
        ["10:16: file is not UTF-8 (invalid byte 0xEA); save it again as UTF-8"],
        "--lang",
        "en",
    )


def test_missing_plan_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    result = invoke("check", "--plan", str(path), "--lang", "en")
    assert result.exit_code == 66, result.output
    assert (result.stdout, result.stderr) == ("", f"kttn: plan file not found: {path}\n")
    result = invoke("check", "--plan", str(path))
    assert result.exit_code == 66, result.output
    assert result.stderr == f"kttn: không tìm thấy tệp kế hoạch: {path}\n"


def test_missing_plan_file_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KTTN_PLAN", str(tmp_path / "nowhere.toml"))
    result = invoke("check")
    assert result.exit_code == 66, result.output


def test_a_directory_is_not_a_plan(tmp_path: Path) -> None:
    result = invoke("check", "--plan", str(tmp_path), "--lang", "en")
    assert result.exit_code == 66, result.output
    assert result.stderr == f"kttn: {tmp_path} is a directory, not a plan file\n"


def test_a_plan_that_cannot_be_read_is_65_in_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)  # reading it fails even as root (ELOOP)
    result = invoke("status", "--plan", str(loop), "--lang", "en")
    assert result.exit_code == 65, result.output
    assert result.stderr == f"kttn: cannot read {loop}: Too many levels of symbolic links\n"


# --- the same checks elsewhere -------------------------------------------------------------


def test_other_commands_refuse_a_broken_plan_in_one_line(tmp_path: Path) -> None:
    path = broken(
        tmp_path, ("quarter = 3", "quarter = 5"), ('recipient = "office"', 'recipient = "x"')
    )
    result = invoke("tasks", "--plan", str(path), "--lang", "en")
    assert result.exit_code == 65, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"kttn: the plan has 2 problems, first: {path}:56:1: tasks[0].milestones[0].recipient: "
        "unknown unit 'x' — run `kttn check` to see them all\n"
    )


def test_broken_ledger_is_located(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.toml"
    ledger.write_text('schema_version = 1\nplan = "other"\n', encoding="utf-8")
    result = invoke("check", "--plan", str(SMALL_PLAN), "--ledger", str(ledger), "--lang", "en")
    assert result.exit_code == 65, result.output
    assert result.stdout == f"{ledger}:2:1: plan: ledger belongs to plan 'other', not 'small'\n"
    ledger.write_text('schema_version = 1\nplan = "small"\n\n[[records]]\nid = "x\n')
    result = invoke("check", "--plan", str(SMALL_PLAN), "--ledger", str(ledger), "--lang", "en")
    assert result.exit_code == 65, result.output
    assert result.stdout == (
        f"{ledger}:5:8: records[0].id: TOML syntax error: string not closed: "
        "the closing quote is missing before the end of the line\n"
    )


def test_check_as_a_real_process(tmp_path: Path) -> None:
    path = broken(tmp_path, ("quarter = 3", "quarter = 5"))
    done = run_kttn("check", "--plan", str(path), "--lang", "en")
    assert done.returncode == 65, done.stderr
    assert done.stdout == (
        f"{path}:62:27: tasks[0].milestones[1].due.quarter: quarter 5 is outside I–IV (1–4)\n"
    )
    assert done.stderr == "1 problem.\n"


# --- the locator on its own ----------------------------------------------------------------


def test_locator_is_not_fooled_by_strings_comments_or_layout() -> None:
    text = (
        'title = """\n'  # 1
        "[[units]]\n"  # 2: inside a string
        'id = "no" """\n'  # 3
        "[plan] # [not.this]\n"  # 4
        "'quoted key' = 1\n"  # 5
        "a.b . c = { d = [ { e = 1 }, { f = [1,\n"  # 6
        "  2, 3] } ], g = 'x' }\n"  # 7
        "list = [\n"  # 8
        '  "one", # a comment, with a comma\n'  # 9
        '  """two\n'  # 10
        '  lines""",\n'  # 11
        "  'three',\n"  # 12
        "]\n"  # 13
        "[[units]]\n"  # 14
        "[[units]]\n"  # 15
        'id = "second"\n'  # 16
    )
    index = TomlIndex(text)
    assert index.locate(("title",)) == (1, 1)
    assert index.locate(("units", 0)) == (14, 3)
    assert index.locate(("units", 1, "id")) == (16, 1)
    assert index.locate(("plan",)) == (4, 2)
    assert index.locate(("plan", "quoted key")) == (5, 1)
    assert index.locate(("plan", "a", "b", "c")) == (6, 7)
    assert index.locate(("plan", "a", "b", "c", "d", 1, "f", 2)) == (7, 6)
    assert index.locate(("plan", "a", "b", "c", "g")) == (7, 14)
    assert index.locate(("plan", "list", 1)) == (10, 3)
    assert index.locate(("plan", "list", 2)) == (12, 3)
    assert ("not", "this") not in index.positions
    # Unknown paths fall back to their longest known prefix, then to the file's start.
    assert index.locate(("plan", "list", 7)) == (8, 1)
    assert index.locate(("nothing",)) == (1, 1)


def test_locator_on_the_bundled_plan_finds_every_milestone() -> None:
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    index = TomlIndex(text)
    lines = text.split("\n")
    for (*_, key), (line, col) in index.positions.items():
        if isinstance(key, str) and key in ("id", "due_text", "assignees"):
            assert lines[line - 1][col - 1 :].startswith(key), (key, line, col)


_PLAN_TEXT = SMALL_PLAN.read_text(encoding="utf-8")
_TOML_BITS = ['"', "'", '"""', "'" * 3, "[", "]", "[[", "{", "}", "=", ",", "#", "\n", ".", "\\"]


@settings(max_examples=300, deadline=None)
@given(
    cut=st.integers(0, len(_PLAN_TEXT)),
    length=st.integers(0, 40),
    noise=st.lists(st.one_of(st.sampled_from(_TOML_BITS), st.text(max_size=3)), max_size=6),
)
def test_locator_never_fails_on_damaged_text(cut: int, length: int, noise: list[str]) -> None:
    """Whatever a damaged file holds, locating returns a real position and never raises."""
    text = _PLAN_TEXT[:cut] + "".join(noise) + _PLAN_TEXT[cut + length :]
    index = TomlIndex(text)
    lines = text.split("\n")
    for line, col in index.positions.values():
        assert 1 <= line <= len(lines)
        assert 1 <= col <= len(lines[line - 1]) + 1
    assert index.locate(("tasks", 0, "milestones", 1, "due", "quarter"))[0] >= 1
    # And the whole check gives located problems (or a valid plan), never an exception.
    result = check_plan_bytes(Path("damaged.toml"), text.encode(), "en")
    assert (result.data is None) == bool(result.problems)
    for problem in result.problems:
        assert problem.format("en").startswith("damaged.toml:")
