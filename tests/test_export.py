"""`kttn export` (issue 5): JSON, CSV and iCalendar, each read back with its standard
reader and compared with the JSON rows; CSV injection; Excel's needs; a real spreadsheet
program (LibreOffice headless) reading the CSV; byte-identical calendars.

Everything is judged as of an explicit date. The bundled plan's III.2-bc-6-thang is due
30/06/2024 from the 11 district-level committees and the assigned bodies.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from conftest import invoke
from kttn_cli.core.model import Status
from kttn_cli.core.rows import ROW_KEYS
from kttn_cli.i18n import status_label

AS_OF = "2024-07-10"
M = "III.2-bc-6-thang"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

# A plan whose texts a spreadsheet would run as formulas, with a CR inside a title.
TRICKY_PLAN = r"""
schema_version = 1

[plan]
id = "tricky"
number = "03-KH/THỬ"
title = "Kế hoạch thử"
issued_on = 2024-02-05
place = "Hưng Yên"
issuer = "Ban thử"

[plan.signer]
name = "Người Ký"
title = "Trưởng ban"

[[units]]
id = "van-lam"
name = "=HYPERLINK(\"http://x.invalid\",\"Văn Lâm\")"
kind = "district_committee"

[[units]]
id = "at"
name = "@SUM(1+1)"
kind = "agency"

[[tasks]]
id = "T.1"
section = "I"
title = "+1+2 tổng hợp"
text = "Nội dung"
source = "Mục I"

[[tasks.milestones]]
id = "m1"
title = "=1+2 báo cáo\rcó xuống dòng"
due = { kind = "date", date = 2024-06-30 }
due_text = "-5 ngày"
assignees = ["van-lam", "at"]
source = "Mục I"
"""


def ok(*args: str) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def export(*args: str) -> bytes:
    return ok("export", "--as-of", AS_OF, *args).stdout_bytes


def json_rows(*args: str) -> list[dict[str, Any]]:
    doc = json.loads(export("--format", "json", *args))
    rows: list[dict[str, Any]] = doc["obligations"]
    return rows


def as_csv_cell(value: Any) -> str:
    """What the CSV holds for a JSON value, formula neutralisation included."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


@pytest.fixture
def records() -> None:
    """An on-time, a late (with a formula as document number) and an extended obligation."""
    ok("submit", M, "van-lam", "--on", "2024-06-28", "--ref", "12-BC/HU")
    ok("submit", M, "van-giang", "--on", "2024-07-05", "--ref", "=cmd|' /C calc'!A0")
    ok("extend", M, "yen-my", "--to", "2024-07-31", "--reason", "Công văn 25-CV/TU")


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    path = tmp_path / "tricky.toml"
    path.write_text(TRICKY_PLAN, encoding="utf-8")
    return path


# --- JSON -----------------------------------------------------------------------------


def test_json_document_is_the_design_contract(records: None) -> None:
    raw = export("--format", "json")
    doc = json.loads(raw)
    assert doc["as_of"] == AS_OF
    assert doc["plan"] == {
        "id": "kh-01-bcd-2024",
        "number": "01-KH/BCĐ",
        "title": doc["plan"]["title"],
    }
    assert all(list(row) == list(ROW_KEYS) for row in doc["obligations"])
    # UTF-8, Vietnamese not escaped
    assert "Huyện ủy Văn Lâm".encode() in raw
    assert b"\\u" not in raw
    by_unit = {r["unit_id"]: r for r in doc["obligations"] if r["milestone_id"] == M}
    assert by_unit["van-lam"]["status"] == "on_time"
    assert by_unit["van-lam"]["submitted_on"] == "2024-06-28"
    assert by_unit["van-giang"]["status"] == "late"
    assert by_unit["van-giang"]["days_late"] == 5
    assert by_unit["yen-my"]["due"] == "2024-07-31"
    assert by_unit["yen-my"]["planned_due"] == "2024-06-30"
    assert by_unit["an-thi"]["status"] == "overdue"
    assert by_unit["an-thi"]["days_overdue"] == 10
    assert export("--format", "json") == raw  # identical for identical inputs


