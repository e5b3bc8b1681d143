"""Several plans (docs/architecture.md, "Several plans"): the register, `kttn init` and its
copies (their own id, --same-id, next year's plan with --from/--year), `--plan ID`, and
`kttn overdue --all-plans` for one cron line."""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from helpers import BUNDLED_PLAN, SMALL_PLAN, kttn, ok, run_kttn
from kttn_cli.storage.registry import Registry, registered_plans

BUNDLED_ID = "kh-01-bcd-2024"


@pytest.fixture
def data(isolated_env: Path) -> Path:
    return isolated_env / "data"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def plans_json(*args: str) -> list[dict[str, Any]]:
    result = ok(kttn("plans", "--format", "json", *args))
    return list(json.loads(result.out)["plans"])


def plan_id(path: Path) -> str:
    return str(tomllib.loads(path.read_text(encoding="utf-8"))["plan"]["id"])


# --- init -----------------------------------------------------------------------------------


def test_init_gives_the_copy_its_own_id_and_registers_it(here: Path, data: Path) -> None:
    result = ok(kttn("init", "Kế hoạch mới.toml"))
    path = here / "Kế hoạch mới.toml"
    assert plan_id(path) == "ke-hoach-moi"
    assert result.out == (
        f"Đã tạo {path}, bản sao của kế hoạch kèm theo (kh-01-bcd-2024), với mã riêng "
        f"ke-hoach-moi (lấy từ tên tệp), nên có sổ theo dõi riêng "
        f"{data}/ke-hoach-moi.ledger.toml.\n"
        "Đã đăng ký: dùng bằng --plan ke-hoach-moi (`kttn plans` liệt kê các kế hoạch).\n"
    ), result
    # Only the id changed; the comments and the layout of the bundled plan are kept.
    original = BUNDLED_PLAN.read_text(encoding="utf-8").splitlines()
    copied = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(original, copied, strict=True) if a != b]
    assert changed == [
        (
            "#:schema ./plan.schema.json",
            f"#:schema {(BUNDLED_PLAN.parent / 'plan.schema.json').as_uri()}",
        ),
        ('id = "kh-01-bcd-2024"', 'id = "ke-hoach-moi"'),
    ]
    assert [(e.id, e.path) for e in Registry(data).entries()] == [("ke-hoach-moi", path)]
    # Its own ledger: recording with it leaves the bundled plan's ledger alone.
    ok(
        kttn(
            "submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-25", "--plan", "ke-hoach-moi"
        )
    )
    assert (data / "ke-hoach-moi.ledger.toml").exists()
    assert not (data / f"{BUNDLED_ID}.ledger.toml").exists()
    ok(kttn("check", "--plan", "ke-hoach-moi"))


def test_init_never_reuses_an_id_in_use(here: Path, data: Path) -> None:
    (here / "a").mkdir()
    (here / "b").mkdir()
    ok(kttn("init", "a/ke-hoach.toml"))
    ok(kttn("init", "b/ke-hoach.toml"))
    # A ledger left in the data directory by a plan no longer registered keeps its id too.
    (data / "cu.ledger.toml").write_text("", encoding="utf-8")
    ok(kttn("init", "cu.toml"))
    # A file named like the bundled plan's id.
    ok(kttn("init", f"{BUNDLED_ID}.toml"))
    assert [plan_id(here / p) for p in ("a/ke-hoach.toml", "b/ke-hoach.toml", "cu.toml")] == [
        "ke-hoach",
        "ke-hoach-2",
        "cu-2",
    ]
    assert plan_id(here / f"{BUNDLED_ID}.toml") == f"{BUNDLED_ID}-2"


def test_init_never_overwrites(here: Path) -> None:
    (here / "x.toml").write_text("mine", encoding="utf-8")
    result = kttn("init", "x.toml")
    assert result.code == 2, result
    assert (here / "x.toml").read_text(encoding="utf-8") == "mine"


