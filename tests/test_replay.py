"""Replayed reads (docs/architecture.md, "Speed"): a view written to a pipe whose inputs
are all as they were is written again byte for byte without importing the core; any
input that changed, a run that said anything on stderr, a run that wrote a file, is run
again. Real processes: the replay depends on what stdout is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import SMALL_PLAN, kttn, ok

VIEW = ["overdue", "--format", "plain", "--plan", str(SMALL_PLAN), "--as-of", "2024-12-01"]
PROBE = (
    "import sys, os; from kttn_cli.cli.entry import run_argv; "
    "code = run_argv(sys.argv[1:], os.environ); sys.stdout.flush(); "
    "print('core' if 'kttn_cli.core.model' in sys.modules else 'replayed', file=sys.stderr); "
    "sys.exit(code)"
)


def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    """kttn ARGV in a new process, stdout a pipe; (exit code, stdout, how it ran)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        env=env or dict(os.environ),
        timeout=60,
    )
    lines = done.stderr.decode().splitlines()
    return done.returncode, done.stdout, lines[-1] if lines else ""


def test_a_view_to_a_pipe_is_replayed_until_an_input_changes() -> None:
    first = run(*VIEW)
    assert first[0] == 0 and first[2] == "core", first
    again = run(*VIEW)
    assert again == (0, first[1], "replayed")
    # A record changes the ledger: run again, and the new output is replayed after that.
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", "--plan", str(SMALL_PLAN)))
    after = run(*VIEW)
    assert after[2] == "core" and after[1] != first[1]
    assert b"V\xc4\x83n L\xc3\xa2m" not in after[1].split(b"\n", 1)[1], after  # delivered
    assert run(*VIEW) == (0, after[1], "replayed")


def test_the_exit_code_is_replayed_with_the_output() -> None:
    argv = [*VIEW, "--exit-code"]
    first = run(*argv)
    assert first[0] == 1 and first[2] == "core"
    assert run(*argv) == (1, first[1], "replayed")


def test_the_environment_the_settings_file_and_the_day_are_inputs(tmp_path: Path) -> None:
    first = run(*VIEW)
    assert run(*VIEW)[2] == "replayed"
    english = {**os.environ, "KTTN_LANG": "en"}
    assert run(*VIEW, env=english)[2] == "core"
    settings = Path(os.environ["XDG_CONFIG_HOME"]) / "kttn" / "config.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('lang = "en"\n', encoding="utf-8")
    changed = run(*VIEW)
    assert changed[2] == "core" and changed[1] != first[1] and b"Plan No." in changed[1]
    # Without --as-of a view is as of today: an entry is never used on another day (the
    # day is part of the key; a fake clock cannot reach a new process, so the key is
    # checked directly).
    from kttn_cli.cli import replay

    assert replay.key(VIEW, os.environ, "f") == replay.key(VIEW, dict(os.environ), "f")
    assert replay.key(VIEW, os.environ, "f") != replay.key(VIEW, english, "f")


def test_a_run_that_spoke_on_stderr_or_wrote_a_file_is_not_replayed(tmp_path: Path) -> None:
    ledger = Path(os.environ["KTTN_DATA_DIR"]) / "small.ledger.toml"
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", "--plan", str(SMALL_PLAN)))
    # A record that points nowhere: views state the problem (on stderr) and go on.
    text = ledger.read_text(encoding="utf-8").replace('milestone = "bc-6-thang"', 'milestone = "x"')
    ledger.write_text(text, encoding="utf-8")
    for _ in range(2):
        code, _out, how = run(*VIEW)
        assert (code, how) == (0, "core")
    board = ["board", "--format", "xlsx", "--output", str(tmp_path / "b.xlsx"), "--plan"]
    ledger.unlink()
    for _ in range(2):
        code, _out, how = run(*board, str(SMALL_PLAN), "--as-of", "2024-12-01")
        assert (code, how) == (0, "core")


def test_a_reader_gone_ends_a_replay_as_it_ends_a_run() -> None:
    run(*VIEW)
    assert run(*VIEW)[2] == "replayed"
    read, write = os.pipe()
    os.close(read)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *VIEW],
        stdout=write,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
        timeout=60,
    )
    os.close(write)
    assert done.returncode == 141, done.stderr
    assert done.stderr.decode().splitlines() == ["replayed"], done.stderr


def test_a_file_changed_while_the_view_ran_is_not_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another clerk's write between reading the ledger and the end of the view: the
    output is the old ledger's, so it must not be kept as the new ledger's."""
    from kttn_cli.storage import loader

    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", "--plan", str(SMALL_PLAN)))
    real_load = loader.load

    def load_then_a_write(*args: Any, **kwargs: Any) -> Any:
        state = real_load(*args, **kwargs)
        ledger = Path(os.environ["KTTN_DATA_DIR"]) / "small.ledger.toml"
        os.utime(ledger, ns=(1, 1))  # as if rewritten: its identity changes
        return state

    with monkeypatch.context() as patched:
        patched.setattr(loader, "load", load_then_a_write)
        ok(kttn(*VIEW))
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "kttn" / "replay"
    assert not list(folder.glob("*.out"))
    assert run(*VIEW)[2] == "core"


def test_the_default_plans_registered_copy_coming_back_is_an_input(tmp_path: Path) -> None:
    """Without --plan the plan is the office's registered copy of the bundled plan if
    that file is there, else the bundled plan: the copy's return must be seen."""
    os.chdir(tmp_path)
    ok(kttn("init", "--same-id", "ke-hoach.toml"))
    copy = tmp_path / "ke-hoach.toml"
    text = copy.read_text(encoding="utf-8")
    view = ["overdue", "--format", "json", "--as-of", "2024-12-01"]
    mine = run(*view)
    copy.rename(tmp_path / "away.toml")
    bundled = run(*view)
    assert run(*view)[2] == "replayed"
    (tmp_path / "away.toml").rename(copy)
    back = run(*view)
    assert back[2] == "core" and back[1] == mine[1], "the registered copy is used again"
    assert text and bundled[0] == 0


def test_bytes_that_are_not_utf8_on_the_command_line_are_a_clean_answer() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kttn_cli", "overdue", "--unit", b"\xff\xfe", *VIEW[1:]],
        capture_output=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert b"Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2 and done.stderr.startswith(b"kttn: "), done


def test_a_view_from_a_folder_that_was_deleted_still_answers(tmp_path: Path) -> None:
    """The working directory is gone (`cd x; rmdir ../x`): there is nothing to key a
    replay on, so the view just runs."""
    gone = tmp_path / "gone"
    probe = f"import os; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); " + PROBE
    for _ in range(2):
        gone.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", probe, *VIEW], capture_output=True, env=dict(os.environ)
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr.decode().splitlines() == ["core"], done.stderr
