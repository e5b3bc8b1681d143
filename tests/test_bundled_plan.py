"""The bundled plan says what Plan 01-KH/BCĐ says: checked against the document's text.

`tests/data/ke-hoach-01-KH-BCD-2024.md` is a copy of the plan's full text. Every wording
the TOML claims to quote must be found in it verbatim, every deadline in sections II and
III must be encoded, and nothing may be dated that the document leaves undated.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kttn_cli.storage.plan_file import BUNDLED_PLAN

SOURCE = Path(__file__).parent / "data" / "ke-hoach-01-KH-BCD-2024.md"
NO_DEADLINE = "(không nêu thời hạn)"
ROMAN = ("I", "II", "III", "IV")
DATE_IN_TEXT = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def _flat(text: str) -> str:
    """NFC, without Markdown emphasis and with single spaces: the words as printed."""
    text = unicodedata.normalize("NFC", text).replace("*", "")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def source() -> str:
    return _flat(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sections_two_and_three(source: str) -> str:
    start = source.index("II- NỘI DUNG, THỜI GIAN THỰC HIỆN")
    end = source.index("Nơi nhận:")
    return source[start:end]


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    with BUNDLED_PLAN.open("rb") as handle:
        return tomllib.load(handle)


def _milestones(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for t in plan["tasks"] for m in t["milestones"]]


def test_document_identity(plan: dict[str, Any], source: str) -> None:
    meta = plan["plan"]
    assert meta["number"] == "01-KH/BCĐ" and "Số: 01 - KH/BCĐ" in source
    assert meta["issued_on"] == date(2024, 2, 5) and "ngày 05 tháng 02 năm 2024" in source
    assert meta["place"] == "Hưng Yên"
    assert meta["signer"]["name"] == "Phạm Văn Khuê" and "Phạm Văn Khuê" in source
    for part in meta["signer"]["title"].split(" kiêm "):
        assert part in source
    assert len(meta["implements"]) == 2
    for decision in meta["implements"]:
        assert decision in source, decision


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


def test_task_texts_are_verbatim(plan: dict[str, Any], source: str) -> None:
    for task in plan["tasks"]:
        for line in task["text"].splitlines():
            quoted = _flat(line.removeprefix("- "))
            # The section II items are quoted with their deadline in plain parentheses;
            # the document sets it in italics, which `_flat` already removed.
            assert quoted in source, f"{task['id']}: {quoted!r} is not in the document"


def test_deadline_wording_is_verbatim(plan: dict[str, Any], sections_two_and_three: str) -> None:
    for milestone in _milestones(plan):
        wording = milestone["due_text"]
        if wording == NO_DEADLINE:
            continue
        assert _flat(wording) in sections_two_and_three, f"{milestone['id']}: {wording!r}"


def test_kind_matches_wording(plan: dict[str, Any]) -> None:
    for milestone in _milestones(plan):
        due, wording = milestone["due"], milestone["due_text"]
        label = f"{milestone['id']}: {due} / {wording!r}"
        if due["kind"] == "date":
            written = [date(int(y), int(m), int(d)) for d, m, y in DATE_IN_TEXT.findall(wording)]
            assert written == [due["date"]], label
        elif due["kind"] == "quarter":
            assert f"Quý {ROMAN[due['quarter'] - 1]}/{due['year']}" in wording, label
        elif due["kind"] == "ongoing":
            assert "thường xuyên" in wording.lower(), label
        elif due["kind"] == "on_request":
            assert re.search(r"theo yêu cầu|kịp thời|khi có|nếu có thay đổi", wording, re.I), label
        else:
            assert wording == NO_DEADLINE, label


def test_every_deadline_of_the_document_is_encoded(
    plan: dict[str, Any], sections_two_and_three: str
) -> None:
    written = {
        date(int(y), int(m), int(d)) for d, m, y in DATE_IN_TEXT.findall(sections_two_and_three)
    }
    encoded = {m["due"]["date"] for m in _milestones(plan) if m["due"]["kind"] == "date"}
    assert encoded == written
    quarters = set(re.findall(r"Quý (I|II|III|IV)/(\d{4})", sections_two_and_three))
    encoded_quarters = {
        (ROMAN[m["due"]["quarter"] - 1], str(m["due"]["year"]))
        for m in _milestones(plan)
        if m["due"]["kind"] == "quarter"
    }
    assert encoded_quarters == quarters


def test_reports_go_to_the_standing_office_and_are_consolidated(plan: dict[str, Any]) -> None:
    by_id = {m["id"]: m for m in _milestones(plan)}
    for report in ("III.1-bc-6-thang", "III.1-bc-nam", "III.2-bc-6-thang", "III.2-bc-nam"):
        assert by_id[report]["recipient"] == "btctu"
    assert by_id["III.3-bc-6-thang"]["inputs"] == ["III.1-bc-6-thang", "III.2-bc-6-thang"]
    assert by_id["III.3-bc-nam"]["inputs"] == ["III.1-bc-nam", "III.2-bc-nam"]
    assert by_id["III.3-bc-6-thang"]["recipient"] == by_id["III.3-bc-nam"]["recipient"] == "btv-tu"


def test_district_level_committees(plan: dict[str, Any]) -> None:
    units = {u["id"]: u for u in plan["units"]}
    group = next(g for g in plan["groups"] if g["id"] == "cap-huyen")
    names = [units[member]["name"] for member in group["members"]]
    assert names == [
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
    by_assignees = {m["id"]: m["assignees"] for m in _milestones(plan)}
    for item in ("III.2-ke-hoach", "III.2-bc-6-thang", "III.2-bc-nam", "III.2-phan-anh"):
        assert by_assignees[item] == ["cap-huyen", "duoc-phan-cong"]
    # Recomposing the district-level committees is asked of the Party committees only.
    assert by_assignees["III.2-kien-toan"] == ["cap-huyen"]


def test_bodies_the_document_does_not_list_stay_collective(plan: dict[str, Any]) -> None:
    """No invented people: members and assigned bodies are one collective unit each."""
    units = {u["id"]: u for u in plan["units"]}
    groups = {g["id"]: g["members"] for g in plan["groups"]}
    for group in ("thanh-vien", "duoc-phan-cong"):
        (member,) = groups[group]
        assert units[member]["kind"] == "collective"
    assert all("email" not in u for u in plan["units"])
