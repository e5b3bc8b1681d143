"""A new file beside another, under a name no other writer uses: what
`tempfile.mkstemp` does, without importing tempfile (with its random and shutil, about
2.5 ms of a write's start-up; docs/architecture.md, "Speed"). Standard library only.
"""

from __future__ import annotations

import os


def create_beside(directory: str, prefix: str, suffix: str) -> tuple[int, str]:
    """A new file in `directory`, created exclusively and readable by its owner alone:
    its open descriptor and its path (this process's id and 48 random bits in the name).
    Raises OSError."""
    path = os.path.join(directory, f"{prefix}{os.getpid()}.{os.urandom(6).hex()}{suffix}")
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), path
