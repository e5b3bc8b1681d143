"""Plans that change while the ledger has records (docs/architecture.md, "Plans that
change"): the README's placeholder replacement run as written, renamed milestones, records
that point nowhere, units with a life span and their successors."""

from __future__ import annotations

import json
import os
import re
import shlex
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli

from helpers import DATA, ROOT, SMALL_PLAN, kttn, ok
from kttn_cli.core.model import Status
from kttn_cli.core.obligations import Book, obligations
from kttn_cli.core.roster import Roster
from kttn_cli.schema.plan import PlanFile

LIFESPAN_PLAN = DATA / "lifespan_plan.toml"
SECTION = "Sửa kế hoạch khi đã có dữ liệu"


# --- the README, as written ------------------------------------------------------------


def readme_section(title: str) -> str:
    """The section of README.md with this title (up to the next heading of its level or
    above)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^(#+) {re.escape(title)}\n", text, re.M)
    assert found, f"no section {title!r} in README.md"
    level = len(found[1])
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, found.end())
    return text[found.end() : end.start() if end else len(text)]


def fenced_blocks(section: str) -> list[tuple[str, str]]:
    """(info string, body) of each fenced block, in order."""
    return [
        (m[1].strip(), m[2]) for m in re.finditer(r"^```([^\n]*)\n(.*?)^```$", section, re.M | re.S)
    ]


def run_section(section: str, workdir: Path) -> list[tuple[list[str], Any]]:
    """Run the section as a person would: each `kttn …` line of a `sh` block, and each
    TOML edit (a `toml tìm` block, then the `toml thay` block that replaces it) on the
    plan file the section names. Returns each command with its result."""
    plan_file = workdir / re.search(r"`([\w.-]+\.toml)`", section)[1]  # type: ignore[index]
    done: list[tuple[list[str], Any]] = []
    pending_find: str | None = None
    for info, body in fenced_blocks(section):
        if info == "sh":
            for line in body.splitlines():
                words = shlex.split(line, comments=True)
                if words:
                    assert words[0] == "kttn", line
                    done.append((words, kttn(*words[1:])))
        elif info == "toml tìm":
            pending_find = body
        elif info == "toml thay":
            assert pending_find is not None, "a 'toml thay' block without its 'toml tìm'"
            text = plan_file.read_text(encoding="utf-8")
            assert text.count(pending_find) == 1, f"not found once in {plan_file}:\n{pending_find}"
            plan_file.write_text(text.replace(pending_find, body), encoding="utf-8")
            pending_find = None
    assert pending_find is None, "a 'toml tìm' block without its 'toml thay'"
    return done


def rows(*args: str) -> list[dict[str, Any]]:
    result = ok(kttn(*args, "--format", "json"))
    return list(json.loads(result.out)["obligations"])


def statuses(found: list[dict[str, Any]], milestone: str) -> dict[str, str]:
    return {r["unit_id"]: r["status"] for r in found if r["milestone_id"] == milestone}


def test_the_readme_placeholder_replacement_keeps_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KTTN_TODAY", "2024-07-10")
    # The ledger of the bundled plan, with records for the placeholder.
    ok(
        kttn(
            "submit",
            "III.1-bc-6-thang",
            "thanh-vien-bcd",
            "--on",
            "2024-06-18",
            "--ref",
            "12-BC/BCĐ",
        )
    )
    ok(
        kttn(
            "extend",
            "III.1-bc-nam",
            "thanh-vien-bcd",
            "--to",
            "2025-01-15",
            "--reason",
            "BCĐ đồng ý",
        )
    )
    ok(kttn("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-25", "--ref", "45-BC/HU"))

    done = run_section(readme_section(SECTION), tmp_path)

    commands = [" ".join(words) for words, _ in done]
    assert commands[0] == "kttn init --same-id ke-hoach.toml"
    for words, result in done:
        assert result.code == 0, f"{' '.join(words)}\n{result}"
    check = next(r for w, r in done if w[1] == "check")
    assert "lỗi" not in check.err, check
    log = next(r for w, r in done if w[1] == "log")
    for ident in ("r1", "r2", "r3"):
        assert re.search(rf"^│ {ident} ", log.out, re.M), log.out
    shown = next(r for w, r in done if w[1:3] == ["show", "III.1-bc-6-thang"])
    flat = " ".join(shown.out.split())
    assert "Đ/c Nguyễn Văn A — Quá hạn: quá hạn 21 ngày" in flat, shown.out
    assert "Đ/c Trần Thị B — Quá hạn: quá hạn 21 ngày" in flat, shown.out
    assert (
        "Thành viên BCĐ tỉnh (đã được thay thế; bản ghi của chính đơn vị) — "
        "Hoàn thành đúng hạn (18/06/2024, 12-BC/BCĐ)"
    ) in flat, shown.out
    placeholder = next(r for w, r in done if w[1:3] == ["show", "thanh-vien-bcd"])
    assert "III.1-bc-6-thang" in placeholder.out, placeholder.out
    status = next(r for w, r in done if w[1] == "status")
    flat = " ".join(status.out.split())
    # Its share of the rates is stated, not spread over the members.
    assert (
        "1 đầu việc là bản ghi của đơn vị chung đã được thay thế, tính theo đúng bản ghi." in flat
    )
    assert "Tỷ lệ hoàn thành: 33,3% (1/3)" in flat, status.out

    found = rows("status", "--plan", "kh-01-bcd-2024", "--task", "III.1")
    assert statuses(found, "III.1-bc-6-thang") == {
        "tv-nguyen-van-a": "overdue",
        "tv-tran-thi-b": "overdue",
        "thanh-vien-bcd": "on_time",
    }
    # An extension alone is no share of anyone's (it stays in the log): nobody is chased.
    assert statuses(found, "III.1-bc-nam") == {
        "tv-nguyen-van-a": "pending",
        "tv-tran-thi-b": "pending",
    }
    # The members are units like any other: their reports can be recorded.
    ok(
        kttn(
            "submit",
            "III.1-bc-6-thang",
            "tv-nguyen-van-a",
            "--on",
            "2024-07-01",
            "--plan",
            "kh-01-bcd-2024",
        )
    )
    found = rows("status", "--plan", "ke-hoach.toml", "--task", "III.1")
    assert statuses(found, "III.1-bc-6-thang")["tv-nguyen-van-a"] == "late"
    # The other placeholder's records and every other record are untouched.
    assert (
        statuses(rows("status", "--plan", "kh-01-bcd-2024"), "III.2-bc-6-thang")["van-lam"]
        == "on_time"
    )


# --- renamed milestones ------------------------------------------------------------------


def plan_copy(tmp_path: Path, text: str | None = None) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(
        text if text is not None else SMALL_PLAN.read_text(encoding="utf-8"), encoding="utf-8"
    )
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_milestone_renamed_with_renamed_from_keeps_its_submissions(tmp_path: Path) -> None:
    plan = plan_copy(tmp_path)
    ok(
        kttn(
            "submit",
            "bc-6-thang",
            "van-lam",
            "--on",
            "2024-06-25",
            "--ref",
            "1-BC/HU",
            "--plan",
            str(plan),
        )
    )
    ok(
        kttn(
            "extend",
            "bc-6-thang",
            "van-giang",
            "--to",
            "2024-07-20",
            "--reason",
            "đồng ý",
            "--plan",
            str(plan),
        )
    )
    edit(plan, 'id = "bc-6-thang"', 'id = "bc-sau-thang"\nrenamed_from = ["bc-6-thang"]')
    edit(plan, 'inputs = ["bc-6-thang"]', 'inputs = ["bc-sau-thang"]')

    ok(kttn("check", "--plan", str(plan)))
    found = rows("status", "--plan", str(plan), "--as-of", "2024-07-10")
    assert statuses(found, "bc-sau-thang") == {"van-lam": "on_time", "van-giang": "pending"}
    extended = next(
        r for r in found if r["milestone_id"] == "bc-sau-thang" and r["unit_id"] == "van-giang"
    )
    assert extended["due"] == "2024-07-20" and extended["extended"] is True
    assert not any(r["milestone_id"] == "bc-6-thang" for r in found)
    # The old record is withdrawn and replaced through the new id, like any other.
    ok(
        kttn(
            "submit",
            "bc-sau-thang",
            "van-lam",
            "--on",
            "2024-06-26",
            "--replace",
            "--plan",
            str(plan),
        )
    )
    log = ok(kttn("log", "--plan", str(plan), "--format", "json"))
    assert [r["id"] for r in json.loads(log.out)] == ["r1", "r2", "r3", "r4"], log.out


def test_the_old_id_still_names_the_milestone_or_units_that_took_over(tmp_path: Path) -> None:
    """What the clerk remembers (and the ledger holds) still works on the command line:
    a renamed milestone's old id finds it; a unit's id replaced by one unit finds that
    unit, replaced by several is a choice to make."""
    plan = plan_copy(tmp_path)
    edit(plan, 'id = "bc-6-thang"', 'id = "bc-sau-thang"\nrenamed_from = ["bc-6-thang"]')
    edit(plan, 'inputs = ["bc-6-thang"]', 'inputs = ["bc-sau-thang"]')
    result = ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", "--plan", str(plan)))
    log = json.loads(ok(kttn("log", "--plan", str(plan), "--format", "json")).out)
    assert [(r["milestone"], r["unit"]) for r in log] == [("bc-sau-thang", "van-lam")], result
    shown = ok(kttn("show", "bc-6-thang", "--plan", str(plan), "--as-of", "2024-07-10"))
    assert "bc-sau-thang" in shown.out
    edit(
        plan,
        'short = "Văn Giang"\n',
        'short = "Văn Giang"\nreplaces = ["giang-cu"]\n',
    )
    one = ok(kttn("show", "giang-cu", "--plan", str(plan), "--as-of", "2024-07-10"))
    assert "Huyện ủy Văn Giang" in one.out
    edit(plan, 'short = "Văn Lâm"\n', 'short = "Văn Lâm"\nreplaces = ["giang-cu"]\n')
    two = kttn("show", "giang-cu", "--plan", str(plan))
    assert two.code == 2, two
    assert "van-lam (Huyện ủy Văn Lâm), van-giang (Huyện ủy Văn Giang)" in two.err, two


def test_a_renamed_milestone_without_its_mapping_is_a_problem_until_mapped(tmp_path: Path) -> None:
    plan = plan_copy(tmp_path)
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", "--plan", str(plan)))
    edit(plan, 'id = "bc-6-thang"', 'id = "bc-sau-thang"')
    edit(plan, 'inputs = ["bc-6-thang"]', 'inputs = ["bc-sau-thang"]')
    check = kttn("check", "--plan", str(plan))
    assert check.code == 65, check
    assert (
        "records[0].milestone: bản ghi r1 ghi mốc 'bc-6-thang' mà kế hoạch không còn: thêm "
        "renamed_from = ['bc-6-thang'] vào mốc đã thay cho nó, hoặc hủy bản ghi bằng "
        "`kttn void r1 --reason …`"
    ) in check.out, check
    edit(plan, 'id = "bc-sau-thang"', 'id = "bc-sau-thang"\nrenamed_from = ["bc-6-thang"]')
    ok(kttn("check", "--plan", str(plan)))


# --- a record that points nowhere -------------------------------------------------------


@pytest.fixture
def orphan(tmp_path: Path) -> Path:
    """A ledger with r1 for van-giang, then a plan that no longer knows van-giang."""
    plan = plan_copy(tmp_path)
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-20", "--plan", str(plan)))
    edit(
        plan,
        '[[units]]\nid = "van-giang"\nname = "Huyện ủy Văn Giang"\nshort = "Văn Giang"\n'
        'kind = "district_committee"\n',
        "",
    )
    edit(plan, '    "van-giang",\n', "")
    return plan


PROBLEM = "bản ghi r1 ghi đơn vị 'van-giang' mà kế hoạch không còn"
VIEWS = [
    ("status",),
    ("status", "--format", "json"),
    ("board",),
    ("overdue",),
    ("overdue", "--format", "plain"),
    ("overdue", "--format", "json"),
    ("upcoming", "--days", "30"),
    ("show", "bc-6-thang"),
    ("show", "van-lam"),
    ("show", "plan"),
    ("tasks",),
    ("units",),
    ("log",),
    ("log", "--format", "json"),
    ("export", "--format", "csv"),
    ("export", "--format", "ics"),
]


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_views_state_a_record_that_points_nowhere_and_go_on(
    orphan: Path, args: tuple[str, ...]
) -> None:
    result = ok(kttn(*args, "--plan", str(orphan), "--as-of", "2024-07-10"))
    said = " ".join(result.out.split()) + " ".join(result.err.split())
    assert PROBLEM in said, result
    assert said.count(PROBLEM) == 1, f"stated once, on stdout or stderr:\n{result}"


WRITES = [
    ("submit", "bc-6-thang", "van-lam", "--on", "2024-06-20"),
    ("extend", "bc-6-thang", "van-lam", "--to", "2024-08-01", "--reason", "x"),
    ("schedule", "giao-ban", "--on", "2024-09-20", "--reason", "x"),
    ("task", "add", "--title", "T", "--by", "1-CV/TU", "--unit", "van-lam"),
]


@pytest.mark.parametrize("args", WRITES, ids=lambda a: a[0])
def test_writes_refuse_until_the_record_is_resolved(orphan: Path, args: tuple[str, ...]) -> None:
    ledger = orphan.parent / "data" / "small.ledger.toml"
    before = ledger.read_bytes()
    result = kttn(*args, "--plan", str(orphan))
    assert result.code == 65, result
    assert "chưa ghi gì: sổ theo dõi có 1 lỗi cần xử lý trước" in result.err, result
    assert PROBLEM in result.err, result
    assert ledger.read_bytes() == before


def test_check_names_the_record_and_the_two_ways_out_and_void_resolves_it(orphan: Path) -> None:
    check = kttn("check", "--plan", str(orphan))
    assert check.code == 65, check
    assert check.out.endswith(
        "records[0].unit: bản ghi r1 ghi đơn vị 'van-giang' mà kế hoạch không còn: thêm "
        "replaces = ['van-giang'] vào (các) đơn vị thay thế, hoặc hủy bản ghi bằng "
        "`kttn void r1 --reason …`\n"
    ), check
    assert check.err == "kttn: 1 lỗi.\n", check
    void = ok(kttn("void", "r1", "--reason", "Văn Giang đã sáp nhập", "--plan", str(orphan)))
    assert void.out == "Đã ghi r2: hủy bản ghi r1\n" and void.err == "", void
    ok(kttn("check", "--plan", str(orphan)))
    status = ok(kttn("status", "--plan", str(orphan), "--as-of", "2024-07-10"))
    assert "lỗi" not in status.out and status.err == "", status
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-20", "--plan", str(orphan)))
    log = ok(kttn("log", "--plan", str(orphan), "--format", "json"))
    assert [r["id"] for r in json.loads(log.out)] == ["r1", "r2", "r3"]


def test_the_other_way_out_is_a_mapping_in_the_plan(orphan: Path) -> None:
    edit(orphan, 'id = "van-lam"\n', 'id = "van-lam"\nreplaces = ["van-giang"]\n')
    ok(kttn("check", "--plan", str(orphan)))
    found = rows("status", "--plan", str(orphan), "--as-of", "2024-07-10")
    # A unit replaced by one unit is a rename: its record is read as that unit's.
    assert statuses(found, "bc-6-thang") == {"van-lam": "on_time"}


def test_voided_records_that_point_nowhere_are_not_problems(tmp_path: Path) -> None:
    plan = plan_copy(tmp_path)
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-20", "--plan", str(plan)))
    ok(
        kttn(
            "task",
            "add",
            "--title",
            "T",
            "--by",
            "1-CV/TU",
            "--unit",
            "van-giang",
            "--plan",
            str(plan),
        )
    )
    ok(kttn("void", "r1", "--reason", "nhầm", "--plan", str(plan)))
    ok(kttn("void", "r2", "--reason", "nhầm", "--plan", str(plan)))
    edit(plan, 'id = "van-giang"', 'id = "van-giang-cu"')
    edit(plan, '"van-giang",', '"van-giang-cu",')
    ok(kttn("check", "--plan", str(plan)))
    status = ok(kttn("status", "--plan", str(plan), "--as-of", "2024-07-10"))
    assert status.err == "" and "lỗi" not in status.out, status


# --- units with a life span ---------------------------------------------------------------


def test_each_deadline_has_its_owner_on_both_sides_of_the_change() -> None:
    found = rows("status", "--plan", str(LIFESPAN_PLAN), "--as-of", "2025-10-01")
    before = {"van-lam": "overdue", "van-giang": "overdue"}
    after = {
        "van-lam": "not_owed",
        "van-giang": "not_owed",
        "nhu-quynh": "overdue",
        "van-giang-moi": "overdue",
    }
    assert statuses(found, "bc-6-thang") == before  # last day 19/06/2025
    assert statuses(found, "bc-quy-2025-q1") == before
    assert statuses(found, "bc-quy-2025-q2") == before
    assert statuses(found, "bc-9-thang") == after  # last day 19/09/2025
    assert statuses(found, "bc-quy-2025-q3") == after
    assert statuses(found, "bc-quy-2025-q4") == {
        **after,
        "nhu-quynh": "pending",
        "van-giang-moi": "pending",
    }


def test_not_owed_obligations_are_shown_outside_the_rates() -> None:
    status = ok(kttn("status", "--plan", str(LIFESPAN_PLAN), "--as-of", "2025-10-01"))
    flat = " ".join(status.out.split())
    assert "Tỷ lệ hoàn thành: 0,0% (0/10)" in flat, status.out
    assert "6 đầu việc ngoài thời gian hoạt động của đơn vị, không tính." in flat, status.out
    shown = ok(kttn("show", "bc-9-thang", "--plan", str(LIFESPAN_PLAN), "--as-of", "2025-10-01"))
    flat = " ".join(shown.out.split())
    assert "Đơn vị: Văn Lâm — Không phải thực hiện (đơn vị không còn hoặc chưa thành lập)" in flat
    assert "Đơn vị: Như Quỳnh (thay Văn Lâm) — Quá hạn: quá hạn 12 ngày" in flat, shown.out
    overdue = ok(
        kttn("overdue", "--plan", str(LIFESPAN_PLAN), "--as-of", "2025-10-01", "-f", "json")
    )
    units = {(r["milestone_id"], r["unit_id"]) for r in json.loads(overdue.out)["obligations"]}
    assert ("bc-9-thang", "nhu-quynh") in units and ("bc-9-thang", "van-lam") not in units


def test_a_successor_records_what_it_took_over(tmp_path: Path) -> None:
    plan = plan_copy(tmp_path, LIFESPAN_PLAN.read_text(encoding="utf-8"))
    ok(kttn("submit", "bc-9-thang", "nhu-quynh", "--on", "2025-09-15", "--plan", str(plan)))
    # The old unit delivered the quarter III report before it was dissolved: its own.
    ok(kttn("submit", "bc-quy-2025-q3", "van-giang", "--on", "2025-06-28", "--plan", str(plan)))
    found = rows("status", "--plan", str(plan), "--as-of", "2025-10-01")
    assert statuses(found, "bc-9-thang")["nhu-quynh"] == "on_time"
    assert statuses(found, "bc-quy-2025-q3") == {
        "van-lam": "not_owed",
        "van-giang": "on_time",
        "nhu-quynh": "overdue",
    }


def test_a_writes_obligations_of_one_milestone_are_those_of_the_whole_plan(
    tmp_path: Path,
) -> None:
    """A write asks only for the milestone it names: the same obligations (heirs, not
    owed, history) as the whole plan's, for every milestone."""
    from kttn_cli.storage import loader

    plan = plan_copy(tmp_path, LIFESPAN_PLAN.read_text(encoding="utf-8"))
    ok(kttn("submit", "bc-9-thang", "nhu-quynh", "--on", "2025-09-15", "--plan", str(plan)))
    ok(kttn("submit", "bc-quy-2025-q3", "van-giang", "--on", "2025-06-28", "--plan", str(plan)))
    [ledger] = Path(os.environ["KTTN_DATA_DIR"]).glob("*.ledger.toml")
    state = loader.load(plan, ledger, tmp_path / "cache")
    assert len(state.book.submissions) == 2
    whole = obligations(state.plan, state.book)
    milestones = {o.milestone.id for o in whole}
    assert len(milestones) > 5
    for milestone in milestones:
        alone = obligations(state.plan, state.book, only=milestone)
        assert alone == [o for o in whole if o.milestone.id == milestone], milestone


