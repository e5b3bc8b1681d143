"""Ctrl-C and SIGTERM around a write (docs/architecture.md, "Data safety").

Before a write's commit point an interrupt stops the command cleanly: nothing was
written. From the commit point on, the signal is held until the command has said what
it wrote; the command then ends with exit 0 (the record is there) and a note on stderr.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any


class Guard:
    def __init__(self) -> None:
        self.committed = False
        self.held: list[int] = []

    def commit(self) -> None:
        self.committed = True


@contextmanager
def held_after_commit() -> Iterator[Guard]:
    guard = Guard()

    def handle(signum: int, frame: FrameType | None) -> None:
        if guard.committed:
            guard.held.append(signum)
            return
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    for signum in (int(signal.SIGINT), int(signal.SIGTERM)):
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue  # ignored by whoever started kttn (a background job): it stays so
        with suppress(ValueError):  # not the main thread: leave signals alone
            previous[signum] = signal.signal(signum, handle)
    try:
        yield guard
    finally:
        for signum, handler in previous.items():
            # Once the records are written, an interrupt can only turn a success into an
            # apparent failure: it is ignored for the little that is left of the run.
            signal.signal(signum, signal.SIG_IGN if guard.committed else handler)
