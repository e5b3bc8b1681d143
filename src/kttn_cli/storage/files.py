"""Reading the files people point kttn at, without ever hanging or running out of memory.

A data file (plan, ledger, settings, contacts) must be a regular file of a sane size:
`/dev/zero` as the plan, a FIFO as the ledger or a directory are refused with a message
that says so, instead of blocking for ever or filling memory (docs/architecture.md,
"Data safety").
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kttn_cli.errors import DataError, MissingInput, Phrase, os_reason
from kttn_cli.i18n import N_

# Far above any real plan or ledger (a ledger of 100,000 records is about 20 MiB).
MAX_BYTES = 256 * 1024 * 1024

WHAT = {
    "plan": N_("plan file"),
    "ledger": N_("ledger"),
    "settings": N_("settings file"),
    "contacts": N_("contacts file"),
    "registry": N_("plan register"),
    "backup": N_("ledger backup"),
}


def what(kind: str) -> Phrase:
    return Phrase(WHAT[kind])


def read_data_file(path: Path, kind: str) -> bytes:
    """The bytes of a regular file; exit 66 if it is missing or a directory, 65 if it is
    something else (a device, a FIFO), unreadable or too large."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait for ever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):
        if path.is_symlink():
            raise MissingInput(
                N_(
                    "{what} {path} is a link to {target}, which does not exist"
                    " (a folder that is not mounted?)"
                ),
                what=what(kind),
                path=path,
                target=os.readlink(path),
            ) from None
        raise MissingInput(N_("{what} not found: {path}"), what=what(kind), path=path) from None
    except IsADirectoryError:
        raise MissingInput(
            N_("{path} is a directory, not a {what}"), what=what(kind), path=path
        ) from None
    except OSError as exc:  # permissions, a symlink loop, …
        raise DataError(
            N_("cannot read {path}: {reason}"), path=path, reason=os_reason(exc)
        ) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise MissingInput(
                N_("{path} is a directory, not a {what}"), what=what(kind), path=path
            )
        if not stat.S_ISREG(info.st_mode):
            raise DataError(
                N_(
                    "{path} is not a regular file (a device, a pipe or a socket); "
                    "give the path of a {what}"
                ),
                path=path,
                what=what(kind),
            )
        if info.st_size > MAX_BYTES:
            raise DataError(
                N_("{path} is {size} MiB, more than a {what} can be ({limit} MiB)"),
                path=path,
                what=what(kind),
                size=info.st_size // (1024 * 1024),
                limit=MAX_BYTES // (1024 * 1024),
            )
        # One read of the size the file has, as a rule (a write reads the ledger and its
        # backup under the lock: no second copy to join); more only if it grew meanwhile.
        chunks = []
        total = 0
        size = info.st_size + 1
        while chunk := os.read(fd, size):
            size = 1 << 20
            total += len(chunk)
            if total > MAX_BYTES:  # it grew while being read
                raise DataError(
                    N_("{path} is {size} MiB, more than a {what} can be ({limit} MiB)"),
                    path=path,
                    what=what(kind),
                    size=total // (1024 * 1024),
                    limit=MAX_BYTES // (1024 * 1024),
                )
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise DataError(
            N_("cannot read {path}: {reason}"), path=path, reason=os_reason(exc)
        ) from None
    finally:
        os.close(fd)
