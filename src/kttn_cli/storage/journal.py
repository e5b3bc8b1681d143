"""The records each write appended, kept beside the ledger's state entry
(docs/architecture.md, "Speed").

A write renames a new ledger over the old one, so the ledger's identity
(`storage.identity`) names each version of it. Right after its commit, still holding
the ledger's lock, a write adds one line here: the version it started from, the version
it made, and the records it appended (in the state cache's codec). A command that finds
a state entry for an older version follows the lines from that version to the current
one and adds their records to the entry's book: no TOML parsed and no file model
imported, where reading the appended text (`loader._appended`) needs both. A new entry
is written only every so often (`SNAPSHOT_AFTER`): encoding the whole book costs more
than replaying a few lines.

Best effort, like every cache: a line that cannot be written, read or decoded breaks the
chain, and the command reads the ledger the slower way. Lines are added only under the
ledger's lock; a journal grown past `LIMIT`, or kept by another kttn or another version
of the plan (its header's `base`), is started again by the next write.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from kttn_cli.core.model import LedgerRecord, Record
from kttn_cli.storage import cache
from kttn_cli.storage.cache_file import write_cache_file

FORMAT = 1
LIMIT = 1 << 20  # bytes; about 2,500 writes of one record
SNAPSHOT_AFTER = 64  # records replayed from the journal before a new entry is worth it


def version(ident: tuple[int, ...] | None) -> str | None:
    """The name of one version of the ledger: its identity, written out (exact, and
    with no hash module to import on a read's path)."""
    if ident is None:
        return None
    return "-".join(str(part) for part in ident)


def place_of(entry: Path) -> Path:
    """The journal that continues the state entry at `entry`."""
    return entry.with_name(entry.name + ".journal")


def _header(base: str) -> bytes:
    return json.dumps({"format": FORMAT, "base": base}).encode() + b"\n"


def add(
    path: Path,
    base: str,
    before: str,
    after: str,
    records: Sequence[LedgerRecord],
    mode: int,
) -> bool:
    """Add the line `before → after: records`; False (nothing added) on any failure.
    Call it holding the ledger's lock."""
    try:
        line = f"{before} {after} {cache.encode(list(records))}\n".encode()
    except (ValueError, TypeError, RecursionError):
        return False
    header = _header(base)
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
    except FileNotFoundError:
        return write_cache_file(str(path), header + line, mode=mode)
    except OSError:
        return False
    try:
        size = os.fstat(fd).st_size
        if size > LIMIT or os.pread(fd, len(header), 0) != header:
            return write_cache_file(str(path), header + line, mode=mode)
        if os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line  # a line cut short by a killed writer stays apart
        os.write(fd, line)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def follow(path: Path, base: str, start: str, end: str) -> list[LedgerRecord] | None:
    """The records written from version `start` to version `end`, in order; None when
    the lines do not lead there (a write that left no line, a hand edit, another base)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = _header(base)
    if not data.startswith(header):
        return None
    steps: dict[bytes, tuple[bytes, bytes] | None] = {}
    for line in data[len(header) :].split(b"\n"):
        parts = line.split(b" ", 2)
        if len(parts) == 3:
            # A version left twice cannot be told apart: neither line is followed.
            steps[parts[0]] = None if parts[0] in steps else (parts[1], parts[2])
    records: list[LedgerRecord] = []
    here, goal = start.encode(), end.encode()
    while here != goal:
        step = steps.pop(here, None)  # popped: a loop ends here
        if step is None:
            return None
        here, payload = step
        try:
            with cache.paused_gc():
                decoded = cache.decode(payload.decode("utf-8"))
        except (ValueError, TypeError, KeyError, IndexError, RecursionError):
            return None
        if not isinstance(decoded, list) or not all(isinstance(r, Record) for r in decoded):
            return None
        records.extend(decoded)
    return records
