"""A memo of command lines Typer has read: the same arguments give the same parse.

Typer (with pydantic for its value conversion) is most of a command's start-up. When a
command line is exactly one that a Typer-parsed run of this very kttn has read before,
the memo gives back that run's result — which command, which values — and the command
runs without importing Typer (docs/architecture.md, "Speed"). It is not a second
grammar: nothing here reads arguments, it only compares them with a stored list.

Parsing depends on the arguments alone (kttn reads the environment itself, after
parsing), so the key is the argument list and kttn's package fingerprint. Best effort,
like every cache: any failure is a miss.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT = 1
MAX_ENTRIES = 64


def _file(cache_dir: Path) -> Path:
    return cache_dir / "memo.json"


def lookup(cache_dir: Path, argv: list[str], fingerprint: str) -> tuple[str, dict[str, Any]] | None:
    try:
        with _file(cache_dir).open("rb") as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            return None
        for entry in data["entries"]:
            if entry[0] == argv:
                return str(entry[1]), dict(entry[2])
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return None


def remember(
    cache_dir: Path, argv: list[str], fingerprint: str, path: str, values: dict[str, Any]
) -> None:
    """Add a parse to the memo (newest first, the oldest dropped beyond MAX_ENTRIES)."""
    target = _file(cache_dir)
    try:
        json.dumps(values)
    except (TypeError, ValueError):
        return
    try:
        with target.open("rb") as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            raise ValueError
        entries = [e for e in data["entries"] if e[0] != argv]
    except (OSError, ValueError, TypeError, KeyError):
        entries = []
    entries.insert(0, [argv, path, values])
    from kttn_cli.storage.cache_file import write_cache_file

    document = {"format": FORMAT, "fingerprint": fingerprint, "entries": entries[:MAX_ENTRIES]}
    write_cache_file(str(target), json.dumps(document, ensure_ascii=False).encode("utf-8"))
