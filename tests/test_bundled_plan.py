"""The bundled plan says what Plan 01-KH/BCĐ says: checked against the document's text.

`tests/data/ke-hoach-01-KH-BCD-2024.md` is a copy of the plan's full text. Every wording
the TOML quotes must be found in it verbatim, every deadline of sections II and III must
be encoded with the word the text puts before it, nothing may be dated that the text
leaves undated, and every recipient, owner and link between milestones must stand in the
text or be marked as inferred (docs/architecture.md, "The bundled plan").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from datetime import date
from typing import Any

import pytest

from helpers import BUNDLED_PLAN, PLAN_TEXT, kttn, ok

NO_DEADLINE = "(không nêu thời hạn)"
ROMAN = ("I", "II", "III", "IV")
DATE_IN_TEXT = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
# How the text names each body a milestone can go to.
NAMED_IN_TEXT = {
    "btctu": "Ban Tổ chức Tỉnh ủy",
    "btv-tu": "Ban Thường vụ Tỉnh ủy",
    "tt-tu": "Thường trực",
    "bcd-tinh": "Ban Chỉ đạo tỉnh",
}


def _flat(text: str) -> str:
    """NFC, without Markdown emphasis and with single spaces: the words as printed."""
    text = unicodedata.normalize("NFC", text).replace("*", "").replace("#", "")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def source() -> str:
    return _flat(PLAN_TEXT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sections_two_and_three(source: str) -> str:
    return source[source.index("II- NỘI DUNG, THỜI GIAN THỰC HIỆN") : source.index("Nơi nhận:")]


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    with BUNDLED_PLAN.open("rb") as handle:
        return tomllib.load(handle)


def _milestones(plan: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(t, m) for t in plan["tasks"] for m in t["milestones"]]


def _inferred(milestone: dict[str, Any], what: str) -> bool:
    return any(i["what"] == what for i in milestone.get("inferred", []))


def test_the_source_text_is_the_one_shared_with_the_project() -> None:
    shared = PLAN_TEXT.parent.parent.parent.parent / "shared" / "source" / PLAN_TEXT.name
    if shared.exists():
        assert shared.read_bytes() == PLAN_TEXT.read_bytes()


def test_document_identity(plan: dict[str, Any], source: str) -> None:
    meta = plan["plan"]
    assert meta["number"] == "01-KH/BCĐ" and "Số: 01 - KH/BCĐ" in source
    assert meta["issued_on"] == date(2024, 2, 5) and "ngày 05 tháng 02 năm 2024" in source
    assert meta["place"] == "Hưng Yên" and "Hưng Yên, ngày" in source
    assert meta["issuer"] == "Ban Chỉ đạo tỉnh" and "Ban Chỉ đạo tỉnh xây dựng Kế hoạch" in source
    for line in meta["header"]:
        assert _flat(line) in source, line
    assert meta["signer"]["name"] == "Phạm Văn Khuê" and "Phạm Văn Khuê" in source
    for part in meta["signer"]["title"].split(" kiêm "):
        assert part in source
    assert len(meta["basis"]) == 2
    for text in meta["basis"] + meta["purpose"] + meta["requirements"]:
        assert _flat(text) in source, text
    for line in meta["distribution"]:
        assert _flat(line) in source, line


def test_every_numbered_item_is_a_task(plan: dict[str, Any]) -> None:
    ids = [t["id"] for t in plan["tasks"]]
    assert ids == [f"II.{n}" for n in range(1, 8)] + ["III.1", "III.2", "III.3"]
    for task in plan["tasks"]:
        section, number = task["id"].split(".")
        assert task["section"] == section
        assert task["source"] == f"Mục {section}, điểm {number}"
        assert task["milestones"], task["id"]
        for milestone in task["milestones"]:
            assert milestone["source"].startswith(task["source"]), milestone["id"]
    assert [t["id"] for t in plan["tasks"] if t.get("ad_hoc")] == ["II.7"]


def test_task_texts_are_verbatim(plan: dict[str, Any], source: str) -> None:
    for task in plan["tasks"]:
        for line in task["text"].splitlines():
            quoted = _flat(line.removeprefix("- "))
            assert quoted in source, f"{task['id']}: {quoted!r} is not in the document"


def test_deadline_wording_and_qualifier_are_verbatim(
    plan: dict[str, Any], sections_two_and_three: str
) -> None:
    for _task, milestone in _milestones(plan):
        wording, due = milestone["due_text"], milestone["due"]
        if wording != NO_DEADLINE:
            assert _flat(wording) in sections_two_and_three, f"{milestone['id']}: {wording!r}"
        if due["kind"] == "date":
            day = due["date"]
            written = f"{due['qualifier']} " if due["qualifier"] else ""
            pattern = re.escape(written) + r"(ngày )?0?" + f"{day.day}/0?{day.month}/{day.year}"
            assert re.search(pattern, wording), f"{milestone['id']}: {wording!r} vs {due}"
        elif due["kind"] == "quarter":
            label = f"Quý {ROMAN[due['quarter'] - 1]}/{due['year']}"
            assert f"{due['qualifier']} {label}" in wording, milestone["id"]


def test_kind_matches_wording(plan: dict[str, Any]) -> None:
    for _task, milestone in _milestones(plan):
        due, wording = milestone["due"], milestone["due_text"].lower()
        label = f"{milestone['id']}: {due} / {wording!r}"
        if due["kind"] == "date":
            written = [date(int(y), int(m), int(d)) for d, m, y in DATE_IN_TEXT.findall(wording)]
            assert written == [due["date"]], label
        elif due["kind"] == "ongoing":
            assert "thường xuyên" in wording, label
        elif due["kind"] == "on_request":
            assert "theo yêu cầu" in wording, label
        elif due["kind"] == "when_arises":
            assert re.search(r"kịp thời|khi có|nếu có thay đổi", wording), label
        elif due["kind"] == "none":
            assert wording == NO_DEADLINE, label


def test_every_deadline_of_the_document_is_encoded(
    plan: dict[str, Any], sections_two_and_three: str
) -> None:
    written = {
        date(int(y), int(m), int(d)) for d, m, y in DATE_IN_TEXT.findall(sections_two_and_three)
    }
    encoded = {m["due"]["date"] for _t, m in _milestones(plan) if m["due"]["kind"] == "date"}
    assert encoded == written
    quarters = set(re.findall(r"Quý (I|II|III|IV)/(\d{4})", sections_two_and_three))
    encoded_quarters = {
        (ROMAN[m["due"]["quarter"] - 1], str(m["due"]["year"]))
        for _t, m in _milestones(plan)
        if m["due"]["kind"] == "quarter"
    }
    assert encoded_quarters == quarters


def test_recipients_stand_in_the_text_or_are_marked_inferred(plan: dict[str, Any]) -> None:
    for task, milestone in _milestones(plan):
        if _inferred(milestone, "recipients"):
            continue
        text = _flat(task["text"])
        for recipient in milestone.get("recipients", []):
            assert NAMED_IN_TEXT[recipient] in text, f"{milestone['id']} → {recipient}"
    by_id = {m["id"]: m for _t, m in _milestones(plan)}
    # "Tham mưu Thường trực Tỉnh ủy, Ban Thường vụ Tỉnh ủy": both, in the text's order.
    for item in ("II.2-giao-chi-tieu", "II.3-huong-dan-khao-sat"):
        assert by_id[item]["recipients"] == ["tt-tu", "btv-tu"]
    # Meetings and duties done for the committee go to no one.
    for item in (
        "II.1-hop-bcd",
        "II.4-giao-ban-q1",
        "II.4-giao-ban-q3",
        "II.4-so-ket",
        "II.4-tong-ket",
        "II.5-ke-hoach-kiem-tra",
        "III.3-chu-tri",
    ):
        assert by_id[item].get("recipients", []) == [], item


def test_owners_and_links_stand_in_the_text_or_are_marked_inferred(plan: dict[str, Any]) -> None:
    by_id = {m["id"]: (t, m) for t, m in _milestones(plan)}
    for task, milestone in _milestones(plan):
        if task["section"] == "II":
            # Section II names no owner; III.3 says the standing office carries it out.
            assert _inferred(milestone, "assignees"), milestone["id"]
        for name in milestone.get("inputs", []):
            if _inferred(milestone, "inputs"):
                continue
            source_task, _source = by_id[name]
            assert "để tổng hợp" in source_task["text"], f"{milestone['id']} ← {name}"
    for item in ("II.4-so-ket", "II.4-tong-ket"):
        assert _inferred(by_id[item][1], "inputs"), item


def test_briefings_carry_their_year(plan: dict[str, Any]) -> None:
    titles = {m["id"]: m["title"] for _t, m in _milestones(plan)}
    assert titles["II.4-giao-ban-q1"].endswith("Quý I/2024")
    assert titles["II.4-giao-ban-q3"].endswith("Quý III/2024")


def test_district_level_committees(plan: dict[str, Any]) -> None:
    units = {u["id"]: u for u in plan["units"]}
    group = next(g for g in plan["groups"] if g["id"] == "cap-huyen")
    assert [units[m]["name"] for m in group["members"]] == [
        "Thành ủy Hưng Yên",
        "Thị ủy Mỹ Hào",
        "Huyện ủy Văn Lâm",
        "Huyện ủy Văn Giang",
        "Huyện ủy Yên Mỹ",
        "Huyện ủy Khoái Châu",
        "Huyện ủy Ân Thi",
        "Huyện ủy Kim Động",
        "Huyện ủy Phù Cừ",
        "Huyện ủy Tiên Lữ",
        "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh",
    ]
    by_assignees = {m["id"]: m["assignees"] for _t, m in _milestones(plan)}
    for item in ("III.2-ke-hoach", "III.2-bc-6-thang", "III.2-bc-nam", "III.2-phan-anh"):
        assert by_assignees[item] == ["cap-huyen", "duoc-phan-cong"]
    assert by_assignees["III.2-kien-toan"] == ["cap-huyen"]


def test_bodies_the_document_does_not_list_stay_collective(plan: dict[str, Any]) -> None:
    """No invented people: members and assigned bodies are one collective unit each."""
    units = {u["id"]: u for u in plan["units"]}
    groups = {g["id"]: g["members"] for g in plan["groups"]}
    for group in ("thanh-vien", "duoc-phan-cong"):
        (member,) = groups[group]
        assert units[member]["kind"] == "collective"
    assert all("email" not in u for u in plan["units"])


def test_days_off_cite_their_announcements(plan: dict[str, Any]) -> None:
    rules = plan["deadline_rules"]
    assert rules["before"] == "exclusive" and rules["shift_to_working_day"] is False
    assert rules["days_off"] == [date(2024, 4, 29), date(2025, 5, 2)]
    assert rules["working_days"] == [date(2024, 5, 4), date(2025, 4, 26)]
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    for document in ("2450/VPCP-KGVX", "1570/TB-BLĐTBXH", "6150/TB-BLĐTBXH"):
        assert document in text


def test_show_plan_prints_the_documents_identity() -> None:
    out = ok(kttn("show", "plan")).out
    for words in (
        "Kế hoạch số 01-KH/BCĐ ngày 05/02/2024 của Ban Chỉ đạo tỉnh",
        "Quyết định số 998 - QĐ/TU",
        "Quy chế làm việc",
        "Phạm Văn Khuê",
        "Mục đích",
        "Yêu cầu",
        "Lưu Phòng Tổng hợp, BTCTU.",
    ):
        assert words in " ".join(out.split()), words


def test_show_states_what_is_inferred() -> None:
    out = " ".join(ok(kttn("show", "II.4-so-ket")).out.split())
    assert "Ghi chú: báo cáo đầu vào: suy ra từ Mục II, điểm 4" in out, out
