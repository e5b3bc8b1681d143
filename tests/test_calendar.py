"""The iCalendar export as a calendar client sees it: events that update in place.

khal (a real calendar client, `pip install khal`) imports each export into a throw-away
calendar, the way a clerk imports the file into Thunderbird or Outlook: an event with a
UID it has already stored is replaced, any other UID is added. What the clerk sees is
what `khal list` prints. The rules (UIDs, SEQUENCE, cancelled events) are in
src/kttn_cli/export.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from helpers import SMALL_PLAN, kttn, ok

AS_OF = "2024-07-01"
START = datetime(2024, 7, 1, 1, 0, tzinfo=UTC)


# --- a clock for the records and the stamp, so that every byte is known -------------------


class Clock:
    """Each call is one minute after the previous one: every write its own second."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    tick = Clock()
    monkeypatch.setattr("kttn_cli.cli.session.now_utc", tick)
    monkeypatch.setattr("kttn_cli.cli.commands.records.now_utc", tick, raising=False)
    return tick


def run(*args: str) -> bytes:
    return ok(kttn(*args, "--plan", str(SMALL_PLAN), "--as-of", AS_OF)).out_bytes


def export(*args: str) -> bytes:
    return run("export", "--format", "ics", *args)


def events(data: bytes) -> list[dict[str, str]]:
    """Each VEVENT's properties as text (dates as ISO dates)."""
    out = []
    for component in Calendar.from_ical(data).walk("VEVENT"):
        item = {}
        for key in ("UID", "SUMMARY", "SEQUENCE", "STATUS", "DESCRIPTION"):
            if key in component:
                item[key] = str(component[key])
        item["DTSTART"] = component.decoded("DTSTART").isoformat()
        item["DTSTAMP"] = component.decoded("DTSTAMP").isoformat()
        item["LAST-MODIFIED"] = component.decoded("LAST-MODIFIED").isoformat()
        out.append(item)
    return out


def by_uid(data: bytes) -> dict[str, dict[str, str]]:
    return {e["UID"]: e for e in events(data)}


# --- khal ----------------------------------------------------------------------------------


def khal_program() -> str | None:
    beside = Path(sys.executable).parent / "khal"
    if beside.exists():
        return str(beside)
    return shutil.which("khal")


KHAL_CONFIG = """\
[calendars]
[[kttn]]
path = {vdir}
type = calendar
[sqlite]
path = {db}
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Asia/Ho_Chi_Minh
default_timezone = Asia/Ho_Chi_Minh
[default]
default_calendar = kttn
"""


