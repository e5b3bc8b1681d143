"""The identity of a file: what tells one version of it from another without reading it.

Standard library only (no pathlib): the replay of a read (`cli/replay.py`) checks
identities before it imports anything else (docs/architecture.md, "Speed").
"""

from __future__ import annotations

import os


def identity(path: str | os.PathLike[str]) -> tuple[int, ...] | None:
    """Device, inode, size and the modification and change times in nanoseconds; None
    when the file is absent.

    kttn replaces the ledger by renaming a new file over it, so every write gives a new
    inode; a hand edit changes the times.
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
