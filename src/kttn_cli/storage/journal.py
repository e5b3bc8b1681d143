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

Best effort, like every cache: a line that cannot be written, read or decoded, whose
checksum fails, or whose records are not what a write could have written
(`new_records`) breaks the chain, and the command reads the ledger the slower way.
Lines are added only under the ledger's lock; a journal grown past `LIMIT`, or kept by
another kttn or another version of the plan (its header's `base`), is started again by
the next write.
"""

from __future__ import annotations

import json
import os
import stat
import zlib
from collections.abc import Sequence
from pathlib import Path

from kttn_cli.core.model import LedgerRecord, Record
from kttn_cli.storage import cache
from kttn_cli.storage.cache_file import open_regular, write_cache_file

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
        payload = cache.encode(list(records)).encode("utf-8")
    except (ValueError, TypeError, RecursionError):
        return False
    line = f"{before} {after} {zlib.crc32(payload):08x} ".encode() + payload + b"\n"
    header = _header(base)
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return write_cache_file(str(path), header + line, mode=mode)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        if info.st_size > LIMIT or os.pread(fd, len(header), 0) != header:
            return write_cache_file(str(path), header + line, mode=mode)
        if os.pread(fd, 1, info.st_size - 1) != b"\n":
            line = b"\n" + line  # a line cut short by a killed writer stays apart
        os.write(fd, line)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def follow(path: Path, base: str, start: str, end: str) -> list[LedgerRecord] | None:
    """The records written from version `start` to version `end`, in order; None when
    the lines do not lead there (a write that left no line, a hand edit, another base)
    or a line on the way is damaged (its checksum, or records a write could not have
    written)."""
    try:
        with open_regular(str(path)) as handle:
            data = handle.read(2 * LIMIT + 1)
    except OSError:
        return None
    header = _header(base)
    if len(data) > 2 * LIMIT or not data.startswith(header):
        return None
    steps: dict[bytes, tuple[bytes, bytes, bytes] | None] = {}
    for line in data[len(header) :].split(b"\n"):
        parts = line.split(b" ", 3)
        if len(parts) == 4:
            # A version left twice cannot be told apart: neither line is followed.
            steps[parts[0]] = None if parts[0] in steps else (parts[1], parts[2], parts[3])
    records: list[LedgerRecord] = []
    here, goal = start.encode(), end.encode()
    while here != goal:
        step = steps.pop(here, None)  # popped: a loop ends here
        if step is None:
            return None
        here, checksum, payload = step
        decoded = _records(checksum, payload)
        if decoded is None:
            return None
        records.extend(decoded)
    return records


def _records(checksum: bytes, payload: bytes) -> list[LedgerRecord] | None:
    """The records of one line, if its checksum holds and they are records a write
    could have written (`new_records`: what the file models accept)."""
    from kttn_cli.storage.new_records import problems, table

    try:
        if int(checksum, 16) != zlib.crc32(payload):
            return None
        with cache.paused_gc():
            decoded = cache.decode(payload.decode("utf-8"))
        if not isinstance(decoded, list) or not all(isinstance(r, Record) for r in decoded):
            return None
        if problems([table(record) for record in decoded], 0):
            return None
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None
    return decoded
