"""The identity of this kttn: its version, Python's, and every file of the package.

Caches (the state cache, the command-line memo) are valid for one fingerprint: a new
release, a development edit or another interpreter makes every entry a miss. Computed
from file metadata in one directory walk, without reading the files; standard library
only, so the fast path can afford it (docs/architecture.md, "Speed").
"""

from __future__ import annotations

import os
import sys
import zlib

from kttn_cli import __version__

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# The files whose content decides what kttn computes, parses or says.
_SUFFIXES = (".py", ".toml", ".json", ".mo")
_value: str | None = None


def package_fingerprint() -> str:
    global _value
    if _value is None:
        parts = [__version__, sys.version]
        for root, dirs, files in os.walk(_PACKAGE):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(_SUFFIXES):
                    info = os.stat(os.path.join(root, name))
                    parts.append(f"{root}/{name}:{info.st_size}:{info.st_mtime_ns}")
        _value = f"{zlib.crc32(chr(0).join(parts).encode()):08x}-{len(parts)}"
    return _value
