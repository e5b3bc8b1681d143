"""Writing one cache file: whole or not at all, and never an error.

Every cache kttn keeps (the state cache, the command-line memo, the plan's id list, the
completion grammar) is written here: a temporary file in the same directory, renamed
into place, so a reader sees the old file or the new one. A cache that cannot be written
only costs the next run some time, so any failure is False, never an exception.
Standard library only: the completion and memo paths import it.
"""

from __future__ import annotations

import contextlib
import os


def write_cache_file(path: str, data: bytes, *, mode: int = 0o600) -> bool:
    """Put `data` at `path` atomically, readable as `mode` allows; False on failure."""
    directory, name = os.path.split(path)
    # A name no other writer uses (this process, a random part), created exclusively:
    # what tempfile.mkstemp does, without importing tempfile (random, shutil) on paths
    # that must start quickly.
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(6).hex()}.cache-tmp")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            return False
        raise
    return True
