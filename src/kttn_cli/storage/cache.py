"""A cache of validated file content, so that a clerk's tenth `kttn status` of the day
does not parse and validate the same plan and ledger again.

Validating means importing pydantic and parsing TOML: on this kind of machine that costs
more than the rest of a command together (bench/README.md). After a full validation the
loaders store the validated content here as JSON; the next run that reads the same bytes
builds the core objects from that JSON without importing pydantic or a TOML parser.

- Keyed by a hash of the file's bytes, together with the kttn version and the source of
  the modules that decide what is valid: any change to the file or to those rules is a
  miss, and a miss runs the full validation again.
- One entry per (kind, file path): a new version replaces the old one, so the cache does
  not grow with every ledger write.
- Each entry carries a checksum of its payload: a damaged entry (truncated, edited, bit
  rot) is detected and ignored, like one from another version.
- Best effort: an unwritable or unreadable cache directory, a full disk or a value that
  JSON cannot carry makes no command fail; it only makes it slower.
- Only content that passed validation is stored, so a hit never hides a problem.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kttn_cli import __version__

FORMAT = 1
APP = "kttn"

# The modules whose code decides what a valid plan or ledger is and how it is turned into
# data: a change to any of them (a development checkout, an upgrade) invalidates entries.
_RULES = (
    "storage/plan_schema.py",
    "storage/ledger_schema.py",
    "storage/plan_file.py",
    "storage/ledger_file.py",
    "storage/documents.py",
    "storage/cache.py",
    "core/model.py",
)
_PACKAGE = Path(__file__).resolve().parent.parent

# Dates are the only values of validated content that JSON has no type for. They are
# written as one-key objects with these keys; validated documents cannot contain such an
# object themselves, since every key of the plan and ledger schemas is fixed.
_DATE = "$date"
_DATETIME = "$datetime"


def cache_dir() -> Path:
    """The user cache directory for kttn: `$XDG_CACHE_HOME/kttn` (if absolute), else
    `~/.cache/kttn`.

    On Linux this is platformdirs' own rule, computed here because importing platformdirs
    costs about 14 ms on every start; elsewhere platformdirs decides.
    """
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not Path(base).is_absolute():  # the XDG spec: ignore a relative path
            base = str(Path("~/.cache").expanduser())
        return Path(base) / APP
    from platformdirs import user_cache_path

    return user_cache_path(APP, appauthor=False)


@functools.cache
def _rules_fingerprint() -> bytes:
    digest = hashlib.sha256(f"{APP} {__version__} {FORMAT}".encode())
    for name in _RULES:
        try:
            digest.update((_PACKAGE / name).read_bytes())
        except OSError:
            digest.update(f"missing {name}".encode())
    return digest.digest()


def content_key(kind: str, raw: bytes, context: str = "") -> str:
    """What an entry must match: the file's bytes, what they were checked against
    (`context`, e.g. the plan id a ledger must name) and the validation rules."""
    digest = hashlib.sha256(_rules_fingerprint())
    digest.update(f"\0{kind}\0{context}\0".encode())
    digest.update(raw)
    return digest.hexdigest()


def entry_path(kind: str, source: Path) -> Path:
    name = hashlib.sha256(str(source.absolute()).encode("utf-8", "surrogateescape"))
    return cache_dir() / f"{kind}-{name.hexdigest()[:32]}.json"


def load(kind: str, source: Path, raw: bytes, context: str = "") -> Any | None:
    """The validated content stored for these exact bytes, or None (a miss).

    Every failure is a miss: no entry, another version of the file, a damaged entry, an
    unreadable directory.
    """
    try:
        with entry_path(kind, source).open("rb") as handle:
            header = json.loads(handle.readline())
            if (
                not isinstance(header, dict)
                or header.get("format") != FORMAT
                or header.get("key") != content_key(kind, raw, context)
            ):
                return None
            payload = handle.read()
        if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            return None
        return json.loads(payload.decode("utf-8"), object_hook=_revive)
    except (OSError, ValueError, RecursionError):
        return None


def store(kind: str, source: Path, raw: bytes, content: Any, context: str = "") -> None:
    """Remember validated `content` for these bytes; silently gives up on any failure."""
    try:
        payload = json.dumps(
            content, default=_flatten, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        header = {
            "format": FORMAT,
            "key": content_key(kind, raw, context),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "source": str(source.absolute()),
        }
        target = entry_path(kind, source)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_atomically(target, json.dumps(header).encode("utf-8") + b"\n" + payload)
    except (OSError, TypeError, ValueError, RecursionError):
        return


def _write_atomically(target: Path, data: bytes) -> None:
    """Write a temporary file beside `target`, then rename it over: readers see the old
    entry or the new one, never half of one."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _flatten(value: Any) -> Any:
    # datetime is a subclass of date: test it first. Exact types only, so that anything
    # else JSON cannot carry stops the store (TypeError) instead of coming back changed.
    if type(value) is datetime:
        return {_DATETIME: value.isoformat()}
    if type(value) is date:
        return {_DATE: value.isoformat()}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _revive(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if _DATE in obj:
            return date.fromisoformat(obj[_DATE])
        if _DATETIME in obj:
            return datetime.fromisoformat(obj[_DATETIME])
    return obj


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run a block without the cyclic garbage collector.

    Building tens of thousands of records triggers a full collection again and again;
    the objects built have no cycles. At 100,000 records this saves about a third of the
    load time (measured: 446 → 293 ms for decode and build).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
