"""The ledger's one write path (docs/architecture.md, "Data safety").

Every write is "the old bytes + new records", under a lock tied to the file actually
written (its real path: whatever symlinks, `..` or relative paths led there, every
writer of that file takes the same lock):

1. the current state is read before the lock (`loader.load_versioned`: the cache, the
   journal of writes, or a full read), so the lock is held for the write alone;
2. lock (`storage.lock`: waiters are served in turn); refuse a ledger that is missing
   while its backup exists, a read-only one, one that cannot be read, or one with
   problems (unless the write is what fixes them);
3. the state is brought up to date with what other writes added since it was read
   (`loader.catch_up`); `build` decides the new records from it (or refuses);
4. the new records are checked by the same rules as every record (`Book.add`) and by
   the rules of their file models (`new_records`); the history check refuses to replace
   a backup that holds more records than the ledger (a ledger replaced by an older copy);
5. a temporary file in the same directory gets old + new bytes and is fsynced; the
   backup is prepared beside it (a hard link to the old file, or a copy where the file
   system refuses hard links); the temporary file is renamed over the ledger — the
   commit point — then the backup is renamed into place, the directory fsynced, and
   the journal given its line (`storage.journal`);
6. the lock is released; when the journal is long, a new state entry is written.

A failure before the commit point leaves every file as it was (only the writer's own
temporary files are removed). The caller learns the moment of the commit (`on_commit`):
from then on the CLI holds SIGINT and SIGTERM until it has said what it wrote.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from kttn_cli.core.model import LedgerRecord, Plan
from kttn_cli.errors import (
    OS_REASONS,
    CannotWrite,
    DataError,
    FileProblems,
    KttnError,
    MissingInput,
    Phrase,
    TemporaryFailure,
    os_reason,
)
from kttn_cli.i18n import N_, Nn_
from kttn_cli.storage import journal, loader
from kttn_cli.storage.files import read_data_file
from kttn_cli.storage.identity import identity
from kttn_cli.storage.lock import LockTimeout, acquire
from kttn_cli.storage.temporary import create_beside

HEADER = (
    "# Sổ theo dõi của kttn: do kttn ghi, không sửa bằng tay.\n"
    "# Written by kttn: do not edit by hand; use `kttn submit`, `kttn void`, `kttn extend`.\n"
)
# errno values of a file system that refuses hard links (FAT/exFAT, many network shares,
# Linux's protected hard links).
_NO_HARD_LINKS = frozenset(
    {errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}
)


@dataclass(frozen=True)
class Written:
    """What a write recorded, and the state after it."""

    records: list[LedgerRecord]
    state: loader.State
    backup_note: Phrase | str | None = None  # set when the backup could not be refreshed


def serialise(records: Sequence[LedgerRecord], path: Path, first_index: int = 0) -> bytes:
    """Records `first_index`, … of the ledger at `path` as `[[records]]` tables, one key
    per line, in a fixed layout; a record the file models would refuse
    (`new_records.problems`) raises `FileProblems` instead.

    Each record is written on its own with tomli-w, so the layout never depends on the
    length of the file (tomli-w chooses inline or block arrays of tables by line length).
    """
    import tomli_w

    from kttn_cli.storage.new_records import problems, table

    tables = [table(record) for record in records]
    refused = problems(tables, first_index)
    if refused:
        raise FileProblems(
            refused,
            N_(
                "kttn refused to write the ledger {path}: a new record is invalid ({first}); "
                "the ledger was left as it is — please report this bug"
            ),
            path=path,
        )
    return "".join("\n[[records]]\n" + tomli_w.dumps(data) for data in tables).encode("utf-8")


def new_file(plan_id: str) -> bytes:
    import tomli_w

    from kttn_cli.schema.ledger import LEDGER_FORMAT

    return (HEADER + tomli_w.dumps({"schema_version": LEDGER_FORMAT, "plan": plan_id})).encode()


# --- the lock -----------------------------------------------------------------------------


def lock_path(ledger: Path) -> Path:
    """The lock of the file actually written: beside its real path."""
    real = Path(os.path.realpath(ledger))
    return real.with_name(real.name + ".lock")


@contextmanager
def locked(ledger: Path, timeout: float) -> Iterator[Path]:
    """Hold the ledger's lock; yields the ledger's real path."""
    real = Path(os.path.realpath(ledger))
    lock_file = lock_path(ledger)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where the data directory should be
        reason = Phrase(OS_REASONS[errno.ENOTDIR])
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=real.parent, reason=reason
        ) from None
    except OSError as exc:
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=real.parent, reason=os_reason(exc)
        ) from None
    mode = 0o644  # whoever may write the ledger (its group, say) may open its lock
    with suppress(OSError):
        mode |= stat.S_IMODE(os.stat(real).st_mode) & 0o066
    try:
        lock = acquire(str(lock_file), timeout, mode)
    except LockTimeout:
        raise TemporaryFailure(
            N_(
                "the ledger {path} is locked by another kttn for over {seconds} s (lock file "
                "{lock}); try again"
            ),
            path=real,
            seconds=f"{timeout:g}",
            lock=lock_file,
        ) from None
    except IsADirectoryError:
        raise CannotWrite(
            N_("the lock file {lock} is a directory; remove it (it is not the ledger)"),
            lock=lock_file,
        ) from None
    except OSError as exc:
        raise CannotWrite(
            N_("cannot take the lock file {lock}: {reason} (the ledger itself is untouched)"),
            lock=lock_file,
            reason=os_reason(exc),
        ) from None
    try:
        yield real
    finally:
        lock.release()


# --- the write ----------------------------------------------------------------------------

Build = Callable[[loader.State], list[LedgerRecord]]


def append(
    ledger: Path,
    plan_path: Path,
    build: Build,
    *,
    lock_timeout: float,
    cache_dir: Path,
    on_commit: Callable[[], None] | None = None,
    allow_problems: bool = False,
) -> Written:
    """Append the records `build` makes from the current state, safely (module doc)."""
    # Everything the write needs is imported, and the state read, before the lock is
    # taken: under it, only what other writes added since is applied (`loader.catch_up`).
    import tomli_w  # noqa: F401

    from kttn_cli.storage import new_records  # noqa: F401 - `serialise` checks with it

    # A link into a folder that is not mounted is refused before the lock would create
    # that folder (the lock lives beside the real file).
    loader.ledger_presence(ledger)
    before = loader.load_versioned(plan_path, ledger, cache_dir, keep=False)
    with locked(ledger, lock_timeout) as real:
        exists = loader.ledger_presence(real)
        loaded = loader.catch_up(before, plan_path, real, cache_dir)
        state = loaded.state
        old = read_data_file(real, "ledger") if exists else None
        mode = None
        if old is not None:
            mode = _writable_mode(real)
        if state.blocking and not allow_problems:
            raise FileProblems(
                state.blocking,
                Nn_(
                    "nothing was written: the ledger has {count} problem to resolve first "
                    "({first}); see `kttn check`",
                    "nothing was written: the ledger has {count} problems to resolve first "
                    "({first}); see `kttn check`",
                ),
                count=len(state.blocking),
            )
        new = build(state)
        if not new:
            return Written([], state)
        # `state` was loaded for this write alone: its book can take the new records.
        book = state.book
        problems = book.add(state.plan, new)
        if problems:
            raise FileProblems(
                problems,
                N_(
                    "kttn refused to write the ledger {path}: a new record is invalid ({first}); "
                    "the ledger was left as it is — please report this bug"
                ),
                path=real,
            )
        body = serialise(new, real, book.count - len(new))
        content = (old if old is not None else new_file(state.plan.info.id)) + body
        _check_history(real, old)
        _remove_stale_temporaries(real)
        backup_note = _replace(real, content, old is not None, mode, on_commit)
        if any(p.source == "ledger" for p in state.problems):
            # A write that resolves problems (the void of a record that points nowhere):
            # the problems left are those of the new text, read again (a rare path).
            return Written(new, loader.load(plan_path, real, cache_dir), backup_note)
        after = loader.State(state.plan, book, state.problems, True)
        made = identity(real)
        # The next command catches up from the version it knows with this line.
        journaled = loader.journal_write(loaded, plan_path, real, cache_dir, made, new)
    # A new state entry, after the lock is released (the next writer need not wait for
    # it), when the journal is long since the last one or could not be written. If
    # another write came first, its entry is the newer one; if another command stored
    # an entry since this one's, the journal is short again from that entry.
    behind = None if loaded.behind is None else loaded.behind + len(new)
    long = behind is None or behind >= journal.SNAPSHOT_AFTER
    if (
        (long or not journaled)
        and identity(real) == made
        and not (journaled and loader.snapshot_taken(loaded, plan_path, real, cache_dir))
    ):
        loader.store(after, loaded.base, plan_path, real, cache_dir, made, content)
    return Written(new, after, backup_note)


def _remove_stale_temporaries(real: Path) -> None:
    """Delete temporary files left by writers killed before their rename.

    Every writer of this file holds its lock (tied to the real path) while its temporary
    files exist, so under the lock any such file is stale. Failing to delete one is
    harmless. The state cache's temporary files have another name and are left alone.
    """
    import re

    # Exactly the names this ledger's writers give (`temporary.create_beside`,
    # `_backup_copy`): a ledger `so` must not take `so.x`'s files, which its own lock
    # does not cover.
    ours = re.compile(rf"\.{re.escape(real.name)}\.(?:bak\.)?[0-9]+\.[0-9a-f]{{12}}\.tmp")
    try:
        found = list(real.parent.iterdir())
    except OSError:
        return
    for stale in found:
        if ours.fullmatch(stale.name):
            with suppress(OSError):
                stale.unlink()


def _writable_mode(real: Path) -> int:
    """The ledger's permissions, kept by the new version; a read-only ledger (no write
    permission for anyone, or none for this user) is respected, even by its owner."""
    info = os.stat(real)
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222 or (os.geteuid() != 0 and not os.access(real, os.W_OK)):
        raise CannotWrite(
            N_(
                "the ledger {path} is read-only (mode {mode}); nothing was written. Give it "
                "write permission (chmod u+w) if kttn should write to it"
            ),
            path=real,
            mode=f"{mode:04o}",
        )
    return mode


def _check_history(real: Path, old: bytes | None) -> None:
    """Refuse to replace a backup that holds more records than the ledger."""
    backup = loader.backup_path(real)
    try:
        # Regular files only, of a sane size: a FIFO or a link to /dev/zero in the
        # backup's place would hang or fill memory under the lock; the write replaces it.
        kept = read_data_file(backup, "backup")
    except KttnError:
        return
    if old is not None and old.startswith(kept):
        return  # the usual case: the backup is the version before the last write
    have = loader.record_count(old) if old is not None else 0
    if loader.record_count(kept) > have:
        raise DataError(
            N_(
                "nothing was written: the backup {backup} holds {kept} records but the ledger "
                "{path} only {have} (was it replaced by an older copy?). Run `kttn restore` "
                "to go back to the backup, or move the backup away to keep the ledger as it is"
            ),
            backup=backup,
            kept=loader.record_count(kept),
            path=real,
            have=have,
        )


def _replace(
    real: Path,
    content: bytes,
    keep_backup: bool,
    mode: int | None,
    on_commit: Callable[[], None] | None = None,
) -> Phrase | str | None:
    """Write `content` over the ledger atomically, keeping the old file as the backup;
    `on_commit` is called right after the commit point. Returns a note when the write
    committed but the backup could not be refreshed."""
    directory = real.parent
    own: list[str] = []
    try:
        new_tmp = _temporary(directory, real.name, content, mode)
        own.append(new_tmp)
        backup_tmp = _backup_copy(real, directory) if keep_backup else None
        if backup_tmp is not None:
            own.append(backup_tmp)
        os.replace(new_tmp, real)  # the commit point
        if on_commit is not None:
            on_commit()
        own.remove(new_tmp)
    except OSError as exc:
        for name in own:
            with suppress(OSError):
                os.unlink(name)
        raise CannotWrite(
            N_("cannot write {path}: {reason}; nothing was changed"),
            path=real,
            reason=os_reason(exc),
        ) from None
    note: Phrase | str | None = None
    if backup_tmp is not None:
        try:
            os.replace(backup_tmp, loader.backup_path(real))
        except OSError as exc:
            with suppress(OSError):
                os.unlink(backup_tmp)
            note = os_reason(exc)
    _fsync_directory(directory)
    return note


def _temporary(directory: Path, name: str, data: bytes, mode: int | None) -> str:
    fd, tmp = create_beside(str(directory), f".{name}.", ".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _backup_copy(real: Path, directory: Path) -> str:
    """A new name for the old ledger, beside it: a hard link where the file system
    allows one, else a copy of its bytes."""
    tmp = os.path.join(directory, f".{real.name}.bak.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    try:
        os.link(real, tmp)
        return tmp
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
    mode = stat.S_IMODE(os.stat(real).st_mode)
    return _temporary(directory, real.name + ".bak", real.read_bytes(), mode)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the rename is done
    finally:
        os.close(fd)


# --- restore ------------------------------------------------------------------------------


def restore(
    ledger: Path, plan: Plan, *, lock_timeout: float, stamp: str, force: bool = False
) -> tuple[Path, Path | None] | None:
    """Put the backup back as the ledger, under the lock. The ledger it replaces (damaged,
    shorter) is kept beside it as `<ledger>.before-restore-<stamp>` (never over an older
    one, with the ledger's permissions); the backup is kept too. Returns (backup, where
    the replaced ledger went), or None when the ledger already is its backup (a second
    `kttn restore`): then nothing is touched."""
    with locked(ledger, lock_timeout) as real:
        backup = loader.backup_path(real)
        try:
            raw = read_data_file(backup, "backup")
        except MissingInput:
            raise MissingInput(N_("there is no backup to restore: {path}"), path=backup) from None
        records, _, problems = loader.check_ledger(backup, raw, plan.info.id)
        if records is None:
            raise FileProblems(
                problems,
                N_("the backup {path} cannot be read either ({first}); nothing was changed"),
                path=backup,
            )
        aside: Path | None = None
        if real.exists():
            current = read_data_file(real, "ledger")
            if current == raw:
                return None
            kept, _, _ = loader.check_ledger(real, current, plan.info.id)
            if kept is not None and len(kept) > len(records) and not force:
                # A ledger that can be read is not what restore is for: putting the
                # backup back would take its last write out of the ledger.
                raise DataError(
                    N_(
                        "the ledger {path} can be read and holds {have} records, its backup "
                        "{backup} {had}: nothing was changed; `kttn restore --force` takes "
                        "the last write back (the ledger is kept aside)"
                    ),
                    path=real,
                    have=len(kept),
                    backup=backup,
                    had=len(records),
                )
            aside = _keep_aside(real, current, stamp)
        mode = stat.S_IMODE(os.stat(backup).st_mode) | 0o200
        _replace(real, raw, keep_backup=False, mode=mode)
        return backup, aside


def _keep_aside(real: Path, data: bytes, stamp: str) -> Path:
    """A copy of the ledger under a name no file has (`.before-restore-<stamp>`, then
    `-2`, `-3`…), as readable as the ledger, fsynced: it may be the only copy of a record."""
    mode = stat.S_IMODE(os.stat(real).st_mode) & 0o666
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        aside = real.with_name(f"{real.name}.before-restore-{stamp}{suffix}")
        try:
            fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        except FileExistsError:
            continue
        except OSError as exc:
            raise CannotWrite(
                N_("cannot write {path}: {reason}"), path=aside, reason=os_reason(exc)
            ) from None
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return aside
    raise CannotWrite(N_("cannot write {path}: {reason}"), path=real.parent, reason="EEXIST")
