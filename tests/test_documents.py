"""The office's own documents: the synthesis annex and reminder letters in Word,
the board workbook in Excel.

Every document is read back by real programs: LibreOffice (headless) converts each one to
PDF and to text (the workbook to CSV, every sheet), openpyxl reads the workbook, and the
document's own XML is read for the format (font, sizes, margins, print set-up, chart).
What is read back must agree with the JSON rows of `kttn export` for the same as-of date.

The ledger is the issue's "done when" case, recorded through `kttn submit` and `kttn
extend`: as of 05/07/2024, 10 of the 12 units owing the III.2 six-month report sent it, two
of them late (Tiên Lữ after an extension, the provincial enterprises' committee without
one); Văn Lâm and Ân Thi sent nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, Result, kttn

# Every document goes through LibreOffice (a real process, seconds each): out of the
# inner loop, `pytest -m "not process"`.
pytestmark = pytest.mark.process

AS_OF = "2024-07-05"
SIX_MONTH = "III.2-bc-6-thang"
SYNTHESIS = "III.3-bc-6-thang"
ON_TIME = {
    "tp-hung-yen": ("2024-06-25", "45-BC/TU"),
    "tx-my-hao": ("2024-06-26", "31-BC/TU"),
    "van-giang": ("2024-06-27", "52-BC/HU"),
    "yen-my": ("2024-06-27", "38-BC/HU"),
    "khoai-chau": ("2024-06-28", "61-BC/HU"),
    "kim-dong": ("2024-06-28", "44-BC/HU"),
    "phu-cu": ("2024-06-29", "29-BC/HU"),
    "don-vi-duoc-phan-cong": ("2024-06-29", "07-BC/MTTQ"),
}
EXTENSION = ("tien-lu", "2024-07-02", "BCĐ đồng ý gia hạn theo đề nghị của đơn vị")
LATE = {"tien-lu": ("2024-07-03", "33-BC/HU"), "dukcq-dn": ("2024-07-01", "12-BC/ĐUK")}
MISSING = ("Huyện ủy Văn Lâm", "Huyện ủy Ân Thi")
SUMMARY_VI = (
    "Đến ngày 05/07/2024, 10/12 đơn vị đã gửi báo cáo, trong đó 8 đúng hạn, 2 quá hạn; "
    "còn 2 đơn vị chưa gửi: Huyện ủy Văn Lâm, Huyện ủy Ân Thi."
)
SUMMARY_EN = (
    "As of 05/07/2024, 10 of 12 units have sent their report, of which 8 on time, 2 late; "
    "2 units have not sent it yet: Huyện ủy Văn Lâm, Huyện ủy Ân Thi."
)
LABELS_VI = {
    "on_time": "Hoàn thành đúng hạn",
    "late": "Hoàn thành quá hạn",
    "overdue": "Quá hạn",
    "pending": "Trong hạn",
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


# --- LibreOffice ---------------------------------------------------------------------------


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "LibreOffice is required in CI (apt-get install libreoffice-writer-nogui "
                "libreoffice-calc-nogui)"
            )
        pytest.skip("LibreOffice (soffice) is not installed")
    return exe


def convert(files: list[Path], target: str, outdir: Path, profile: Path) -> None:
    """Convert `files` with one headless LibreOffice run; every output must exist."""
    done = subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *(str(f) for f in files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Error" not in done.stderr, done.stderr


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def csv_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# --- the world: one ledger, its documents, converted once -----------------------------------


@dataclass
class World:
    root: Path
    env: dict[str, str]
    out: Path  # the documents
    text: Path  # LibreOffice's text of each Word document
    pdf: Path
    csv: Path  # LibreOffice's CSV of each sheet of each workbook

    def run(self, *args: str, code: int = 0) -> Result:
        result = kttn(*args, env=self.env)
        assert result.code == code, str(result)
        return result

    def rows(self, *args: str) -> list[dict[str, Any]]:
        data = json.loads(self.run("export", "--format", "json", "--as-of", AS_OF, *args).out)
        rows: list[dict[str, Any]] = data["obligations"]
        return rows


def environment(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KTTN_")}
    for name in ("HOME", "data", "cache", "config"):
        (root / name.lower()).mkdir(exist_ok=True)
    env.update(
        HOME=str(root / "home"),
        KTTN_DATA_DIR=str(root / "data"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_CONFIG_HOME=str(root / "config"),
        KTTN_USER="clerk",
        COLUMNS="80",
        NO_COLOR="1",
    )
    return env


def record_the_ledger(run: Callable[..., Result], *plan: str) -> None:
    """The issue's case, through the commands a clerk types."""
    for unit, (day, ref) in ON_TIME.items():
        run("submit", SIX_MONTH, unit, "--on", day, "--ref", ref, *plan)
    unit, to, reason = EXTENSION
    run("extend", SIX_MONTH, unit, "--to", to, "--reason", reason, "--as-of", "2024-06-29", *plan)
    for unit, (day, ref) in LATE.items():
        run("submit", SIX_MONTH, unit, "--on", day, "--ref", ref, *plan)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("documents")
    env = environment(root)
    out, text, pdf, sheets = (root / n for n in ("out", "text", "pdf", "csv"))
    for directory in (out, text, pdf, sheets):
        directory.mkdir()
    w = World(root, env, out, text, pdf, sheets)
    record_the_ledger(w.run)
    state = ("--as-of", AS_OF)
    w.run("report", SYNTHESIS, *state, "--output", str(out / "annex-vi.docx"))
    w.run("report", SYNTHESIS, *state, "--lang", "en", "--output", str(out / "annex-en.docx"))
    w.run("letters", *state, "--output", str(out / "letters-vi"))
    w.run("letters", *state, "--lang", "en", "--output", str(out / "letters-en"))
    w.run("board", "--format", "xlsx", *state, "--output", str(out / "board-vi.xlsx"))
    w.run("board", "--format", "xlsx", *state, "--lang", "en", "-o", str(out / "board-en.xlsx"))
    w.run("export", "--format", "xlsx", *state, "--output", str(out / "export-vi.xlsx"))
    annexes = [out / "annex-vi.docx", out / "annex-en.docx"]
    vi_letters = sorted((out / "letters-vi").glob("*.docx"))
    # Letters in both languages share file names: each language has its own directory.
    en_letters = sorted((out / "letters-en").glob("*.docx"))
    workbooks = sorted(out.glob("*.xlsx"))
    profile = root / "lo-profile"
    (text / "en").mkdir()
    (pdf / "en").mkdir()
    convert([*annexes, *vi_letters], "txt:Text", text, profile)
    convert(en_letters, "txt:Text", text / "en", profile)
    convert([*annexes, *vi_letters, *workbooks], "pdf", pdf, profile)
    convert(en_letters, "pdf", pdf / "en", profile)
    convert(workbooks, CSV_ALL_SHEETS, sheets, profile)
    yield w