def test_filters_are_those_of_status(records: None) -> None:
    rows = json_rows("--unit", "van lam")
    assert rows and {r["unit_id"] for r in rows} == {"van-lam"}
    rows = json_rows("--status", "overdue,late", "--task", "III.2")
    assert rows and {r["status"] for r in rows} == {"overdue", "late"}
    assert {r["task_id"] for r in rows} == {"III.2"}
    result = invoke("export", "--format", "json", "--status", "lost", "--as-of", AS_OF)
    assert result.exit_code == 2, result.output + result.stderr
    assert "Traceback" not in result.stderr


# --- CSV ------------------------------------------------------------------------------


def test_csv_round_trips_to_the_json_rows(records: None) -> None:
    expected = json_rows()
    data = export("--format", "csv")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in data
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    assert tuple(reader.fieldnames or ()) == ROW_KEYS
    got = list(reader)
    assert got == [{k: as_csv_cell(v) for k, v in row.items()} for row in expected]
    # the document number typed into the ledger is neutralised, numbers and dates are not
    late = next(r for r in got if r["milestone_id"] == M and r["unit_id"] == "van-giang")
    assert late["reference"] == "'=cmd|' /C calc'!A0"
    assert late["days_late"] == "5"
    assert late["submitted_on"] == "2024-07-05"


def test_csv_neutralises_formulas_unless_raw(tricky: Path) -> None:
    expected = json_rows("--plan", str(tricky))
    neutral = list(
        csv.DictReader(
            io.StringIO(export("--format", "csv", "--plan", str(tricky)).decode(), newline="")
        )
    )
    raw = list(
        csv.DictReader(
            io.StringIO(
                export("--format", "csv", "--raw", "--plan", str(tricky)).decode(), newline=""
            )
        )
    )
    assert [r["unit_name"] for r in neutral] == [
        '\'=HYPERLINK("http://x.invalid","Văn Lâm")',
        "'@SUM(1+1)",
    ]
    assert neutral[0]["task_title"] == "'+1+2 tổng hợp"
    assert neutral[0]["milestone_title"] == "'=1+2 báo cáo\rcó xuống dòng"  # CR kept, quoted
    assert neutral[0]["due_text"] == "'-5 ngày"
    assert neutral[0]["days_overdue"] == "10"
    assert neutral[0]["due"] == "2024-06-30"
    assert raw == [{k: "" if v is None else str(v) for k, v in r.items()} for r in expected]


def test_excel_gets_bom_crlf_and_semicolons(records: None) -> None:
    expected = [{k: as_csv_cell(v) for k, v in r.items()} for r in json_rows()]
    data = export("--format", "csv", "--excel", "--delimiter", ";")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("task_id;task_title;")
    assert text.count("\r\n") == len(expected) + 1
    assert "\n" not in text.replace("\r\n", "")
    got = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert got == expected


def test_tab_delimiter_and_bad_delimiters() -> None:
    data = export("--format", "csv", "--delimiter", "tab")
    assert data.startswith(b"task_id\ttask_title\t")
    for bad in ("", ";;", '"', "\n"):
        result = invoke("export", "--format", "csv", "--delimiter", bad, "--as-of", AS_OF)
        assert result.exit_code == 2, result.output + result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--format", "json", "--excel"), "--excel"),
        (("--format", "ics", "--raw"), "--raw"),
        (("--format", "json", "--delimiter", ";"), "--delimiter"),
        (("--format", "csv", "--alarm-days", "3"), "--alarm-days"),
    ],
)
def test_options_of_another_format_are_refused(args: tuple[str, ...], option: str) -> None:
    result = invoke("export", *args, "--as-of", AS_OF)
    assert result.exit_code == 2, result.output + result.stderr
    assert option in result.stderr
    assert result.stdout == ""


# --- iCalendar ------------------------------------------------------------------------


def parse_calendar(data: bytes) -> list[Any]:
    from icalendar import Calendar

    cal = Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0"
    return list(cal.walk("VEVENT"))


def labels() -> dict[str, str]:
    return {status_label(s.value, "vi"): s.value for s in Status}