@pytest.mark.parametrize(
    ("day", "units"),
    [
        ("2025-06-30", ["office", "van-lam", "van-giang"]),
        ("2025-07-01", ["office", "nhu-quynh", "van-giang-moi"]),
    ],
)
def test_units_as_of_a_day_are_those_that_exist_on_it(day: str, units: list[str]) -> None:
    result = ok(kttn("units", "--plan", str(LIFESPAN_PLAN), "--as-of", day, "--format", "json"))
    assert [u["id"] for u in json.loads(result.out)["units"]] == units
    table = ok(kttn("units", "--plan", str(LIFESPAN_PLAN), "--as-of", day))
    assert f"Các đơn vị đang tồn tại vào ngày {date.fromisoformat(day):%d/%m/%Y}" in table.out


# --- the roster in the core ---------------------------------------------------------------

CHAIN = """
schema_version = 2
[plan]
id = "chain"
number = "1"
title = "t"
issued_on = 2025-01-01
place = "p"
issuer = "i"
header = ["h"]
[plan.signer]
name = "n"
title = "t"
[[units]]
id = "a"
name = "A"
kind = "district_committee"
active_until = 2025-03-31
[[units]]
id = "b"
name = "B"
kind = "district_committee"
active_from = 2025-04-01
active_until = 2025-06-30
replaces = ["a"]
[[units]]
id = "c"
name = "C"
kind = "party_committee"
active_from = 2025-07-01
replaces = ["b", "gone"]
[[tasks]]
id = "T"
section = "II"
title = "t"
text = "t"
source = "s"
[[tasks.milestones]]
id = "m"
title = "Báo cáo tháng"
due = { kind = "date", qualifier = "chậm nhất" }
due_text = "chậm nhất ngày 25 hằng tháng"
assignees = ["a"]
repeat = { every = "month", day = 25, from = 2025-01-01, until = 2025-12-31 }
source = "s"
"""


