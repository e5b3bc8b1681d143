"""Caches that make the tenth `kttn status` of the day cheap (docs/architecture.md, "Speed").

- **The state cache** keeps what a plan and a ledger come to: the plan as core objects,
  the ledger's `Book` (what is in force, not every record) and every problem found. An
  entry is valid for one version of both files (`files.identity`: device, inode, size,
  times) and one version of kttn (`package_fingerprint`: every file of the package). A
  write renames a new ledger over the old one, so it always gets a new identity.
- Entries are JSON; only the core's own dataclasses and enums can be rebuilt from them
  (an allow-list), so a damaged or planted entry is at worst a miss, never code run.
- Best effort: an unreadable or unwritable place, a full disk or a value JSON cannot
  carry makes no command fail; it only makes it slower. Only what the loader computed
  from the files is stored, so a hit never hides a problem (problems are stored too).
- Entries are written atomically (a temporary file renamed over), so a reader sees the
  old entry or the new one.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

FORMAT = 6


# --- the JSON codec of core objects -----------------------------------------------------


def _allowed() -> dict[str, type]:
    """The classes an entry may contain: the core's dataclasses and enums, and the
    loader's `State` that holds them, by name."""
    from kttn_cli.core import model, obligations, problems, roster
    from kttn_cli.storage import loader

    found: dict[str, type] = {}
    for module in (model, obligations, problems, roster, loader):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and (dataclasses.is_dataclass(value) or issubclass(value, enum.Enum))
            ):
                found[value.__name__] = value
    return found


class _Encoder:
    """Turns core objects into JSON values; an object met twice is written once."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps ids stable while encoding
        self.fields: dict[type, tuple[str, ...]] = {}  # each dataclass's init fields

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind in _PLAIN:
            return value
        names = self.fields.get(kind)
        if names is not None:
            return self._dataclass(value, names)
        if kind is tuple:
            return {"$t": [self(v) for v in value]}
        if kind is date:
            return {"$d": value.isoformat()}
        if isinstance(value, enum.Enum):
            return {"$e": [kind.__name__, value.value]}
        if kind is datetime:
            return {"$dt": value.isoformat()}
        if isinstance(value, tuple):
            return {"$t": [self(v) for v in value]}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, frozenset | set):
            tag = "$f" if isinstance(value, frozenset) else "$s"
            return {tag: sorted((self(v) for v in value), key=repr)}
        if isinstance(value, dict):
            return {"$m": [[self(k), self(v)] for k, v in value.items()]}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = tuple(f.name for f in dataclasses.fields(value) if f.init)
            self.fields[kind] = names
            return self._dataclass(value, names)
        raise TypeError(f"cannot cache a {kind.__name__}")

    def _dataclass(self, value: Any, names: tuple[str, ...]) -> Any:
        ref = self.seen.get(id(value))
        if ref is not None:
            return {"$r": ref}
        ref = len(self.seen)
        self.seen[id(value)] = ref
        self.keep.append(value)
        # Positional, in the order of the class's fields (its __init__'s order): no
        # second object per value to build and pass through the decoder's hook.
        fields = [self(getattr(value, name)) for name in names]
        return {"$c": [type(value).__name__, ref, fields]}


_PLAIN = frozenset({str, int, bool, float})


class _Decoder:
    def __init__(self, allowed: dict[str, type]) -> None:
        self.allowed = allowed
        self.refs: dict[int, Any] = {}

    def __call__(self, obj: dict[str, Any]) -> Any:
        if len(obj) == 1:
            ((tag, value),) = obj.items()
            if tag == "$t":
                return tuple(value)
            if tag == "$d":
                return date.fromisoformat(value)
            if tag == "$dt":
                return datetime.fromisoformat(value)
            if tag == "$f":
                return frozenset(value)
            if tag == "$s":
                return set(value)
            if tag == "$m":
                return dict(value)
            if tag == "$r":
                return self.refs[value]
            if tag == "$c":
                name, ref, fields = value
                made = self.allowed[name](*fields)
                self.refs[ref] = made
                return made
            if tag == "$e":
                name, member = value
                return self.allowed[name](member)
        return obj


def encode(value: Any) -> str:
    return json.dumps(_Encoder()(value), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Any:
    return json.loads(text, object_hook=_Decoder(_allowed()))


# --- entries ------------------------------------------------------------------------------


def read_entry(path: Path, key: str) -> Any | None:
    """The value stored at `path` for `key`, or None (a miss, whatever went wrong)."""
    found = read_entry_where(path, lambda header: header.get("key") == key)
    return None if found is None else found[1]


def read_entry_where(path: Path, wanted: Callable[[dict[str, Any]], bool]) -> Any | None:
    """(header, value) of the entry at `path` if its header is `wanted`, else None."""
    from kttn_cli.storage.cache_file import open_regular

    try:
        with open_regular(str(path)) as handle:
            header = _header(handle)
            if header is None or not wanted(header):
                return None
            payload = handle.read()
        if zlib.crc32(payload) != header.get("crc32"):
            return None
        with paused_gc():
            return header, decode(payload.decode("utf-8"))
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None


def header_of(path: Path) -> dict[str, Any] | None:
    """The header of the entry at `path` (what it was computed from), without reading
    its value; None when there is none."""
    from kttn_cli.storage.cache_file import open_regular

    try:
        with open_regular(str(path)) as handle:
            return _header(handle)
    except (OSError, ValueError):
        return None


def _header(handle: BinaryIO) -> dict[str, Any] | None:
    """An entry's first line, if it is a header of this format."""
    header = json.loads(handle.readline())
    return header if isinstance(header, dict) and header.get("format") == FORMAT else None


def write_entry(
    path: Path, key: str, value: Any, mode: int = 0o600, about: dict[str, Any] | None = None
) -> bool:
    """Store `value` for `key` at `path`, atomically; False (and nothing written) on any
    failure. `mode` lets the entry beside a shared ledger be read by who reads it; `about`
    adds facts to the header (what the value was computed from)."""
    try:
        payload = encode(value).encode("utf-8")
        header = {**(about or {}), "format": FORMAT, "key": key, "crc32": zlib.crc32(payload)}
        data = json.dumps(header).encode("utf-8") + b"\n" + payload
    except (ValueError, TypeError, RecursionError):
        return False
    from kttn_cli.storage.cache_file import write_cache_file

    return write_cache_file(str(path), data, mode=mode)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Build many objects without the cyclic garbage collector running again and again
    (the objects built have no cycles)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