def test_init_same_id_goes_on_with_the_ledger(here: Path, data: Path) -> None:
    ok(kttn("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-25"))
    result = ok(kttn("init", "--same-id", "ke-hoach.toml"))
    assert "giữ nguyên mã kh-01-bcd-2024: tiếp tục dùng sổ theo dõi" in result.out, result
    assert plan_id(here / "ke-hoach.toml") == BUNDLED_ID
    found = ok(kttn("status", "--plan", BUNDLED_ID, "--as-of", "2024-07-10", "-f", "json"))
    rows = json.loads(found.out)["obligations"]
    row = next(
        r for r in rows if (r["milestone_id"], r["unit_id"]) == ("III.2-bc-6-thang", "van-lam")
    )
    assert row["status"] == "on_time"
    # A second file with that id would write the same ledger: refused, nothing written.
    again = kttn("init", "--same-id", "khac.toml")
    assert again.code == 65, again
    assert not (here / "khac.toml").exists()


def test_init_refuses_what_makes_no_sense(here: Path) -> None:
    cases = [
        (("init", "--same-id", "--year", "2025", "a.toml"), 2, "--year tạo một kế hoạch mới"),
        (("init", "--year", "2024", "a.toml"), 2, "đã là kế hoạch năm 2024"),
        (("init", "--year", "25", "a.toml"), 2, "năm không hợp lệ '25' (--year)"),
        (("init", "--from", "khong-co", "a.toml"), 66, "không có tệp kế hoạch 'khong-co'"),
    ]
    for args, code, message in cases:
        result = kttn(*args)
        assert result.code == code and message in result.err, result
    assert not (here / "a.toml").exists()


# --- next year's plan -------------------------------------------------------------------


def test_next_years_plan_moves_every_stated_date_and_marks_each_to_confirm(
    here: Path, data: Path
) -> None:
    result = ok(kttn("init", "--from", BUNDLED_ID, "--year", "2025", "ke-hoach-2025.toml"))
    path = here / "ke-hoach-2025.toml"
    assert "Đã dời 13 ngày sang năm 2025 và đánh dấu từng ngày cần xác nhận" in result.out, result
    old = tomllib.loads(BUNDLED_PLAN.read_text(encoding="utf-8"))
    new = tomllib.loads(path.read_text(encoding="utf-8"))
    assert new["plan"]["id"] == "ke-hoach-2025"
    assert new["plan"]["issued_on"].isoformat() == "2025-02-05"
    moved = []
    for i, (task_old, task_new) in enumerate(zip(old["tasks"], new["tasks"], strict=True)):
        for j, (m_old, m_new) in enumerate(
            zip(task_old["milestones"], task_new["milestones"], strict=True)
        ):
            due_old, due_new = m_old["due"], m_new["due"]
            if "date" in due_old:
                assert due_new["date"] == due_old["date"].replace(year=due_old["date"].year + 1)
                moved.append(f"tasks.{i}.milestones.{j}.due.date")
            elif "year" in due_old:
                assert due_new["year"] == due_old["year"] + 1
                moved.append(f"tasks.{i}.milestones.{j}.due.year")
            else:
                assert due_new == due_old
            # Structure, owners and wording are copied as they are.
            assert {k: v for k, v in m_new.items() if k != "due"} == {
                k: v for k, v in m_old.items() if k != "due"
            }
    assert new["plan"]["unconfirmed"] == ["plan.issued_on", *moved]
    # Days off are facts of the calendar: not moved.
    assert new["deadline_rules"] == old["deadline_rules"]
    assert new["units"] == old["units"] and new["groups"] == old["groups"]
    assert "# Tết 2024 (08–14/02, Thông báo 5015/TB-LĐTBXH" in path.read_text(encoding="utf-8")

    check = ok(kttn("check", "--plan", "ke-hoach-2025"))
    notes = [line for line in check.out.splitlines() if line.startswith("lưu ý: ")]
    assert len(notes) == 13, check.out
    line = path.read_text(encoding="utf-8").splitlines().index("issued_on = 2025-02-05") + 1
    assert notes[0] == (
        f"lưu ý: {path}:{line}:1: plan.issued_on: ngày chép từ kế hoạch trước, chưa được xác nhận: "
        "đối chiếu với văn bản kế hoạch mới, rồi xóa dòng của nó trong plan.unconfirmed"
    ), check.out