def event_obligations(event: Any) -> set[tuple[str, str, str, str]]:
    """(milestone id, due, unit name, status code) for each unit line of the description."""
    milestone = str(event["UID"]).split("@")[0].rsplit("-", 1)[0]
    due = event.decoded("DTSTART")
    assert isinstance(due, date) and not isinstance(due, datetime)  # all-day
    assert event.decoded("DTEND") == due + timedelta(days=1)
    found = set()
    by_length = sorted(labels().items(), key=lambda kv: -len(kv[0]))
    for line in str(event["DESCRIPTION"]).splitlines():
        if not line.startswith("- "):
            continue
        name, _, rest = line[2:].rpartition(": ")
        code = next(c for label, c in by_length if rest.startswith(label))
        found.add((milestone, due.isoformat(), name, code))
    return found


def test_ics_round_trips_to_the_json_rows(records: None) -> None:
    rows = json_rows()
    events = parse_calendar(export("--format", "ics"))
    dated = {(r["milestone_id"], r["due"], r["unit_name"], r["status"]) for r in rows if r["due"]}
    assert len(dated) == len([r for r in rows if r["due"]])
    got: set[tuple[str, str, str, str]] = set()
    for event in events:
        got |= event_obligations(event)
    assert got == dated
    # one event per dated milestone and deadline; the extended unit has its own day
    assert len(events) == len({(m, d) for m, d, _, _ in dated})
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    extended = [e for e in events if str(e["UID"]).startswith(f"{M}-20240731@")]
    assert len(extended) == 1
    assert "Huyện ủy Yên Mỹ: Trong hạn" in str(extended[0]["DESCRIPTION"])
    summary = str(next(e for e in events if str(e["UID"]).startswith(f"{M}-20240630@"))["SUMMARY"])
    assert summary.startswith("Báo cáo sơ kết 06 tháng") and summary.endswith("(III.2)")


def test_ics_is_byte_identical_and_uids_are_stable(records: None) -> None:
    first = export("--format", "ics", "--alarm-days", "3")
    again = export("--format", "ics", "--alarm-days", "3")
    # A real process too; bytes compared, so not through run_kttn (text mode).
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "kttn_cli",
            "export",
            "--format",
            "ics",
            "--alarm-days",
            "3",
            "--as-of",
            AS_OF,
        ],
        capture_output=True,
        env=dict(os.environ),
        check=False,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr.decode()
    assert first == again == process.stdout
    assert b"DTSTAMP:20240710T000000Z" in first  # from --as-of, not the clock
    assert b"\r\n" in first and b"\n" not in first.replace(b"\r\n", b"")
    later = ok("export", "--format", "ics", "--as-of", "2024-09-01").stdout_bytes
    assert later != first
    assert {str(e["UID"]) for e in parse_calendar(later)} == {
        str(e["UID"]) for e in parse_calendar(first)
    }


def test_ics_alarm_only_for_events_still_ahead() -> None:
    events = parse_calendar(export("--format", "ics", "--alarm-days", "3"))
    ahead = [e for e in events if e.decoded("DTSTART") >= date(2024, 7, 10)]
    past = [e for e in events if e.decoded("DTSTART") < date(2024, 7, 10)]
    assert ahead and past
    for event in ahead:
        (alarm,) = event.walk("VALARM")
        assert alarm["ACTION"] == "DISPLAY"
        # 09:00 three days before the (all-day) due day
        assert alarm.decoded("TRIGGER") == timedelta(days=-3, hours=9)
        assert str(alarm["DESCRIPTION"]).startswith("Sắp đến hạn: ")
    assert all(not e.walk("VALARM") for e in past)
    assert b"VALARM" not in export("--format", "ics")


def test_ics_in_english() -> None:
    events = parse_calendar(export("--format", "ics", "--lang", "en"))
    text = "\n".join(str(e["DESCRIPTION"]) for e in events)
    assert "Overdue (10 days overdue)" in text and "Task III.2:" in text


# --- --output -------------------------------------------------------------------------