# --- the annex ---------------------------------------------------------------------------


def expected_table_lines(rows: list[dict[str, Any]]) -> list[str]:
    """What a table of the annex reads as, cell by cell, built from the JSON rows (each
    cell a line; the extension cell has the new day and the reason)."""
    reasons = {EXTENSION[0]: EXTENSION[2]}
    lines: list[str] = []
    for number, row in enumerate(rows, start=1):
        days = row["days_late"] or row["days_overdue"]
        lines += [
            str(number),
            row["unit_name"],
            show(row["submitted_on"]),
            row["reference"] or "",
            LABELS_VI[row["status"]],
            str(days) if days else "",
        ]
        if row["extended"]:
            lines += [show(row["due"]), reasons[row["unit_id"]]]
        else:
            lines.append("")
    return lines


def show(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def contains_run(lines: list[str], wanted: list[str]) -> bool:
    return any(lines[i : i + len(wanted)] == wanted for i in range(len(lines)))


def test_the_annex_states_who_reported_when_and_how_late(world: World) -> None:
    lines = lines_of(world.text / "annex-vi.txt")
    text = "\n".join(lines)
    assert SUMMARY_VI in text, text
    rows = world.rows("--task", "III.2")
    six = [r for r in rows if r["milestone_id"] == SIX_MONTH]
    assert [r["status"] for r in six].count("on_time") == 8
    table = expected_table_lines(six)
    assert contains_run(lines, table), "\n".join(table) + "\n---\n" + text
    # The members' report (III.1), the other input of the synthesis, has its own table.
    assert "Đến ngày 05/07/2024, 0/1 đơn vị đã gửi báo cáo" in text
    for words in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO",
        "I. TÌNH HÌNH CÁC ĐƠN VỊ GỬI BÁO CÁO",
        "II. TIẾN ĐỘ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH",
        "Hưng Yên, ngày 05 tháng 7 năm 2024",
        "Số …………-BC/…………",
        "Nơi nhận:",
        "- Ban Thường vụ Tỉnh ủy,",
        "Mục III, điểm 2, gạch đầu dòng 2",
        "xong trước 30/06/2024 (hạn cuối 29/06/2024)",
        "II.4. Tổ chức Hội nghị giao ban Quý I, Quý III, sơ kết 06 tháng đầu năm",
        "Hội nghị sơ kết 06 tháng đầu năm 2024",
    ):
        assert words in text, words
    pdf = world.pdf / "annex-vi.pdf"
    assert pdf.read_bytes().startswith(b"%PDF"), pdf