def test_no_moved_date_is_presented_as_the_new_plans_until_confirmed(here: Path) -> None:
    ok(kttn("init", "--from", BUNDLED_ID, "--year", "2025", "kh25.toml"))
    path = here / "kh25.toml"
    overdue = ok(kttn("overdue", "--plan", "kh25", "--as-of", "2025-07-10", "-f", "plain"))
    lines = overdue.out.splitlines()
    assert lines[0].startswith(
        "Kế hoạch số 01-KH/BCĐ ngày 05/02/2025 (ngày chưa được xác nhận) của Ban Chỉ đạo tỉnh"
    ), overdue.out
    report = next(line for line in lines if "III.2-bc-6-thang" in line)
    assert report.startswith(
        "xong trước 30/06/2025 (ngày chưa được xác nhận; hạn cuối 29/06/2025) | quá hạn 11 ngày"
    ), report
    status = ok(kttn("status", "--plan", "kh25", "--as-of", "2025-07-10"))
    assert "ngày chưa được xác nhận" in " ".join(status.out.split()), status.out

    # The clerk checks the date against the new text (30/6 → 25/6) and removes its line.
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        'due = { kind = "date", date = 2025-06-30, qualifier = "xong trước" }\n'
        'due_text = "báo cáo sơ kết 06 tháng xong trước 30/6/2024"',
        'due = { kind = "date", date = 2025-06-25, qualifier = "xong trước" }\n'
        'due_text = "báo cáo sơ kết 06 tháng xong trước 25/6/2025"',
    ).replace('    "tasks.8.milestones.1.due.date",\n', "")
    path.write_text(text, encoding="utf-8")
    check = ok(kttn("check", "--plan", "kh25"))
    assert len([x for x in check.out.splitlines() if x.startswith("lưu ý: ")]) == 12
    overdue = ok(kttn("overdue", "--plan", "kh25", "--as-of", "2025-07-10", "-f", "plain"))
    report = next(line for line in overdue.out.splitlines() if "III.2-bc-6-thang" in line)
    assert report.startswith("xong trước 25/06/2025 (hạn cuối 24/06/2025) | quá hạn 16 ngày"), (
        report
    )


def test_a_plan_of_a_leap_year_moves_29_february_to_the_28th(here: Path) -> None:
    text = SMALL_PLAN.read_text(encoding="utf-8").replace("date = 2024-06-30", "date = 2024-02-29")
    (here / "leap.toml").write_text(text, encoding="utf-8")
    ok(kttn("init", "--from", "leap.toml", "--year", "2025", "next.toml"))
    copied = tomllib.loads((here / "next.toml").read_text(encoding="utf-8"))
    assert copied["tasks"][0]["milestones"][0]["due"]["date"].isoformat() == "2025-02-28"
    assert copied["plan"]["unconfirmed"] == [
        "plan.issued_on",
        "tasks.0.milestones.0.due.date",
        "tasks.0.milestones.1.due.year",
    ]


# --- the register ---------------------------------------------------------------------------