def test_output_file_is_written_atomically_with_normal_permissions(
    records: None, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "bao-cao.csv"
    out.parent.mkdir()
    old_umask = os.umask(0o022)
    try:
        result = ok("export", "--format", "csv", "--as-of", AS_OF, "--output", str(out))
    finally:
        os.umask(old_umask)
    assert result.stdout == ""
    assert out.read_bytes() == export("--format", "csv")
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert [p.name for p in out.parent.iterdir()] == ["bao-cao.csv"]  # no temporary left
    # replacing keeps the permissions someone gave the file
    out.chmod(0o600)
    ok("export", "--format", "json", "--as-of", AS_OF, "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_bytes())["as_of"] == AS_OF


def test_output_that_cannot_be_written_is_exit_73(tmp_path: Path) -> None:
    result = invoke(
        "export",
        "--format",
        "csv",
        "--as-of",
        AS_OF,
        "--output",
        str(tmp_path / "missing" / "x.csv"),
    )
    assert result.exit_code == 73, result.output + result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "missing").exists()


# --- a real spreadsheet program -------------------------------------------------------


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI (apt-get install libreoffice-calc-nogui)")
        pytest.skip("LibreOffice (soffice) is not installed")
    return exe


def spreadsheet_round_trip(exe: str, source: Path, separator: str, work: Path) -> list[list[str]]:
    """Import the CSV into LibreOffice Calc as a real sheet (xlsx), then read the sheet
    back as UTF-8 CSV: what a person would see in the cells."""
    profile = f"-env:UserInstallation={(work / 'lo-profile').as_uri()}"
    sheet_dir, back_dir = work / "sheet", work / "back"
    # CSV filter options: separator, text delimiter ("), charset 76 = UTF-8, first line 1
    infilter = f"CSV:{ord(separator)},34,76,1"
    for args in (
        ["--infilter=" + infilter, "--convert-to", "xlsx", "--outdir", str(sheet_dir), str(source)],
        [
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(back_dir),
            str(sheet_dir / (source.stem + ".xlsx")),
        ],
    ):
        done = subprocess.run(
            [exe, "--headless", "--norestore", profile, *args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    text = (back_dir / (source.stem + ".csv")).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("excel", [False, True], ids=["plain", "excel-semicolon"])
def test_libreoffice_reads_vietnamese_and_no_formula_runs(
    excel: bool, tricky: Path, tmp_path: Path
) -> None:
    exe = soffice()
    out = tmp_path / "export.csv"
    options = ["--excel", "--delimiter", ";"] if excel else []
    ok("export", "--format", "csv", "--as-of", AS_OF, "--output", str(out), *options)
    expected = list(
        csv.reader(
            io.StringIO(out.read_text(encoding="utf-8-sig"), newline=""),
            delimiter=";" if excel else ",",
        )
    )
    cells = spreadsheet_round_trip(exe, out, ";" if excel else ",", tmp_path)
    assert cells == expected
    flat = "\n".join(",".join(row) for row in cells)
    for name in (
        "Huyện ủy Văn Lâm",
        "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh",
        "Báo cáo sơ kết 06 tháng",
        "Quý I/2024",
    ):
        assert name in flat

    tricky_out = tmp_path / "tricky.csv"
    ok(
        "export",
        "--format",
        "csv",
        "--as-of",
        AS_OF,
        "--plan",
        str(tricky),
        "--output",
        str(tricky_out),
        *options,
    )
    cells = spreadsheet_round_trip(exe, tricky_out, ";" if excel else ",", tmp_path)
    header, *rows = cells
    unit = header.index("unit_name")
    assert [r[unit] for r in rows] == ['\'=HYPERLINK("http://x.invalid","Văn Lâm")', "'@SUM(1+1)"]
    assert rows[0][header.index("task_title")] == "'+1+2 tổng hợp"  # not 3
    assert rows[0][header.index("days_overdue")] == "10"


def test_ics_text_from_files_stays_on_its_line(tricky: Path) -> None:
    data = export("--format", "ics", "--plan", str(tricky))
    assert not [b for b in data.replace(b"\r\n", b"") if b < 0x20]  # no stray control bytes
    (event,) = parse_calendar(data)
    assert str(event["SUMMARY"]) == "=1+2 báo cáo có xuống dòng (T.1)"
    assert event_obligations(event) == {
        ("m1", "2024-06-30", '=HYPERLINK("http://x.invalid","Văn Lâm")', "overdue"),
        ("m1", "2024-06-30", "@SUM(1+1)", "overdue"),
    }
