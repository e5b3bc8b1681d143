"""Golden files of the clerk's views: what people and scripts read, byte for byte.

Each case runs one command through Typer's CliRunner at 80 columns, without colour (the
autouse fixture in conftest.py), always with `--as-of`, and compares its stdout with
`tests/golden/views/<case>`. The matrix covers every view (status, board, overdue as
table/plain/CSV/JSON, upcoming) in both languages, on the days around the plan's
deadlines (31/03–01/04/2024, 30/06–01/07/2024, 31/12/2024–01/01/2025), with an empty
ledger and with the small ledger of `test_views_support.py`, and with the plan's
working-day shift turned on.

When output changes on purpose (or the bundled plan does), rewrite the files and review
the diff like code (black's habit):

    KTTN_UPDATE_GOLDEN=1 python -m pytest tests/test_views_golden.py
    git diff tests/golden/

A new case is a new line in CASES; run with KTTN_UPDATE_GOLDEN=1 once to create its file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import invoke
from test_views_support import shifting_plan, write_ledger

GOLDEN = Path(__file__).parent / "golden" / "views"
UPDATE = os.environ.get("KTTN_UPDATE_GOLDEN", "") not in ("", "0")


class Case(NamedTuple):
    name: str
    args: tuple[str, ...]
    ledger: bool = False  # the small ledger, else an empty one
    shifted: bool = False  # the bundled plan with shift_to_working_day = true


def case(name: str, command: str, *, ledger: bool = False, shifted: bool = False) -> Case:
    return Case(name, tuple(command.split()), ledger, shifted)


CASES = [
    # status: the dashboard
    case("status-2024-03-31-vi.txt", "status --as-of 2024-03-31"),
    case("status-2024-04-01-en-ledger.txt", "status --as-of 2024-04-01 --lang en", ledger=True),
    case("status-2024-07-01-vi.txt", "status --as-of 2024-07-01"),
    case("status-2024-07-01-en-ledger.txt", "status --as-of 2024-07-01 --lang en", ledger=True),
    case(
        "status-2024-07-01-vi-ledger-overdue-late.txt",
        "status --as-of 2024-07-01 --status overdue,late",
        ledger=True,
    ),
    case(
        "status-2024-12-31-vi-ledger-III.2.txt",
        "status --as-of 2024-12-31 --task III.2",
        ledger=True,
    ),
    case(
        "status-2025-01-01-vi-ledger-tp-hung-yen.txt",
        "status --as-of 2025-01-01 --unit tp-hung-yen",
        ledger=True,
    ),
    case(
        "status-2024-07-01-vi-shifted-III.2.txt",
        "status --as-of 2024-07-01 --task III.2",
        shifted=True,
    ),
    # board: the chasing sheet
    case("board-2024-06-30-vi-ledger.txt", "board --as-of 2024-06-30", ledger=True),
    case("board-2024-07-01-vi.txt", "board --as-of 2024-07-01"),
    case("board-2024-07-01-en-ledger.txt", "board --as-of 2024-07-01 --lang en", ledger=True),
    case("board-2025-01-01-vi-ledger-all.txt", "board --as-of 2025-01-01 --all", ledger=True),
    # overdue: table, plain (cron mail), CSV and JSON (scripts)
    case("overdue-2024-03-31-vi.txt", "overdue --as-of 2024-03-31"),
    case("overdue-2024-04-01-en.txt", "overdue --as-of 2024-04-01 --lang en"),
    case("overdue-2024-07-01-vi.txt", "overdue --as-of 2024-07-01"),
    case("overdue-2024-07-01-en-ledger.txt", "overdue --as-of 2024-07-01 --lang en", ledger=True),
    case("overdue-2025-01-01-vi-ledger.txt", "overdue --as-of 2025-01-01", ledger=True),
    case("overdue-2024-07-01-vi.plain.txt", "overdue --as-of 2024-07-01 --format plain"),
    case(
        "overdue-2025-01-01-en-ledger.plain.txt",
        "overdue --as-of 2025-01-01 --format plain --lang en",
        ledger=True,
    ),
    case(
        "overdue-2024-07-01-vi-ledger.csv", "overdue --as-of 2024-07-01 --format csv", ledger=True
    ),
    case("overdue-2024-07-01-vi.json", "overdue --as-of 2024-07-01 --format json"),
    case("overdue-2025-01-01-vi-ledger.json", "overdue --as-of 2025-01-01 -f json", ledger=True),
    case(
        "overdue-2025-01-07-vi-shifted.plain.txt",
        "overdue --as-of 2025-01-07 --format plain --task III.3",
        shifted=True,
    ),
    # upcoming: the default window is each milestone's warning window
    case("upcoming-2024-03-31-vi.txt", "upcoming --as-of 2024-03-31"),
    case("upcoming-2024-06-30-vi-ledger.txt", "upcoming --as-of 2024-06-30", ledger=True),
    case(
        "upcoming-2024-07-01-en-ledger-30d.txt",
        "upcoming --as-of 2024-07-01 --days 30 --lang en",
        ledger=True,
    ),
    case(
        "upcoming-2024-12-31-en-10d.plain.txt",
        "upcoming --as-of 2024-12-31 --days 10 --format plain --lang en",
    ),
    case("upcoming-2025-01-01-vi-ledger-60d.txt", "upcoming --as-of 2025-01-01 -d 60", ledger=True),
]


def run_case(c: Case, tmp_path: Path) -> str:
    args = list(c.args)
    if c.ledger:
        args += ["--ledger", str(write_ledger(tmp_path))]
    if c.shifted:
        args += ["--plan", str(shifting_plan(tmp_path))]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == "", result.stderr
    return result.stdout


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_view_matches_its_golden_file(c: Case, tmp_path: Path) -> None:
    output = run_case(c, tmp_path)
    golden = GOLDEN / c.name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(output.encode("utf-8"))
    assert golden.exists(), f"no golden file {golden}: run with KTTN_UPDATE_GOLDEN=1"
    expected = golden.read_bytes().decode("utf-8")
    assert output == expected, f"{c.name} changed; if on purpose: KTTN_UPDATE_GOLDEN=1"


def test_every_golden_file_has_a_case() -> None:
    """A renamed or dropped case must not leave a stale file behind."""
    names = {c.name for c in CASES}
    assert len(names) == len(CASES)
    assert {p.name for p in GOLDEN.iterdir()} == names