def test_plans_add_and_remove_edit_only_the_register(here: Path, data: Path) -> None:
    small = here / "small.toml"
    small.write_bytes(SMALL_PLAN.read_bytes())
    added = ok(kttn("plans", "add", "small.toml"))
    assert added.out == (
        f"Đã đăng ký small: {small}\nSổ theo dõi của kế hoạch: {data}/small.ledger.toml\n"
    ), added
    again = ok(kttn("plans", "add", str(small)))
    assert again.out.startswith(f"small đã được đăng ký: {small}\n"), again
    # Another file with the same id is refused: both would write one ledger.
    other = here / "other.toml"
    other.write_bytes(SMALL_PLAN.read_bytes())
    clash = kttn("plans", "add", "other.toml")
    assert clash.code == 65 and "mã kế hoạch 'small' đã được đăng ký cho" in clash.err, clash
    # A file that is not a valid plan is not registered.
    (here / "bad.toml").write_text("schema_version = 2\n", encoding="utf-8")
    assert kttn("plans", "add", "bad.toml").code == 65
    assert [p["id"] for p in plans_json()] == ["small"]

    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-20", "--plan", "small"))
    ledger = data / "small.ledger.toml"
    before = (small.read_bytes(), ledger.read_bytes())
    removed = ok(kttn("plans", "remove", "small"))
    assert removed.out == (
        f"Đã bỏ đăng ký small ({small}); tệp kế hoạch và sổ theo dõi được giữ nguyên.\n"
    )
    assert (small.read_bytes(), ledger.read_bytes()) == before
    gone = kttn("plans", "remove", "small")
    assert gone.code == 66 and "không có kế hoạch đã đăng ký 'small'" in gone.err, gone
    unknown = kttn("status", "--plan", "small")
    assert unknown.code == 66, unknown


def test_a_file_whose_id_changed_is_registered_again_under_its_new_id(here: Path) -> None:
    path = here / "p.toml"
    path.write_bytes(SMALL_PLAN.read_bytes())
    ok(kttn("plans", "add", "p.toml"))
    path.write_text(path.read_text(encoding="utf-8").replace('id = "small"', 'id = "nho"'), "utf-8")
    listed = plans_json()
    assert (listed[0]["id"], listed[0]["file_id"]) == ("small", "nho")
    result = ok(kttn("plans", "add", "p.toml"))
    assert result.out.startswith(f"Đã đăng ký {path} với mã nho (trước đây đăng ký với mã small)")
    assert [(p["id"], p["file_id"]) for p in plans_json()] == [("nho", None)]


