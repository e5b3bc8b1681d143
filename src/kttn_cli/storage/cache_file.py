"""Writing one cache file: whole or not at all, and never an error; reading one only if
it is a regular file.

Every cache kttn keeps (the state cache and its journal, the command-line memo, the
plan's id list, the completion grammar) is written here: a temporary file in the same
directory, renamed into place, so a reader sees the old file or the new one. A cache
that cannot be written only costs the next run some time, so any failure is False, never
an exception. Standard library only: the completion and memo paths import it.
"""

from __future__ import annotations

import errno
import os
import stat

from kttn_cli.storage.temporary import create_beside

# Neither typing nor contextlib: the replay and Tab paths import this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO


def write_cache_file(path: str, data: bytes, *, mode: int = 0o600) -> bool:
    """Put `data` at `path` atomically, readable as `mode` allows; False on failure."""
    directory, name = os.path.split(path)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = create_beside(directory, f".{name}.", ".cache-tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        try:  # noqa: SIM105 - contextlib is not imported on the replay and Tab paths
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            return False
        raise
    return True


def open_regular(path: str) -> BinaryIO:
    """A cache file open for reading (every reader of a cache opens it here); OSError
    when it is not there, cannot be opened, or is not a regular file (a FIFO in its
    place would block a read for ever, a device never end it)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")
