"""The ledger: read it, and append records through the one safe write path (DESIGN §5).

The ledger is append-only: corrections (voids, replacements, extensions) are new records,
so every write is "old bytes + new records". Each write happens under a file lock and
replaces the file atomically; the previous version is kept as `<ledger>.bak`.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from kttn_cli.core.model import LedgerRecord, record_from_dict
from kttn_cli.core.status import Ledger
from kttn_cli.errors import (
    CannotWrite,
    ConfigError,
    DataError,
    MissingInput,
    TemporaryFailure,
    Word,
)
from kttn_cli.i18n import Lang
from kttn_cli.storage.atomic import replace_file
from kttn_cli.storage.documents import Problem, parse_toml, validation_problems

HEADER = (
    "# Sổ theo dõi của kttn: do kttn ghi, không sửa bằng tay.\n"
    "# Written by kttn: do not edit by hand; use `kttn submit`, `kttn void`, `kttn extend`.\n"
)
LOCK_TIMEOUT_ENV = "KTTN_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0


@dataclass(slots=True)
class LedgerCheck:
    path: Path
    exists: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def check_ledger(path: Path, plan_id: str, lang: Lang) -> LedgerCheck:
    """Read and validate the ledger; a missing ledger is an empty one."""
    raw = _read(path)
    if raw is None:
        return LedgerCheck(path, exists=False)
    return _check_bytes(path, raw, plan_id, lang)


def _read(path: Path) -> bytes | None:
    """The ledger's bytes, or None when there is none yet; exit 65 if it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise MissingInput("err.directory_given", what=Word("err.what.ledger"), path=path) from None
    except OSError as exc:
        raise DataError("err.cannot_read", path=path, reason=exc.strerror) from None


def _check_bytes(path: Path, raw: bytes, plan_id: str, lang: Lang) -> LedgerCheck:
    from pydantic import ValidationError

    from kttn_cli.storage.ledger_schema import LedgerFile

    result = LedgerCheck(path, exists=True)
    parsed = parse_toml(path, raw)
    if parsed.data is None:
        result.problems = parsed.problems
        return result
    try:
        model = LedgerFile.model_validate(parsed.data)
    except ValidationError as exc:
        result.problems = validation_problems(parsed, exc, lang)
        return result
    if model.plan != plan_id:
        result.problems.append(
            parsed.problem(("plan",), "wrong_plan", found=model.plan, expected=plan_id)
        )
    seen: set[str] = set()
    for i, record in enumerate(model.records):
        if record.id in seen:
            result.problems.append(
                parsed.problem(("records", i, "id"), "duplicate_id", id=record.id)
            )
        seen.add(record.id)
    result.records = [r.model_dump() for r in model.records]
    return result


def load_ledger(path: Path, plan_id: str, lang: Lang) -> Ledger:
    """The ledger's records; exit 65 (file untouched) when it cannot be read.

    Content validated before (same bytes, same plan id) comes from the cache, without
    pydantic or TOML parsing (storage/cache.py).
    """
    from kttn_cli.storage import cache

    raw = _read(path)
    if raw is None:
        return Ledger(())
    kinds = get_args(LedgerRecord)
    with cache.paused_gc():
        cached = cache.load_records("ledger", path, raw, kinds, plan_id)
        if cached is not None:
            return Ledger(tuple(cached))
        ledger = _valid_or_raise(_check_bytes(path, raw, plan_id, lang), lang)
        cache.store_records("ledger", path, raw, ledger.records, kinds, plan_id)
        return ledger


def _valid_or_raise(check: LedgerCheck, lang: Lang) -> Ledger:
    """The checked ledger's records, or exit 65 naming the first problem."""
    if check.problems:
        raise DataError(
            "err.invalid_ledger",
            path=check.path,
            count=len(check.problems),
            first=check.problems[0].format(lang),
        )
    return Ledger(tuple(record_from_dict(r) for r in check.records))


def serialise(records: Sequence[dict[str, Any]]) -> str:
    """Records as `[[records]]` tables, one key per line, in a fixed layout.

    Each record is written on its own with tomli-w, so the layout never depends on the
    length of the file (tomli-w chooses inline or block arrays of tables by line length).
    """
    import tomli_w

    out = []
    for record in records:
        body = {k: v for k, v in record.items() if v is not None}
        out.append("\n[[records]]\n" + tomli_w.dumps(body))
    return "".join(out)


def append(
    path: Path,
    plan_id: str,
    lang: Lang,
    build: Callable[[Ledger], list[dict[str, Any]]],
) -> list[LedgerRecord]:
    """Append the records that `build` makes from the current ledger, safely.

    Under the lock: read and validate the current file (an invalid one is left alone),
    let `build` decide the new records (it may raise to refuse), validate the whole new
    content, write a temporary file in the same directory, fsync it, keep the old file as
    a backup, rename the new one over it and fsync the directory.
    """
    from filelock import FileLock, Timeout

    timeout = _lock_timeout()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(f"{path}.lock", timeout=timeout)
        lock.acquire()
    except Timeout:
        raise TemporaryFailure("err.lock_timeout", path=path, seconds=timeout) from None
    except FileExistsError:  # a file where the data directory should be: not "File exists"
        reason = os.strerror(errno.ENOTDIR)
        raise CannotWrite("err.cannot_write", path=path.parent, reason=reason) from None
    except OSError as exc:
        raise CannotWrite("err.cannot_write", path=path, reason=exc.strerror) from None
    try:
        try:
            old: bytes | None = path.read_bytes()
            # Keep the permissions someone gave the ledger (e.g. shared with a group).
            mode: int | None = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            old, mode = None, None
        except OSError as exc:
            raise DataError("err.cannot_read", path=path, reason=exc.strerror) from None
        # An existing empty file is a damaged ledger (e.g. truncated), not a new one:
        # validating it refuses the write instead of starting over on top of it.
        current = (
            LedgerCheck(path, False) if old is None else _check_bytes(path, old, plan_id, lang)
        )
        ledger = _valid_or_raise(current, lang)
        new = build(ledger)
        if not new:
            return []
        head = _new_file(plan_id).encode() if old is None else old
        content = head + serialise(new).encode()
        after = _check_bytes(path, content, plan_id, lang)
        if after.problems:  # a bug in kttn, not in the user's data: never write it
            raise DataError("err.refused_write", path=path, first=after.problems[0].format(lang))
        _remove_stale_temporaries(path)
        replace_file(path, content, keep_backup=old is not None, mode=mode)
        written = _valid_or_raise(after, lang).records
        # The next read (the status right after a submit) need not validate again.
        from kttn_cli.storage import cache

        cache.store_records("ledger", path, content, written, get_args(LedgerRecord), plan_id)
        return list(written[-len(new) :])
    finally:
        lock.release()


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files left by writers killed before their rename.

    Every writer of this ledger holds the lock while its temporary file exists, so under
    the lock any such file is stale. Failing to delete one is harmless.
    """
    import contextlib
    import glob

    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _lock_timeout() -> float:
    """KTTN_LOCK_TIMEOUT in seconds (0: do not wait); a bad value is exit 78, not 70."""
    text = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigError(
            "err.bad_setting", name=LOCK_TIMEOUT_ENV, value=text, hint=Word("hint.timeout")
        )
    return seconds


def _new_file(plan_id: str) -> str:
    import tomli_w

    return HEADER + tomli_w.dumps({"schema_version": 1, "plan": plan_id})
