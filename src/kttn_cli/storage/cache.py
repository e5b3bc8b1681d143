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
- Each entry carries a CRC-32 of its payload: a damaged entry (truncated, edited, bit
  rot) is detected and ignored, like one from another version.
- Best effort: an unwritable or unreadable cache directory, a full disk or a value that
  JSON cannot carry makes no command fail; it only makes it slower.
- Only content that passed validation is stored, so a hit never hides a problem.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kttn_cli import __version__

try:
    # CPython's own BLAKE2: importing hashlib loads OpenSSL, about 2 ms of every start.
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b

FORMAT = 3
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
    digest = blake2b(f"{APP} {__version__} {FORMAT}".encode())
    for name in _RULES:
        try:
            digest.update((_PACKAGE / name).read_bytes())
        except OSError:
            digest.update(f"missing {name}".encode())
    return digest.digest()


def content_key(kind: str, raw: bytes, context: str = "") -> str:
    """What an entry must match: the file's bytes, what they were checked against
    (`context`, e.g. the plan id a ledger must name) and the validation rules."""
    digest = blake2b(_rules_fingerprint(), digest_size=32)
    digest.update(f"\0{kind}\0{context}\0".encode())
    digest.update(raw)
    return digest.hexdigest()


def entry_path(kind: str, source: Path) -> Path:
    name = blake2b(str(source.absolute()).encode("utf-8", "surrogateescape"), digest_size=16)
    return cache_dir() / f"{kind}-{name.hexdigest()}.json"


def load(kind: str, source: Path, raw: bytes, context: str = "") -> Any | None:
    """The validated content stored for these exact bytes, or None (a miss).

    Every failure is a miss: no entry, another version of the file, a damaged entry, an
    unreadable directory.
    """
    payload = _read_payload(kind, source, raw, context)
    if payload is None:
        return None
    try:
        return json.loads(payload, object_hook=_revive)
    except (ValueError, RecursionError):
        return None


def store(kind: str, source: Path, raw: bytes, content: Any, context: str = "") -> None:
    """Remember validated `content` for these bytes; silently gives up on any failure."""
    try:
        payload = json.dumps(content, default=_flatten, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return
    _write_payload(kind, source, raw, payload, context)


def load_records(
    kind: str, source: Path, raw: bytes, classes: Sequence[type], context: str = ""
) -> list[Any] | None:
    """Flat dataclass objects stored by `store_records` for these exact bytes, or None.

    Built with their own constructors from JSON rows: at 100,000 ledger records, decoding
    and building took 185 ms against 278 ms for validated dictionaries through
    `record_from_dict` (measured with the garbage collector paused).
    """
    payload = _read_payload(kind, source, raw, context)
    if payload is None:
        return None
    try:
        return _from_rows(json.loads(payload), classes)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def store_records(
    kind: str,
    source: Path,
    raw: bytes,
    objects: Sequence[Any],
    classes: Sequence[type],
    context: str = "",
) -> None:
    """Remember flat dataclass objects (e.g. ledger records) for these bytes.

    Stored only if the rows read back into objects equal to these: a field of a type the
    rows cannot carry means no entry, never a wrong one.
    """
    try:
        document = _to_rows(objects, classes)
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        if _from_rows(json.loads(payload), classes) != list(objects):
            return
    except (TypeError, ValueError, KeyError, RecursionError):
        return
    _write_payload(kind, source, raw, payload, context)


def _read_payload(kind: str, source: Path, raw: bytes, context: str) -> str | None:
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
        if zlib.crc32(payload) != header.get("crc32"):
            return None
        return payload.decode("utf-8")
    except (OSError, ValueError, RecursionError):
        return None


def _write_payload(kind: str, source: Path, raw: bytes, payload: str, context: str) -> None:
    try:
        data = payload.encode("utf-8")
        header = {
            "format": FORMAT,
            "key": content_key(kind, raw, context),
            "crc32": zlib.crc32(data),
            "source": str(source.absolute()),
        }
        target = entry_path(kind, source)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_atomically(target, json.dumps(header).encode("utf-8") + b"\n" + data)
    except (OSError, ValueError):
        return


# Field kinds of the rows format: how a JSON value becomes the field's value again.
_KINDS: dict[str, Callable[[Any], Any]] = {
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "tuple": tuple,
}


def _kind(value: Any) -> str:
    # Exact types only: anything else stops the store rather than coming back changed.
    if value is None or type(value) in (str, int, bool):
        return ""
    if type(value) is datetime:
        return "datetime"
    if type(value) is date:
        return "date"
    if type(value) is tuple and all(type(v) is str for v in value):
        return "tuple"
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _to_rows(objects: Sequence[Any], classes: Sequence[type]) -> dict[str, Any]:
    """`{"classes": [[name, fields, kinds]…], "rows": [[class index, value…]…]}`."""
    index = {cls: i for i, cls in enumerate(classes)}
    names = [[f.name for f in dataclasses.fields(cls)] for cls in classes]
    kinds: list[list[str]] = [[""] * len(n) for n in names]
    rows = []
    for obj in objects:
        i = index[type(obj)]
        row: list[Any] = [i]
        for position, name in enumerate(names[i]):
            value = getattr(obj, name)
            kind = _kind(value)
            if kind:
                if kinds[i][position] not in ("", kind):
                    raise TypeError(f"{name} holds values of two kinds")
                kinds[i][position] = kind
                value = list(value) if kind == "tuple" else value.isoformat()
            row.append(value)
        rows.append(row)
    classes_out = [[cls.__name__, names[i], kinds[i]] for i, cls in enumerate(classes)]
    return {"classes": classes_out, "rows": rows}


def _from_rows(document: dict[str, Any], classes: Sequence[type]) -> list[Any]:
    stored = document["classes"]
    if [c[0] for c in stored] != [cls.__name__ for cls in classes]:
        raise ValueError("other classes")
    fixes: list[list[tuple[int, Callable[[Any], Any]]]] = []
    for (_, names, kinds), cls in zip(stored, classes, strict=True):
        if names != [f.name for f in dataclasses.fields(cls)]:
            raise ValueError("other fields")
        fixes.append([(p, _KINDS[k]) for p, k in enumerate(kinds) if k])
    out: list[Any] = []
    append = out.append
    for row in document["rows"]:
        i = row[0]
        values = row[1:]
        for position, convert in fixes[i]:
            value = values[position]
            if value is not None:
                values[position] = convert(value)
        append(classes[i](*values))
    return out


def _write_atomically(target: Path, data: bytes) -> None:
    """Write a temporary file beside `target`, then rename it over: readers see the old
    entry or the new one, never half of one.

    Not `atomic.replace_file`: an entry needs no fsync and no backup (losing one costs
    only a validation), and a failure must stay an OSError, which `store` ignores.
    """
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
