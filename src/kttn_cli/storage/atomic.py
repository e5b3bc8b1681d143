"""Writing outputs (exports, documents, plan copies) so that no one sees half a file.

A temporary file in the same directory, fsync, `os.replace`, fsync of the directory
(hatch's `utils/fs.py` habit). The ledger has its own write path with a lock and a
backup (`storage.ledger_file`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kttn_cli.errors import CannotWrite, os_reason
from kttn_cli.i18n import N_
from kttn_cli.storage.temporary import create_beside


def replace_file(path: Path, content: bytes, *, mode: int | None = None) -> None:
    """Write `content` to `path` atomically; exit 73 if that cannot be done.

    `mode` sets the new file's permissions (a temporary file is created 0600, which does
    not suit an export that other people or programs read).
    """
    # A symlink (a ledger kept in a synced folder, an export linked from elsewhere) is
    # followed: renaming over the link itself would leave its target behind, unchanged.
    path = Path(os.path.realpath(path))
    directory = path.parent
    try:
        fd, tmp = create_beside(str(directory), f".{path.name}.", ".tmp")
    except OSError as exc:
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=path, reason=os_reason(exc)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=path, reason=os_reason(exc)
        ) from None
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
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=path, reason=os_reason(exc)
        ) from None


def default_mode() -> int:
    """The permissions `open()` would give a new file under the current umask."""
    # The umask can only be read by setting it; kttn is single-threaded.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
