"""Regressions found by trying kttn as a new user would: odd paths, odd streams, odd dates."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import invoke

AS_OF = "2024-07-01"


def test_export_output_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = invoke("export", "--format", "json", "--as-of", AS_OF, "--output", str(link))
    assert result.exit_code == 0, result.output + result.stderr
    assert link.is_symlink()
    assert target.read_text().startswith("{")


def test_export_output_to_a_pipe_writes_through_it(tmp_path: Path) -> None:
    # `--output /dev/stdout` as root used to rename a file over the device node.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = invoke("export", "--format", "csv", "--as-of", AS_OF, "--output", str(fifo))
    reader.join(timeout=10)
    if reader.is_alive():  # nothing was written to the pipe: let the reader go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert result.exit_code == 0, result.output + result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].startswith(b"task_id,")


def test_a_ledger_reached_through_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "synced" / "so.ledger.toml"
    real.parent.mkdir()
    link = tmp_path / "so.ledger.toml"
    link.symlink_to(real)
    for on in ("2024-06-28", "2024-06-29"):
        result = invoke(
            "submit", "III.2-bc-6-thang", "van lam", "--on", on, "--replace",
            "--ledger", str(link), "--as-of", AS_OF,
        )  # fmt: skip
        assert result.exit_code == 0, result.output + result.stderr
    assert link.is_symlink()
    assert real.read_text().count("[[records]]") == 3
    assert (real.parent / "so.ledger.toml.bak").is_file()


def test_a_reader_that_leaves_early_is_exit_141_not_1() -> None:
    # `kttn status | head -1`: Rich's own handling exited 1, the code of "overdue found".
    process = subprocess.Popen(
        [sys.executable, "-m", "kttn_cli", "status", "--as-of", AS_OF],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before kttn writes anything: its first write fails
    error = process.stderr.read()
    assert process.wait(timeout=60) == 141, error
    assert error == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("status", "--as-of", AS_OF),
        ("export", "--format", "json", "--as-of", AS_OF),
        ("--version",),
    ],
)
def test_stdout_on_a_full_disk_is_exit_73_in_one_line(args: tuple[str, ...]) -> None:
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "kttn_cli", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "KTTN_LANG": "en"},
            check=False,
            timeout=60,
        )
    assert done.returncode == 73, done.stderr
    assert done.stderr == "kttn: cannot write stdout: No space left on device\n"


def test_a_deadline_extended_to_the_last_day_python_knows_still_exports() -> None:
    # `extend --to 9999-12-31` was accepted, then every iCalendar export failed (exit 70).
    args = ("--as-of", AS_OF)
    extend = ("extend", "III.2-bc-6-thang", "kim dong", "--to", "9999-12-31", "--reason", "x")
    assert invoke(*extend).exit_code == 0
    for command in (("export", "--format", "ics"), ("export", "--format", "json"), ("status",)):
        result = invoke(*command, *args)
        assert result.exit_code == 0, result.output + result.stderr
    ics = invoke("export", "--format", "ics", *args).stdout
    assert "DTSTART;VALUE=DATE:99991231" in ics


def test_a_year_typed_short_shows_with_four_digits() -> None:
    result = invoke("submit", "III.2-bc-6-thang", "van lam", "--on", "0024-06-28", "--lang", "en")
    assert result.exit_code == 0, result.output + result.stderr
    assert "28/06/0024" in result.stdout
    assert "28/06/0024" in invoke("log", "--lang", "en").stdout


def test_an_empty_as_of_is_a_bad_date_not_today() -> None:
    result = invoke("status", "--as-of", "", "--lang", "en")
    assert result.exit_code == 2, result.output + result.stderr
    assert result.stderr == "kttn: invalid date '': use YYYY-MM-DD or DD/MM/YYYY (4-digit year)\n"


def test_an_empty_kttn_today_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KTTN_TODAY", "")
    result = invoke("status")
    assert result.exit_code == 0, result.output + result.stderr


def test_log_headers_do_not_break_inside_a_word_at_80_columns() -> None:
    invoke("submit", "III.2-bc-6-thang", "van lam", "--on", "2024-06-28", "--as-of", AS_OF)
    result = invoke("log")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Người ghi" in result.stdout


@pytest.mark.parametrize("command", ["export", "remind"])
def test_help_paragraphs_are_filled_to_the_terminal_width(command: str) -> None:
    # The docstrings' own line breaks used to survive, so each broke twice at 80 columns.
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output + result.stderr
    prose = result.stdout.split("╭")[0].splitlines()
    paragraphs: list[list[str]] = [[]]
    for line in prose:
        if line.strip():
            paragraphs[-1].append(line.rstrip())
        else:
            paragraphs.append([])
    for paragraph in paragraphs:
        for line in paragraph[:-1]:
            assert len(line) > 60, result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("status", "--unit", "nobody"), "no unit matches 'nobody'; see the list: `kttn units`"),
        (
            ("submit", "nope", "van lam", "--on", AS_OF),
            "no milestone matches 'nope'; see the list: `kttn tasks`",
        ),
    ],
)
def test_a_name_that_matches_nothing_points_to_the_list(
    args: tuple[str, ...], message: str
) -> None:
    # It said "closest: —".
    result = invoke(*args, "--lang", "en")
    assert result.exit_code == 2, result.output + result.stderr
    assert result.stderr == f"kttn: {message}\n"


def test_a_directory_given_as_the_contacts_file_is_named_as_such(tmp_path: Path) -> None:
    # It said "contacts file not found" (the plan's case: tests/test_plan_check.py).
    result = invoke("remind", "--contacts", str(tmp_path), "--dry-run", "--lang", "en")
    assert result.exit_code == 66, result.output + result.stderr
    assert result.stderr == f"kttn: {tmp_path} is a directory, not a contacts file\n"


def test_plain_lines_stay_one_obligation_a_line_whatever_the_title() -> None:
    added = invoke(
        "task", "add", "--title", "Báo cáo\nnhanh", "--by", "25-CV/TU",
        "--unit", "van-lam", "--due", "2024-06-20",
    )  # fmt: skip
    assert added.exit_code == 0, added.output + added.stderr
    result = invoke("overdue", "--format", "plain", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output + result.stderr
    assert "| II.7-1 Báo cáo nhanh" in result.stdout
    assert all(line[:2].isdigit() for line in result.stdout.splitlines()[1:]), result.stdout


def test_a_file_where_the_data_directory_should_be_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It said "cannot write …/kh-01-bcd-2024.ledger.toml: File exists".
    not_a_dir = tmp_path / "data-file"
    not_a_dir.write_text("")
    monkeypatch.setenv("KTTN_DATA_DIR", str(not_a_dir))
    result = invoke("submit", "III.2-bc-6-thang", "van lam", "--on", AS_OF, "--lang", "en")
    assert result.exit_code == 73, result.output + result.stderr
    assert result.stderr == f"kttn: cannot write {not_a_dir}: Not a directory\n"