def test_the_annex_in_english(world: World) -> None:
    text = "\n".join(lines_of(world.text / "annex-en.txt"))
    assert SUMMARY_EN in text, text
    for words in ("REPORT", "I. REPORTS RECEIVED", "Recipients:", "Done late", "Received on"):
        assert words in text, words
    assert "Nơi nhận" not in text and "Hoàn thành" not in text, text


def test_the_annex_is_in_the_party_format(world: World) -> None:
    """A4, the margins of Hướng dẫn 36-HD/VPTW, Times New Roman at its sizes."""
    archive = zipfile.ZipFile(world.out / "annex-vi.docx")
    body = ET.fromstring(archive.read("word/document.xml"))
    section = body.find(f".//{W}sectPr")
    assert section is not None
    size = section.find(f"{W}pgSz")
    margins = section.find(f"{W}pgMar")
    assert size is not None and margins is not None
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")  # 210 × 297 mm
    mm = {
        k: round(int(margins.get(f"{W}{k}") or 0) * 25.4 / 1440)
        for k in ("top", "bottom", "left", "right")
    }
    assert mm == {"top": 20, "bottom": 20, "left": 30, "right": 15}, mm
    styles = ET.fromstring(archive.read("word/styles.xml"))
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults is not None
    assert {defaults.get(f"{W}{k}") for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    assert not [k for k in defaults.attrib if k.endswith("Theme") or k.endswith("theme")]
    runs = {}
    for run in body.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        props = run.find(f"{W}rPr")
        if not text or props is None:
            continue
        fonts = props.find(f"{W}rFonts")
        assert fonts is not None and fonts.get(f"{W}ascii") == "Times New Roman", text
        size_el = props.find(f"{W}sz")
        runs.setdefault(
            text,
            (
                int(size_el.get(f"{W}val") or 0) / 2 if size_el is not None else None,
                props.find(f"{W}b") is not None,
                props.find(f"{W}i") is not None,
                props.find(f"{W}u") is not None,
            ),
        )
    # (size in pt, bold, italic, underlined)
    assert runs["ĐẢNG CỘNG SẢN VIỆT NAM"] == (15, True, False, True)
    assert runs["BÁO CÁO"] == (16, True, False, False)
    assert runs["Hưng Yên, ngày 05 tháng 7 năm 2024"] == (14, False, True, False)
    assert runs["Số …………-BC/…………"] == (14, False, False, False)
    assert runs["Nơi nhận:"] == (14, True, False, True)
    assert runs["- Ban Thường vụ Tỉnh ủy,"] == (12, False, False, False)
    assert runs[SUMMARY_VI] == (14, False, False, False)
    assert runs["Huyện ủy Văn Lâm"] == (12, False, False, False)  # a table cell
    assert runs["…………"][0] == 14  # the office and the signer, left blank


def test_identical_inputs_give_identical_bytes(world: World, tmp_path: Path) -> None:
    """Fixed timestamps inside the archives: the as-of date, never the clock."""
    for kind, args in (
        ("docx", ("report", SYNTHESIS)),
        ("xlsx", ("board", "--format", "xlsx")),
        ("docx", ("letters",)),
    ):
        outputs = []
        for attempt in (1, 2):
            target = tmp_path / f"{attempt}"
            world.run(
                *args,
                "--as-of",
                AS_OF,
                "--output",
                str(target) + (f".{kind}" if args[0] != "letters" else ""),
            )
            outputs.append(target)
        if args[0] == "letters":
            first = {p.name: p.read_bytes() for p in outputs[0].iterdir()}
            second = {p.name: p.read_bytes() for p in outputs[1].iterdir()}
            assert first == second
            data = first["van-lam.docx"]
        else:
            data = Path(f"{outputs[0]}.{kind}").read_bytes()
            assert data == Path(f"{outputs[1]}.{kind}").read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(data))
        stamps = {info.date_time for info in archive.infolist()}
        assert stamps in ({(2024, 7, 5, 0, 0, 0)}, {(1980, 1, 1, 0, 0, 0)}), stamps
        core = archive.read("docProps/core.xml").decode()
        assert '<dcterms:created xsi:type="dcterms:W3CDTF">2024-07-05T00:00:00Z' in core, core
        assert "thumbnail" not in " ".join(archive.namelist())