def test_plans_lists_two_plans_with_their_ledgers_and_counts(
    here: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(kttn("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-25"))
    ok(kttn("submit", "III.2-bc-6-thang", "yen-my", "--on", "2024-07-01"))
    ok(kttn("plans", "add", str(SMALL_PLAN)))
    listed = plans_json("--as-of", "2024-07-10")
    assert [
        (p["id"], p["path"], p["bundled"], p["ledger"], p["records"], p["overdue"]) for p in listed
    ] == [
        (BUNDLED_ID, str(BUNDLED_PLAN), True, f"{data}/{BUNDLED_ID}.ledger.toml", 2, 15),
        ("small", str(SMALL_PLAN), False, f"{data}/small.ledger.toml", None, 2),
    ]
    # Wide enough that no path wraps, wherever the checkout and the temporary folder are.
    monkeypatch.setenv("COLUMNS", "400")
    table = ok(kttn("plans", "--as-of", "2024-07-10"))
    assert re.search(rf"│ {BUNDLED_ID} +│ {re.escape(str(BUNDLED_PLAN))} +│ +2 │ +15 │", table.out)
    assert re.search(r"│ small +│ .*small_plan\.toml +│ +— │ +2 │", table.out), table.out
    assert "(kế hoạch kèm theo)" in table.out and "(chưa có)" in table.out


def test_a_registered_plan_that_is_gone_is_listed_with_the_reason(here: Path) -> None:
    path = here / "p.toml"
    path.write_bytes(SMALL_PLAN.read_bytes())
    ok(kttn("plans", "add", "p.toml"))
    path.unlink()
    result = kttn("plans", "--format", "json")
    assert result.code == 66, result
    (listed,) = json.loads(result.out)["plans"]
    assert listed["error"] == f"không tìm thấy tệp kế hoạch: {path}", listed


def test_registered_plans_is_what_all_plans_covers(here: Path, data: Path) -> None:
    from kttn_cli.storage.paths import BUNDLED_PLAN as INSTALLED_BUNDLED

    assert registered_plans(data) == [INSTALLED_BUNDLED]
    ok(kttn("plans", "add", str(SMALL_PLAN)))
    assert registered_plans(data) == [SMALL_PLAN]
    ok(kttn("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-25"))
    assert registered_plans(data) == [INSTALLED_BUNDLED, SMALL_PLAN]
    ok(kttn("init", "--same-id", "ke-hoach.toml"))
    assert registered_plans(data) == [SMALL_PLAN, here / "ke-hoach.toml"]


def test_a_damaged_register_is_an_error_not_an_empty_one(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    (data / "plans.toml").write_text("plans = [ { id = 1 } ]\n", encoding="utf-8")
    result = kttn("plans")
    assert result.code == 65, result
    assert result.err.startswith("kttn: không đọc được danh sách kế hoạch "), result


# --- overdue --all-plans ----------------------------------------------------------------


@pytest.fixture
def two_plans(here: Path) -> Path:
    """The bundled plan with its ledger, and the small plan registered."""
    ok(kttn("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-25"))
    ok(kttn("plans", "add", str(SMALL_PLAN)))
    return here


def test_overdue_all_plans_lists_both_plans_grouped(two_plans: Path) -> None:
    result = ok(kttn("overdue", "--all-plans", "--as-of", "2024-07-10", "--format", "plain"))
    blocks = result.out.split("== Kế hoạch ")
    assert [b.split(" ", 1)[0] for b in blocks[1:]] == [BUNDLED_ID, "small"], result.out
    assert "Kế hoạch số 01-KH/BCĐ ngày 05/02/2024 của Ban Chỉ đạo tỉnh — Tính đến ngày" in blocks[1]
    assert len(blocks[1].strip().splitlines()) == 2 + 16, blocks[1]
    small = blocks[2].splitlines()
    assert small[1].endswith("Quá hạn: 2"), blocks[2]
    assert [line.split(" | ")[2] for line in small[2:]] == [
        "Huyện ủy Văn Lâm",
        "Huyện ủy Văn Giang",
    ]
    table = ok(kttn("overdue", "--all-plans", "--as-of", "2024-07-10"))
    assert table.out.count("== Kế hoạch ") == 2 and "Quá hạn: 16" in table.out, table.out


def test_overdue_all_plans_json_is_one_object_with_each_plans_document(two_plans: Path) -> None:
    result = ok(kttn("overdue", "--all-plans", "--as-of", "2024-07-10", "--format", "json"))
    doc = json.loads(result.out)
    assert list(doc) == ["as_of", "plans", "errors"] and doc["errors"] == []
    single = ok(kttn("overdue", "--plan", str(SMALL_PLAN), "--as-of", "2024-07-10", "-f", "json"))
    assert doc["plans"][1] == json.loads(single.out)
    assert [d["plan"]["id"] for d in doc["plans"]] == [BUNDLED_ID, "small"]
    assert len(doc["plans"][0]["obligations"]) == 16


def test_overdue_all_plans_for_cron_quiet_and_exit_code(two_plans: Path) -> None:
    quiet = ok(kttn("overdue", "--all-plans", "--quiet", "-f", "plain", "--as-of", "2024-02-06"))
    assert quiet.out == "" and quiet.err == "", quiet
    found = kttn(
        "overdue", "--all-plans", "--quiet", "--exit-code", "-f", "plain", "--as-of", "2024-07-10"
    )
    assert found.code == 1, found
    # --quiet leaves out the plans with nothing overdue.
    only = ok(kttn("overdue", "--all-plans", "--quiet", "-f", "plain", "--as-of", "2024-04-05"))
    assert only.out.count("== Kế hoạch ") == 1 and only.out.startswith(f"== Kế hoạch {BUNDLED_ID}")


def test_overdue_all_plans_shows_the_others_when_one_cannot_be_read(here: Path) -> None:
    ok(kttn("plans", "add", str(SMALL_PLAN)))
    gone = here / "gone.toml"
    gone.write_bytes(SMALL_PLAN.read_bytes())
    gone.write_text(gone.read_text(encoding="utf-8").replace('"small"', '"gone"'), "utf-8")
    ok(kttn("plans", "add", "gone.toml"))
    gone.unlink()
    result = kttn("overdue", "--all-plans", "--as-of", "2024-07-10", "-f", "plain")
    assert result.code == 66, result
    assert result.out.startswith("== Kế hoạch small"), result
    assert result.err == f"kttn: {gone}: không tìm thấy tệp kế hoạch: {gone}\n", result


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--format", "csv"), {}),
        (("--plan", str(SMALL_PLAN)), {}),
        (("--unit", "van-lam"), {}),
        ((), {"KTTN_LEDGER": "/tmp/somewhere.toml"}),
    ],
)
def test_overdue_all_plans_refuses_one_plans_options(
    two_plans: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    result = kttn("overdue", "--all-plans", *args, env={**os.environ, **env})
    assert result.code == 2 and "--all-plans" in result.err, result


@pytest.mark.process
def test_concurrent_registrations_keep_every_plan(here: Path, data: Path) -> None:
    """Six processes each register three plans at once: the lock keeps all eighteen."""
    import subprocess

    for n in range(18):
        text = SMALL_PLAN.read_text(encoding="utf-8").replace('id = "small"', f'id = "p{n}"')
        (here / f"p{n}.toml").write_text(text, encoding="utf-8")
    script = (
        "import subprocess, sys\n"
        "for n in sys.argv[1:]:\n"
        "    subprocess.run([sys.executable, '-m', 'kttn_cli', 'plans', 'add', f'p{n}.toml'],"
        " check=True, capture_output=True)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, *map(str, range(k, 18, 6))], cwd=here)
        for k in range(6)
    ]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    assert sorted(e.id for e in Registry(data).entries()) == sorted(f"p{n}" for n in range(18))
    listed = run_kttn("plans", "--format", "json", cwd=here)
    assert listed.returncode == 0, listed.stderr


def test_overdue_all_plans_states_each_plans_ledger_problems_once(here: Path) -> None:
    plan = here / "p.toml"
    plan.write_bytes(SMALL_PLAN.read_bytes())
    ok(kttn("plans", "add", "p.toml"))
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-20", "--plan", "small"))
    text = plan.read_text(encoding="utf-8").replace('"van-giang"', '"van-giang-moi"')
    plan.write_text(text, encoding="utf-8")
    problem = "bản ghi r1 ghi đơn vị 'van-giang' mà kế hoạch không còn"
    for args, stream in [
        (("-f", "plain", "--as-of", "2024-07-10"), "err"),
        (("-f", "json", "--as-of", "2024-07-10"), "err"),
        (("--as-of", "2024-07-10"), "out"),
        (("-f", "plain", "--quiet", "--as-of", "2024-02-06"), "err"),
    ]:
        result = ok(kttn("overdue", "--all-plans", *args))
        said = {"out": " ".join(result.out.split()), "err": " ".join(result.err.split())}
        assert said[stream].count(problem) == 1, result
        assert problem not in said["err" if stream == "out" else "out"], result


def test_the_bundled_plans_id_names_it_or_the_copy_registered_with_it(here: Path) -> None:
    by_id = ok(kttn("status", "--plan", BUNDLED_ID, "--as-of", "2024-07-10", "-f", "json"))
    default = ok(kttn("status", "--as-of", "2024-07-10", "-f", "json"))
    assert by_id.out == default.out
    # A registered copy with the same id (`init --same-id`) takes the id over.
    ok(kttn("init", "--same-id", "ban-sao.toml"))
    path = here / "ban-sao.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'number = "01-KH/BCĐ"', 'number = "01-KH/BCĐ-SỬA"'
        ),
        "utf-8",
    )
    copy = ok(kttn("show", "plan", "--plan", BUNDLED_ID))
    assert "01-KH/BCĐ-SỬA" in copy.out, copy.out
    # ... and is the plan used when none is named; gone, the bundled plan is again.
    assert "01-KH/BCĐ-SỬA" in ok(kttn("show", "plan")).out
    path.unlink()
    assert "01-KH/BCĐ-SỬA" not in ok(kttn("show", "plan")).out
