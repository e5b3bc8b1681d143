"""What the view tests share (no tests here): a small ledger, plan variants, a reader for
Rich tables."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import BUNDLED_PLAN

# A ledger as `kttn` writes it (storage/ledger_file.py HEADER + `[[records]]`), written
# here by hand so that the views can be tested without the recording commands. It holds
# every status the views show, with the bundled plan, on the dates the goldens use:
# on time, late, done (undated), a voided submission, an extension, an ad-hoc task
# (II.7), and a report received after 01/01/2025 that must not count before that day.
SMALL_LEDGER = """\
# Sổ theo dõi của kttn: do kttn ghi, không sửa bằng tay.
# Written by kttn: do not edit by hand; use `kttn submit`, `kttn void`, `kttn extend`.
schema_version = 1
plan = "kh-01-bcd-2024"

[[records]]
id = "r1"
recorded_at = 2024-03-15T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-ke-hoach"
unit = "van-lam"
on = 2024-03-15
reference = "30-KH/HU"

[[records]]
id = "r2"
recorded_at = 2024-03-28T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "II.2-giao-chi-tieu"
unit = "btctu"
on = 2024-03-28
reference = "15-CV/BTCTU"

[[records]]
id = "r3"
recorded_at = 2024-04-03T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "II.3-huong-dan-khao-sat"
unit = "btctu"
on = 2024-04-03
reference = "16-HD/BTCTU"

[[records]]
id = "r4"
recorded_at = 2024-06-19T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.1-bc-6-thang"
unit = "thanh-vien-bcd"
on = 2024-06-19

[[records]]
id = "r5"
recorded_at = 2024-06-27T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-6-thang"
unit = "khoai-chau"
on = 2024-06-27
note = "nhầm đơn vị"

[[records]]
id = "r6"
recorded_at = 2024-06-27T03:00:00Z
recorded_by = "clerk"
type = "void"
target = "r5"
reason = "ghi nhầm: báo cáo của Kim Động"

[[records]]
id = "r7"
recorded_at = 2024-06-28T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-6-thang"
unit = "van-lam"
on = 2024-06-28
reference = "45-BC/HU"

[[records]]
id = "r8"
recorded_at = 2024-06-28T03:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-6-thang"
unit = "tp-hung-yen"
on = 2024-06-28
reference = "102-BC/TU"

[[records]]
id = "r9"
recorded_at = 2024-06-29T02:00:00Z
recorded_by = "clerk"
type = "extension"
milestone = "III.2-bc-6-thang"
unit = "kim-dong"
to = 2024-07-05
reason = "Công văn 123-CV/BCĐ đồng ý gia hạn"

[[records]]
id = "r10"
recorded_at = 2024-06-30T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-6-thang"
unit = "dukcq-dn"
on = 2024-06-30
reference = "88-BC/ĐU"

[[records]]
id = "r11"
recorded_at = 2024-07-01T02:00:00Z
recorded_by = "clerk"
type = "task"
milestone = "II.7-chuyen-de"
title = "Báo cáo chuyên đề phát triển đảng viên trong doanh nghiệp FDI"
due = 2024-07-15
units = ["btctu"]
assigned_by = "Công văn 456-CV/TU"
recipient = "btv-tu"

[[records]]
id = "r12"
recorded_at = 2024-07-02T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-6-thang"
unit = "yen-my"
on = 2024-07-02
reference = "20-BC/HU"

[[records]]
id = "r13"
recorded_at = 2024-07-04T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.3-bc-6-thang"
unit = "btctu"
on = 2024-07-04
reference = "250-BC/BTCTU"

[[records]]
id = "r14"
recorded_at = 2024-12-30T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-nam"
unit = "van-lam"
on = 2024-12-30
reference = "60-BC/HU"

[[records]]
id = "r15"
recorded_at = 2024-12-31T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-nam"
unit = "dukcq-dn"
on = 2024-12-31
reference = "120-BC/ĐU"

[[records]]
id = "r16"
recorded_at = 2025-01-02T02:00:00Z
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-nam"
unit = "tp-hung-yen"
on = 2025-01-02
reference = "140-BC/TU"
"""


def write_ledger(directory: Path) -> Path:
    path = directory / "small.ledger.toml"
    path.write_text(SMALL_LEDGER, encoding="utf-8")
    return path


def plan_variant(directory: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """A copy of the bundled plan with exact text replacements (each must apply)."""
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"the bundled plan no longer contains {old!r}"
        text = text.replace(old, new, 1)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


SHIFT_ON = ("shift_to_working_day = false", "shift_to_working_day = true")


def shifting_plan(directory: Path) -> Path:
    """The bundled plan with Civil Code Art. 148 on: weekend and holiday deadlines move."""
    return plan_variant(directory, "shifting_plan.toml", SHIFT_ON)


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def table_rows(output: str, *, separated: bool) -> list[list[str]]:
    """The body rows of the Rich tables in `output`, each a list of cell texts.

    A cell's lines are joined with single spaces, which gives back the text Rich wrapped
    at spaces; a word folded mid-way would come back split, which is what the tests look
    for. Rows are told apart by the lines between them (`separated`, show_lines tables)
    or by a non-empty first cell.
    """
    rows: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in output.splitlines():
        if line.startswith(("┡", "├", "+", "|-")) or line.startswith("└"):
            current = None
            continue
        if not line.startswith(("│", "|")) or line.startswith("|-"):
            current = None if not line.startswith(("┃",)) else current
            continue
        bar = line[0]
        cells = [c.strip() for c in line.strip().strip(bar).split(bar)]
        starts_row = current is None or (not separated and cells[0] != "")
        if starts_row:
            current = [[] for _ in cells]
            rows.append(current)
        assert current is not None
        for i, cell in enumerate(cells):
            if cell:
                current[i].append(cell)
    return [[" ".join(parts) for parts in row] for row in rows]
