"""Shared fixtures: every test runs with its own HOME, data directory and no colour."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kttn_cli.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_PLAN = ROOT / "src" / "kttn_cli" / "data" / "plan_2024.toml"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads or writes the real user's data, and none depends on the terminal."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KTTN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    for name in (
        "KTTN_PLAN",
        "KTTN_LEDGER",
        "KTTN_TODAY",
        "KTTN_LANG",
        "FORCE_COLOR",
        "KTTN_DEBUG",
    ):
        monkeypatch.delenv(name, raising=False)
    yield tmp_path


def invoke(*args: str, input: str | None = None) -> Result:
    """Run kttn in-process through Typer's CliRunner (stderr kept apart)."""
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def run_kttn(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run kttn as a real process (`python -m kttn_cli`), with the test's environment."""
    full_env = dict(os.environ)
    if env is not None:
        full_env = env
    return subprocess.run(
        [sys.executable, "-m", "kttn_cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
