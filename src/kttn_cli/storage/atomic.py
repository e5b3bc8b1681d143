"""Atomic file replacement: the one way kttn writes a file that must never be half-written.

A temporary file in the same directory, fsync, optional hard-linked backup of the old
file, `os.replace`, fsync of the directory (hatch's `utils/fs.py` habit). A reader sees
the old content or the new, never a mixture, and a crash leaves no empty file behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from kttn_cli.errors import CannotWrite


def replace_file(
    path: Path, content: bytes, *, keep_backup: bool = False, mode: int | None = None
) -> None:
    """Write `content` to `path` atomically; exit 73 if that cannot be done.

    `keep_backup` keeps the previous file as `<path>.bak`. `mode` sets the new file's
    permissions (a temporary file is created 0600, which suits the ledger but not an
    export that other people or programs read).
    """
    # A symlink (a ledger kept in a synced folder, an export linked from elsewhere) is
    # followed: renaming over the link itself would leave its target behind, unchanged.
    path = Path(os.path.realpath(path))
    directory = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise CannotWrite("err.cannot_write", path=path, reason=exc.strerror) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        if keep_backup:
            backup = path.with_name(path.name + ".bak")
            backup.unlink(missing_ok=True)
            os.link(path, backup)
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CannotWrite("err.cannot_write", path=path, reason=exc.strerror) from None
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_output(path: Path, data: bytes) -> None:
    """Write an export to `path`: atomically for a file, straight through for a device or
    a pipe (`--output /dev/stdout`), which renaming a file over would replace (as root)."""
    try:
        info = path.stat()
    except OSError:
        replace_file(path, data, mode=default_mode())
        return
    if stat.S_ISREG(info.st_mode):
        replace_file(path, data, mode=info.st_mode & 0o7777)  # keep the file's permissions
        return
    try:
        with path.open("wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise CannotWrite("err.cannot_write", path=path, reason=exc.strerror) from None


def default_mode() -> int:
    """The permissions `open()` would give a new file under the current umask."""
    # The umask can only be read by setting it; kttn is single-threaded.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