def chain_plan(text: str = CHAIN) -> Any:
    return PlanFile.model_validate(tomli.loads(text)).to_core()


def test_heirs_follow_a_chain_of_replacements() -> None:
    plan = chain_plan()
    owners = {
        (o.milestone.id, o.unit_id): (o.owed, o.inherited_from)
        for o in obligations(plan, Book.read(plan, []))
    }
    assert owners[("m-2025-03", "a")] == (True, None)
    assert owners[("m-2025-05", "a")] == (False, None)
    assert owners[("m-2025-05", "b")] == (True, "a")
    assert owners[("m-2025-09", "c")] == (True, "a")
    assert ("m-2025-09", "b") not in owners
    roster = Roster.of(plan)
    # An id only a mapping knows, replaced by one unit, is read as that unit's.
    assert roster.unit(plan, "gone").unit_id == "c"  # type: ignore[union-attr]
    assert roster.unit(plan, "nowhere") is None


def test_a_circle_of_replacements_is_a_plan_problem_not_a_loop(tmp_path: Path) -> None:
    text = CHAIN.replace('replaces = ["a"]', 'replaces = ["a", "c"]')
    plan = chain_plan(text)
    assert Roster.of(plan).cycles()
    path = tmp_path / "chain.toml"
    path.write_text(text, encoding="utf-8")
    check = kttn("check", "--plan", str(path))
    assert check.code == 65, check
    assert "các đơn vị thay thế nhau thành vòng: " in check.out, check
    # A rename cycle among ids the plan does not list reads as nothing, without looping.
    looped = chain_plan(
        CHAIN.replace('replaces = ["b", "gone"]', 'replaces = ["b", "x"]').replace(
            'replaces = ["a"]', 'replaces = ["a"]'
        )
    )
    assert Roster.of(looped).unit(looped, "y") is None


def test_status_enum_not_owed_is_outside_the_rates_in_the_core() -> None:
    plan = chain_plan()
    from kttn_cli.core.status import judge_all, rates

    judged = judge_all(obligations(plan, Book.read(plan, [])), date(2025, 12, 31), 7)
    summary = rates(judged)
    assert summary.counts[Status.NOT_OWED] == sum(1 for j in judged if not j.obligation.owed) > 0
    assert summary.denominator == sum(1 for j in judged if j.obligation.owed)