class Khal:
    """One throw-away khal calendar (its own config, vdir and database)."""

    def __init__(self, program: str, where: Path) -> None:
        self.program = program
        where.mkdir()
        (where / "vdir").mkdir()
        self.config = where / "config"
        self.config.write_text(
            KHAL_CONFIG.format(vdir=where / "vdir", db=where / "khal.db"), encoding="utf-8"
        )
        self.where = where
        self.count = 0

    def _run(self, *args: str) -> str:
        env = {**os.environ, "LANG": "C.UTF-8", "TZ": "UTC"}
        done = subprocess.run(
            [self.program, "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"khal {args}: {done.stdout}{done.stderr}"
        return done.stdout

    def import_(self, data: bytes) -> None:
        self.count += 1
        path = self.where / f"export-{self.count}.ics"
        path.write_bytes(data)
        self._run("import", "--batch", "-a", "kttn", str(path))

    def listing(self) -> list[tuple[str, str, str, str]]:
        """(uid, day, status, title) of every event stored, sorted."""
        text = self._run(
            "list",
            "--day-format",
            "",
            "--format",
            "{uid}|{start-date}|{status}|{title}",
            "2024-01-01",
            "2025-12-31",
        )
        rows = []
        for line in text.splitlines():
            if line.strip():
                uid, day, status, title = line.split("|", 3)
                rows.append((uid, day, status.strip(), title))
        return sorted(set(rows))


@pytest.fixture
def khal(tmp_path: Path) -> Iterator[Khal]:
    program = khal_program()
    if program is None:
        if os.environ.get("CI") == "true":
            pytest.fail("khal is not installed (pip install -e '.[test]' installs it)")
        pytest.skip("khal is not installed")
    yield Khal(program, tmp_path / "khal")


def extend(milestone: str, *units: str, to: str) -> None:
    run("extend", milestone, *units, "--to", to, "--reason", "CV 12-CV/BCĐ")


# --- what a calendar must do --------------------------------------------------------------


@pytest.mark.process
def test_an_extension_moves_the_event_in_khal(clock: Clock, khal: Khal) -> None:
    """tong-hop is owed by one unit: before and after `kttn extend`, one event that moved."""
    khal.import_(export())
    before = [e for e in khal.listing() if e[0].startswith("tong-hop")]
    assert before == [("tong-hop@small.kttn", "2024-09-30", "CONFIRMED", "Báo cáo tổng hợp (T.1)")]
    extend("tong-hop", "office", to="2024-10-15")
    khal.import_(export())
    after = [e for e in khal.listing() if e[0].startswith("tong-hop")]
    assert after == [
        ("tong-hop@small.kttn", "2024-10-15", "CONFIRMED", "Báo cáo tổng hợp (T.1)")
    ], after


@pytest.mark.process
def test_units_moving_apart_and_back_in_khal(clock: Clock, khal: Khal) -> None:
    """A two-unit milestone: one unit's extension adds that unit's own event (the other
    unit is still due on the plan's day); extending it again moves that event; when the
    other unit gets the same day the milestone's event moves there and the unit's own
    event is cancelled, never left behind as a second deadline."""

    def shown() -> list[tuple[str, str, str, str]]:
        return [e for e in khal.listing() if e[0].startswith("bc-6-thang")]

    khal.import_(export())
    assert shown() == [
        ("bc-6-thang@small.kttn", "2024-06-29", "CONFIRMED", "Báo cáo sơ kết 06 tháng (T.1)")
    ]
    extend("bc-6-thang", "van-lam", to="2024-07-10")
    khal.import_(export())
    assert shown() == [
        (
            "bc-6-thang+van-lam@small.kttn",
            "2024-07-10",
            "CONFIRMED",
            "Báo cáo sơ kết 06 tháng (T.1) — Văn Lâm",
        ),
        ("bc-6-thang@small.kttn", "2024-06-29", "CONFIRMED", "Báo cáo sơ kết 06 tháng (T.1)"),
    ], shown()
    extend("bc-6-thang", "van-lam", to="2024-07-15")
    khal.import_(export())
    assert shown() == [
        (
            "bc-6-thang+van-lam@small.kttn",
            "2024-07-15",
            "CONFIRMED",
            "Báo cáo sơ kết 06 tháng (T.1) — Văn Lâm",
        ),
        ("bc-6-thang@small.kttn", "2024-06-29", "CONFIRMED", "Báo cáo sơ kết 06 tháng (T.1)"),
    ], shown()
    extend("bc-6-thang", "van-giang", to="2024-07-15")
    khal.import_(export())
    assert shown() == [
        (
            "bc-6-thang+van-lam@small.kttn",
            "2024-07-15",
            "CANCELLED",
            "Báo cáo sơ kết 06 tháng (T.1) — Văn Lâm",
        ),
        ("bc-6-thang@small.kttn", "2024-07-15", "CONFIRMED", "Báo cáo sơ kết 06 tháng (T.1)"),
    ], shown()


@pytest.mark.process
def test_both_units_extended_at_once_move_one_event(clock: Clock, khal: Khal) -> None:
    """One `kttn extend` for every unit of a milestone moves its one event; no unit gets
    an event of its own, not even a cancelled one (the units never parted)."""
    khal.import_(export())
    extend("bc-6-thang", "van-lam", "van-giang", to="2024-07-20")
    khal.import_(export())
    shown = [e for e in khal.listing() if e[0].startswith("bc-6-thang")]
    assert shown == [
        ("bc-6-thang@small.kttn", "2024-07-20", "CONFIRMED", "Báo cáo sơ kết 06 tháng (T.1)")
    ]


@pytest.mark.process
def test_a_withdrawn_extension_cancels_the_units_event(clock: Clock, khal: Khal) -> None:
    extend("bc-6-thang", "van-lam", to="2024-07-10")
    khal.import_(export())
    run("void", "r1", "--reason", "nhầm đơn vị")
    khal.import_(export())
    shown = [e for e in khal.listing() if e[0].startswith("bc-6-thang")]
    assert shown == [
        (
            "bc-6-thang+van-lam@small.kttn",
            "2024-06-29",
            "CANCELLED",
            "Báo cáo sơ kết 06 tháng (T.1) — Văn Lâm",
        ),
        ("bc-6-thang@small.kttn", "2024-06-29", "CONFIRMED", "Báo cáo sơ kết 06 tháng (T.1)"),
    ], shown


@pytest.mark.process
def test_a_unit_calendar_is_a_calendar_of_its_own(clock: Clock, khal: Khal) -> None:
    """`--unit van-lam`: one event per milestone it owes, with UIDs of its own (so the
    plan's calendar and the unit's can live in one client), moved by an extension."""
    khal.import_(export())
    khal.import_(export("--unit", "van-lam"))
    extend("bc-6-thang", "van-lam", to="2024-07-10")
    khal.import_(export("--unit", "van-lam"))
    shown = [e for e in khal.listing() if "van-lam@" in e[0] or e[0].endswith("+van-lam.kttn")]
    assert shown == [
        (
            "bc-6-thang+van-lam@small+van-lam.kttn",
            "2024-07-10",
            "CONFIRMED",
            "Báo cáo sơ kết 06 tháng (T.1)",
        )
    ], khal.listing()
    # The plan's calendar, imported before the extension, is untouched by the unit's.
    assert (
        "bc-6-thang@small.kttn",
        "2024-06-29",
        "CONFIRMED",
        "Báo cáo sơ kết 06 tháng (T.1)",
    ) in (khal.listing())


# --- what the file says ----------------------------------------------------------------------


def test_unit_calendar_names_the_unit(clock: Clock) -> None:
    whole = Calendar.from_ical(export())
    unit = Calendar.from_ical(export("--unit", "van lam"))
    assert (
        str(whole["X-WR-CALNAME"]) == "Kế hoạch số 02-KH/TEST ngày 05/02/2024 của Ban Chỉ đạo thử"
    )
    assert str(unit["X-WR-CALNAME"]) == (
        "Kế hoạch số 02-KH/TEST ngày 05/02/2024 của Ban Chỉ đạo thử — Huyện ủy Văn Lâm"
    )
    two = Calendar.from_ical(export("--unit", "van-giang", "--unit", "van-lam"))
    assert sorted(str(e["UID"]) for e in two.walk("VEVENT")) == [
        "bc-6-thang+van-giang@small+van-giang+van-lam.kttn",
        "bc-6-thang+van-lam@small+van-giang+van-lam.kttn",
    ]
    # With two units, each event names its unit.
    assert sorted(str(e["SUMMARY"]) for e in two.walk("VEVENT")) == [
        "Báo cáo sơ kết 06 tháng (T.1) — Văn Giang",
        "Báo cáo sơ kết 06 tháng (T.1) — Văn Lâm",
    ]


def test_same_state_same_bytes_and_dtstamp_is_the_clock(clock: Clock) -> None:
    extend("bc-6-thang", "van-lam", to="2024-07-10")
    first = export()
    second = export()
    stamps = [line for line in first.splitlines() if line.startswith(b"DTSTAMP")]
    assert stamps and all(s == stamps[0] for s in stamps)
    assert first != second  # the clock moved on: a new DTSTAMP …

    def without_stamp(data: bytes) -> list[bytes]:
        return [line for line in data.splitlines() if not line.startswith(b"DTSTAMP")]

    assert without_stamp(first) == without_stamp(second)  # … and nothing else changed
    # The stamp is the session's clock (the extension took 01:01, the exports 01:02, 01:03).
    assert by_uid(first)["bc-6-thang@small.kttn"]["DTSTAMP"] == "2024-07-01T01:02:00+00:00"
    assert by_uid(second)["bc-6-thang@small.kttn"]["DTSTAMP"] == "2024-07-01T01:03:00+00:00"


def test_dtstamp_is_now_in_utc_without_a_fake_clock() -> None:
    """Not as-of midnight (which is up to 7 hours ahead of UTC): the real time."""
    before = datetime.now(UTC).replace(microsecond=0)
    data = export()
    after = datetime.now(UTC)
    stamps = {e["DTSTAMP"] for e in events(data)}
    assert len(stamps) == 1, stamps
    stamp = datetime.fromisoformat(stamps.pop())
    assert before <= stamp <= after, (before, stamp, after)
    assert b"DTSTAMP:" in data and data.count(b"Z\r\n") >= 1


def test_sequence_and_last_modified_grow_with_the_ledger(clock: Clock) -> None:
    """SEQUENCE counts the records that touch the milestone, withdrawn ones and voids
    included, so it never goes back; LAST-MODIFIED is the newest one's time."""

    def seen(uid: str) -> tuple[str, str, str]:
        event = by_uid(export())[uid]
        return event["SEQUENCE"], event["LAST-MODIFIED"], event["DTSTART"]

    milestone = "bc-6-thang@small.kttn"
    assert seen(milestone) == ("0", "2024-02-05T00:00:00+00:00", "2024-06-29")  # issue date
    run("submit", "bc-6-thang", "van-giang", "--on", "2024-06-20")  # 01:02 (export: 01:01)
    assert seen(milestone) == ("1", "2024-07-01T01:02:00+00:00", "2024-06-29")
    extend("bc-6-thang", "van-lam", to="2024-07-10")  # r2 at 01:04
    assert seen(milestone) == ("2", "2024-07-01T01:04:00+00:00", "2024-06-29")
    assert seen("bc-6-thang+van-lam@small.kttn") == ("2", "2024-07-01T01:04:00+00:00", "2024-07-10")
    run("void", "r2", "--reason", "nhầm")  # r3 at 01:07: fewer records in force, not fewer records
    assert seen(milestone) == ("3", "2024-07-01T01:07:00+00:00", "2024-06-29")
    assert seen("bc-6-thang+van-lam@small.kttn") == ("3", "2024-07-01T01:07:00+00:00", "2024-06-29")
    # Another milestone's records leave this one alone.
    assert seen("tong-hop@small.kttn") == ("0", "2024-02-05T00:00:00+00:00", "2024-09-30")


def test_events_are_all_day_vevents_with_a_status(clock: Clock) -> None:
    extend("bc-6-thang", "van-lam", to="2024-07-10")
    cal = Calendar.from_ical(export("--alarm-days", "3"))
    assert not list(cal.walk("VTODO"))
    for event in cal.walk("VEVENT"):
        start = event.decoded("DTSTART")
        assert type(start) is date, event.to_ical()
        assert event.decoded("DTEND") == start + timedelta(days=1)
        assert str(event["STATUS"]) == "CONFIRMED"
    described = by_uid(export())
    text = described["bc-6-thang@small.kttn"]["DESCRIPTION"]
    assert "- Huyện ủy Văn Giang: Quá hạn (quá hạn 2 ngày)" in text, text
    assert "- Huyện ủy Văn Lâm: 10/07/2024" in text, text  # its own day, in its own event
    own = described["bc-6-thang+van-lam@small.kttn"]["DESCRIPTION"]
    assert "- Huyện ủy Văn Lâm: Trong hạn (gia hạn từ 29/06/2024)" in own, own


def test_english_descriptions(clock: Clock) -> None:
    extend("bc-6-thang", "van-lam", to="2024-07-10")
    run("void", "r1", "--reason", "nhầm")
    data = export("--lang", "en")
    own = by_uid(data)["bc-6-thang+van-lam@small.kttn"]
    assert own["STATUS"] == "CANCELLED"
    assert (
        "Cancelled: this unit's last day is the milestone's again (29/06/2024)"
        in (own["DESCRIPTION"])
    ), own["DESCRIPTION"]


# --- the function itself -------------------------------------------------------------------


def test_ics_bytes_is_deterministic_for_an_explicit_now() -> None:
    from kttn_cli.cli.session import Session
    from kttn_cli.cli.settings import Settings
    from kttn_cli.core.rows import to_row
    from kttn_cli.export import ics_bytes

    s = Session(Settings.from_environment(dict(os.environ), {"plan": str(SMALL_PLAN)}))
    s.__dict__["as_of"] = date(2024, 7, 1)
    rows = [to_row(s.plan, j) for j in s.judged]
    now = datetime(2024, 7, 1, 8, 30, 15, tzinfo=UTC)
    first = ics_bytes(s.plan, s.as_of, rows, now=now)
    assert first == ics_bytes(s.plan, s.as_of, rows, now=now)
    assert b"DTSTAMP:20240701T083015Z\r\n" in first
