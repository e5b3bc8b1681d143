"""Every test runs with its own HOME, data, cache and settings directories, at 80
columns, without colour, and with no KTTN_* variable from the machine that runs it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """flanker's parser writes its ply tables into site-packages on its first import in a
    new environment; two xdist workers importing it at once read each other's half-written
    table (AttributeError: ... has no attribute '_tabversion'). Import it once here, in the
    controller, before any worker starts."""
    if hasattr(config, "workerinput"):
        return
    # Without flanker, the tests that read mail with it say so themselves.
    with contextlib.suppress(ImportError):
        import flanker.mime  # type: ignore[import-untyped]  # noqa: F401


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith("KTTN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KTTN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("KTTN_USER", "clerk")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("FORCE_COLOR", "PAGER", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    yield tmp_path