# --- the letters ---------------------------------------------------------------------------


def test_each_missing_unit_gets_a_letter_naming_the_report_and_its_deadline(world: World) -> None:
    names = sorted(p.name for p in (world.out / "letters-vi").iterdir())
    # The members' report (III.1) is overdue too; the standing office writes no letter to
    # itself; units that reported get none.
    assert names == ["an-thi.docx", "thanh-vien-bcd.docx", "van-lam.docx"], names
    rows = {
        r["unit_id"]: r for r in world.rows("--task", "III.2") if r["milestone_id"] == SIX_MONTH
    }
    for unit, name in (("van-lam", "Huyện ủy Văn Lâm"), ("an-thi", "Huyện ủy Ân Thi")):
        text = "\n".join(lines_of(world.text / f"{unit}.txt"))
        row = rows[unit]
        assert row["status"] == "overdue" and row["days_overdue"] == 6, row
        for words in (
            f"Kính gửi: {name}",
            "V/v đôn đốc thực hiện Kế hoạch số 01-KH/BCĐ",
            f"{row['milestone_title']} (Mục III, điểm 2, gạch đầu dòng 2; "
            f"mã theo dõi {SIX_MONTH}).",
            "- Thời hạn: xong trước 30/06/2024 (hạn cuối 29/06/2024); quá hạn 6 ngày.",
            "- Gửi Ban Tổ chức Tỉnh ủy — Cơ quan thường trực Ban Chỉ đạo.",
            f"Đề nghị {name} khẩn trương hoàn thành",
            "Nơi nhận:",
            "- Như trên,",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Số …………-CV/…………",
        ):
            assert words in text, f"{words!r} not in\n{text}"
        assert "III.2-bc-nam" not in text  # due in December: not chased in July
        assert (world.pdf / f"{unit}.pdf").read_bytes().startswith(b"%PDF")
    english = "\n".join(lines_of(world.text / "en" / "van-lam.txt"))
    assert "To: Huyện ủy Văn Lâm" in english, english
    assert (
        "- Deadline: finished before 30/06/2024 (last day 29/06/2024); 6 days overdue." in english
    )


def test_letter_docx_is_the_letter_the_command_writes(world: World) -> None:
    """The function the e-mail reminder attaches takes core objects only."""
    from kttn_cli import i18n
    from kttn_cli.cli.session import Session
    from kttn_cli.cli.settings import Settings
    from kttn_cli.documents.letters import chased_units, letter_docx
    from kttn_cli.documents.office import Office

    i18n.use("vi")
    session = Session(Settings(world.env, {"today": AS_OF}))
    items = chased_units(session.plan, session.judged)["van-lam"]
    data = letter_docx(session.plan, "van-lam", items, session.as_of, Office())
    assert data == (world.out / "letters-vi" / "van-lam.docx").read_bytes()


def test_letters_when_nothing_is_late(world: World, tmp_path: Path) -> None:
    target = tmp_path / "none"
    result = world.run("letters", "--as-of", "2024-02-10", "--output", str(target))
    assert result.out == (
        "Tính đến ngày 10/02/2024, không có gì cần đôn đốc: không đơn vị nào có đầu việc "
        "quá hạn hoặc sắp đến hạn.\n"
    )
    assert not target.exists()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    failed = world.run("letters", "--as-of", AS_OF, "--output", str(blocked), code=73)
    assert failed.err.startswith("kttn: "), failed


def test_letters_for_one_unit_and_to_the_office_when_named(world: World, tmp_path: Path) -> None:
    target = tmp_path / "letters"
    result = world.run(
        "letters", "--as-of", AS_OF, "--unit", "van lam", "--unit", "btctu", "-o", str(target)
    )
    assert sorted(p.name for p in target.iterdir()) == ["btctu.docx", "van-lam.docx"], result
    assert f"{target / 'van-lam.docx'}  Huyện ủy Văn Lâm: 1 đầu việc\n" in result.out


# --- the workbook --------------------------------------------------------------------------


def test_the_workbook_summary_and_chart_show_the_same_counts(world: World) -> None:
    import openpyxl

    book = openpyxl.load_workbook(world.out / "board-vi.xlsx")
    assert book.sheetnames == ["Tổng hợp", "III.2", "Dữ liệu"], book.sheetnames
    summary = book["Tổng hợp"]
    header = [c.value for c in summary[5]]
    assert header[:5] == ["STT", "Đơn vị", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn"]
    table = {row[1]: row for row in summary.iter_rows(min_row=6, max_row=18, values_only=True)}
    total = table["Tổng cộng"]
    assert total[2:5] == (8, 2, 2), total
    assert table["Văn Lâm"][2:5] == (0, 0, 1) and table["Ân Thi"][2:5] == (0, 0, 1)
    assert table["Tiên Lữ"][2:5] == (0, 1, 0) and table["ĐUK CQ-DN tỉnh"][2:5] == (0, 1, 0)
    assert round(total[9], 4) == round(10 / 12, 4) and round(total[10], 4) == round(8 / 12, 4)
    # The chart: a native stacked bar chart of those three columns, one bar per unit.
    archive = zipfile.ZipFile(world.out / "board-vi.xlsx")
    chart = archive.read("xl/charts/chart1.xml").decode()
    assert '<c:barDir val="bar"/>' in chart and '<c:grouping val="stacked"/>' in chart
    refs = re.findall(r"<c:f>([^<]*)</c:f>", chart)
    assert refs == [
        "'Tổng hợp'!$C$5",
        "'Tổng hợp'!$B$6:$B$17",
        "'Tổng hợp'!$C$6:$C$17",
        "'Tổng hợp'!$D$5",
        "'Tổng hợp'!$B$6:$B$17",
        "'Tổng hợp'!$D$6:$D$17",
        "'Tổng hợp'!$E$5",
        "'Tổng hợp'!$B$6:$B$17",
        "'Tổng hợp'!$E$6:$E$17",
    ], refs
    assert "xl/drawings/drawing1.xml" in archive.namelist()
    # LibreOffice reads the same counts.
    cells = csv_of(world.csv / "board-vi-Tổng hợp.csv")
    totals = next(r for r in cells if len(r) > 1 and r[1] == "Tổng cộng")
    assert totals[2:5] == ["8", "2", "2"], cells


def test_the_workbook_grid_has_dates_colours_and_print_setup(world: World) -> None:
    import openpyxl

    book = openpyxl.load_workbook(world.out / "board-vi.xlsx")
    grid = book["III.2"]
    assert grid.freeze_panes == "B5"
    assert grid.auto_filter.ref == "A4:C16"
    assert grid.page_setup.orientation == "landscape" and grid.page_setup.paperSize == 9
    assert grid.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the default, which openpyxl reads as None), as tall as needed.
    assert (grid.page_setup.fitToWidth or 1, grid.page_setup.fitToHeight) == (1, 0)
    assert grid.print_title_rows == "$4:$4"
    units = {grid.cell(row, 1).value: row for row in range(5, 17)}
    received = grid.cell(units["TP Hưng Yên"], 2)
    assert received.value == datetime(2024, 6, 25) and received.number_format == "dd/mm/yyyy"
    assert received.fill.fgColor.rgb == "FFC6EFCE"
    late = grid.cell(units["Tiên Lữ"], 2)
    assert late.value == datetime(2024, 7, 3) and late.fill.fgColor.rgb == "FFF8CBAD"
    overdue = grid.cell(units["Văn Lâm"], 2)
    assert overdue.value == "quá hạn 6 ngày" and overdue.fill.fgColor.rgb == "FFF4B6B6"
    year_end = grid.cell(units["Văn Lâm"], 3)
    assert year_end.value == datetime(2024, 12, 30) and year_end.fill.fgColor.rgb == "FFDDEBF7"
    legend = [grid.cell(r, 1).value for r in range(17, grid.max_row + 1)]
    assert "Chú giải" in legend and "Quá hạn" in legend and "Trong hạn" in legend, legend
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
    # LibreOffice shows the days as the clerk reads them, Vietnamese intact.
    shown = csv_of(world.csv / "board-vi-III.2.csv")
    assert ["TP Hưng Yên", "25/06/2024", "30/12/2024"] in shown, shown
    assert ["Văn Lâm", "quá hạn 6 ngày", "30/12/2024"] in shown, shown
    assert (world.pdf / "board-vi.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("name", ["board-vi", "export-vi"])
def test_the_workbook_rows_are_the_json_rows(world: World, name: str) -> None:
    import openpyxl

    args = ("--task", "III.2") if name == "board-vi" else ()
    rows = world.rows(*args)
    if name == "board-vi":  # the board: reports owed by several units, dated
        rows = [r for r in rows if r["milestone_id"] in (SIX_MONTH, "III.2-bc-nam")]
    book = openpyxl.load_workbook(world.out / f"{name}.xlsx")
    sheet = book["Dữ liệu"]
    values = list(sheet.iter_rows(values_only=True))
    keys = list(values[0])
    assert keys == list(rows[0]), keys
    read = []
    for record in values[1:]:
        item = {}
        for key, value in zip(keys, record, strict=True):
            if isinstance(value, datetime):
                value = value.date().isoformat()
            elif key == "recipients":
                value = value.split(";") if value else []
            item[key] = value
        read.append(item)
    assert read == rows
    # And through LibreOffice: the same cells, as text.
    shown = csv_of(world.csv / f"{name}-Dữ liệu.csv")
    assert shown[0] == keys
    assert len(shown) == len(rows) + 1
    by_unit = {r[keys.index("unit_id")] + r[keys.index("milestone_id")]: r for r in shown[1:]}
    for row in rows:
        cells = by_unit[row["unit_id"] + row["milestone_id"]]
        assert cells[keys.index("unit_name")] == row["unit_name"]
        assert cells[keys.index("status")] == row["status"]
        assert cells[keys.index("submitted_on")] == show(row["submitted_on"])
        assert cells[keys.index("reference")] == (row["reference"] or "")


def test_the_export_workbook_has_a_sheet_per_task(world: World) -> None:
    import openpyxl

    book = openpyxl.load_workbook(world.out / "export-vi.xlsx")
    tasks = [r["task_id"] for r in world.rows()]
    assert book.sheetnames == ["Tổng hợp", *dict.fromkeys(tasks), "Dữ liệu"]


def test_the_workbook_in_english(world: World) -> None:
    import openpyxl

    book = openpyxl.load_workbook(world.out / "board-en.xlsx")
    assert book.sheetnames == ["Summary", "III.2", "Rows"]
    header = [c.value for c in book["Summary"][5]][:5]
    assert header == ["No.", "Unit", "Done on time", "Done late", "Overdue"]


# --- another plan --------------------------------------------------------------------------


def test_a_plan_from_init_with_other_units_gives_its_own_documents(tmp_path: Path) -> None:
    env = environment(tmp_path)
    plan = tmp_path / "ke-hoach-2025.toml"
    assert kttn("init", str(plan), env=env).code == 0
    text = plan.read_text(encoding="utf-8")
    for old, new in (
        ("Hưng Yên", "Hòa Bình"),
        ("HƯNG YÊN", "HÒA BÌNH"),
        ("Văn Lâm", "Lạc Thủy"),
        ("Ân Thi", "Mai Châu"),
        ("01-KH/BCĐ", "07-KH/BCĐ"),
    ):
        text = text.replace(old, new)
    plan.write_text(text, encoding="utf-8")

    def run(*args: str) -> Result:
        result = kttn(*args, "--plan", str(plan), env=env)
        assert result.code == 0, str(result)
        return result

    record_the_ledger(run)
    out = tmp_path / "out"
    out.mkdir()
    run("report", SYNTHESIS, "--as-of", AS_OF, "--output", str(out / "annex.docx"))
    run("letters", "--as-of", AS_OF, "--output", str(out / "letters"))
    run("board", "--format", "xlsx", "--as-of", AS_OF, "--output", str(out / "board.xlsx"))
    files = [out / "annex.docx", *sorted((out / "letters").glob("*.docx"))]
    convert(files, "txt:Text", tmp_path / "text", tmp_path / "lo")
    convert([out / "board.xlsx"], CSV_ALL_SHEETS, tmp_path / "text", tmp_path / "lo")
    annex = "\n".join(lines_of(tmp_path / "text" / "annex.txt"))
    assert (
        "Đến ngày 05/07/2024, 10/12 đơn vị đã gửi báo cáo, trong đó 8 đúng hạn, 2 quá hạn; "
        "còn 2 đơn vị chưa gửi: Huyện ủy Lạc Thủy, Huyện ủy Mai Châu."
    ) in annex, annex
    assert "Hòa Bình, ngày 05 tháng 7 năm 2024" in annex
    assert "Kế hoạch số 07-KH/BCĐ" in annex
    letter = "\n".join(lines_of(tmp_path / "text" / "van-lam.txt"))  # named by the unit's id
    assert "Kính gửi: Huyện ủy Lạc Thủy" in letter
    assert "V/v đôn đốc thực hiện Kế hoạch số 07-KH/BCĐ" in letter
    for path in sorted(tmp_path.joinpath("text").iterdir()):
        content = path.read_text(encoding="utf-8-sig")
        for stale in ("Hưng Yên", "HƯNG YÊN", "Văn Lâm", "Ân Thi", "01-KH/BCĐ"):
            assert stale not in content, (path.name, stale)
    import openpyxl

    summary = openpyxl.load_workbook(out / "board.xlsx").worksheets[0]
    labels = [summary.cell(r, 2).value for r in range(6, 19)]
    assert "Lạc Thủy" in labels and "Văn Lâm" not in labels, labels


def test_the_document_code_knows_no_plan() -> None:
    """Nothing in the documents package names the bundled plan's places, units or tasks."""
    words = ("Hưng Yên", "Hung Yen", "01-KH", "III.2", "III.3", "btctu", "van-lam", "Văn Lâm")
    for path in (ROOT / "src" / "kttn_cli" / "documents").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = [w for w in words if w in source]
        assert not found, (path.name, found)


# --- settings and options ------------------------------------------------------------------


def test_what_kttn_does_not_know_comes_from_settings_or_options(
    world: World, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[documents]\n"
        'office = ["Tỉnh ủy Hòa Bình", "Ban Tổ chức"]\n'
        'symbol = "BTCTU"\n'
        'signer = "Nguyễn Văn A"\n'
        'signer_title = ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]\n',
        encoding="utf-8",
    )
    env = {**world.env, "KTTN_CONFIG": str(config)}
    target = tmp_path / "a.docx"
    result = kttn("report", SYNTHESIS, "--as-of", AS_OF, "--output", str(target), env=env)
    assert result.code == 0, result
    text = docx_text(target)
    for words in (
        "TỈNH ỦY HÒA BÌNH",
        "BAN TỔ CHỨC",
        "Số …………-BC/BTCTU",
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Nguyễn Văn A",
    ):
        assert words in text, words
    assert "…………\n" not in text + "\n"  # no blank left where the settings said
    options = (
        "--number",
        "125-BC/BTCTU",
        "--signer",
        "Trần Thị B",
        "--office",
        "BAN CHỈ ĐẠO",
        "--place",
        "Kỳ Sơn",
    )
    result = kttn("report", SYNTHESIS, "--as-of", AS_OF, "--output", str(target), *options, env=env)
    assert result.code == 0, result
    text = docx_text(target)
    for words in (
        "Số 125-BC/BTCTU",
        "Trần Thị B",
        "BAN CHỈ ĐẠO",
        "Kỳ Sơn, ngày 05 tháng 7 năm 2024",
    ):
        assert words in text, words
    assert "Nguyễn Văn A" not in text and "BAN TỔ CHỨC" not in text
    shown = kttn("config", env=env)
    assert "documents_symbol = BTCTU" in shown.out, shown
    config.write_text("[documents]\nsigner = 3\n", encoding="utf-8")
    bad = kttn("report", SYNTHESIS, "--as-of", AS_OF, "--output", str(target), env=env)
    assert bad.code == 78 and "documents" in bad.err, bad


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for cell in table._cells:
            parts += [p.text for p in cell.paragraphs]
    return "\n".join(parts)


def test_usage_and_output_rules(world: World, tmp_path: Path) -> None:
    wrong = world.run(
        "report", "II.1-hop-bcd", "--as-of", AS_OF, "-o", str(tmp_path / "x.docx"), code=2
    )
    assert "III.3-bc-6-thang" in wrong.err and not (tmp_path / "x.docx").exists(), wrong
    both = world.run("board", "--format", "json", "--output", str(tmp_path / "b"), code=2)
    assert "--output" in both.err, both


@pytest.mark.process
def test_a_document_goes_to_stdout_when_it_is_a_pipe(world: World, tmp_path: Path) -> None:
    for args, name in (
        (("report", SYNTHESIS), "annex-vi.docx"),
        (("board", "--format", "xlsx"), "board-vi.xlsx"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "kttn_cli", *args, "--as-of", AS_OF],
            env=world.env,
            capture_output=True,
            check=False,
        )
        assert done.returncode == 0 and done.stderr == b"", done.stderr
        assert done.stdout == (world.out / name).read_bytes()


def test_on_a_terminal_a_document_needs_output(world: World) -> None:
    """A binary file is no use on a screen: without --output, exit 2 (a pseudo-terminal)."""
    import pty

    code = (
        "import sys; from kttn_cli.cli.entry import run_argv; import os;"
        f"sys.exit(run_argv(['report', '{SYNTHESIS}', '--as-of', '{AS_OF}'], os.environ))"
    )
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-c", code], world.env)
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2, output
    assert b"--output" in output and b"PK" not in output, output


# --- cost ----------------------------------------------------------------------------------


@pytest.mark.process
def test_views_and_exports_do_not_import_the_document_libraries(world: World) -> None:
    heavy = ("docx", "xlsxwriter", "lxml", "openpyxl")
    for args in (
        ["status", "--as-of", AS_OF],
        ["board", "--as-of", AS_OF],
        ["export", "--format", "json", "--as-of", AS_OF],
        ["report", "--help"],
    ):
        code = (
            "import os, sys, io; from kttn_cli.cli.entry import run_argv;"
            "sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding='utf-8');"
            f"code = run_argv({args!r}, os.environ); sys.stdout = sys.__stdout__;"
            f"print(code, sorted(m for m in {heavy!r} if m in sys.modules))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], env=world.env, capture_output=True, text=True, check=False
        )
        assert done.stdout.strip() == "0 []", (args, done.stdout, done.stderr)
