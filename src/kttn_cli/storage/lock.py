"""One writer at a time: an exclusive flock(2) on a lock file beside the file written
(docs/architecture.md, "Data safety").

The wait is in the kernel, which hands the lock to its waiters in the order they
asked: with 16 clerks writing at once, every write waits about as long as the others.
A lock that polls (filelock's, which kttn used before) goes to whichever waiter tries
first after a release, so some waited three times as long as most (bench/README.md).
The wait is bounded by a timer (SIGALRM); where a timer cannot be set (not the main
thread) the lock is polled instead.

The lock belongs to the open file: closing it, or the process ending in any way, lets it
go, so a killed writer never leaves a file locked.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import time
from typing import Any


class LockTimeout(Exception):
    """Another process held the lock for the whole wait."""


class _Expired(Exception):
    pass


class Held:
    """A lock held until `release` (or the end of the process)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the file releases its lock
            self._fd = -1


def acquire(path: str, timeout: float) -> Held:
    """The exclusive lock of `path` (created if missing), waited for at most `timeout`
    seconds (0: not at all). Raises LockTimeout, or OSError when the lock file cannot be
    opened (a directory in its place, no permission to create it)."""
    fd = _open(path)
    try:
        _acquire(fd, timeout)
    except BaseException:
        os.close(fd)
        raise
    return Held(fd)


def _open(path: str) -> int:
    flags = os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        return os.open(path, os.O_RDWR | flags, 0o644)
    except PermissionError:
        # Another user's lock file, not writable by this one: a read-only descriptor
        # takes an flock just as well.
        return os.open(path, os.O_RDONLY | flags)


def _acquire(fd: int, timeout: float) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        if timeout <= 0:
            raise LockTimeout from None
    waiting = True

    def expired(signum: int, frame: Any) -> None:
        if waiting:
            raise _Expired

    try:
        previous = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread: no timer
        _poll(fd, timeout)
        return
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        fcntl.flock(fd, fcntl.LOCK_EX)
        waiting = False
    except _Expired:
        raise LockTimeout from None
    finally:
        waiting = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _poll(fd: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                raise
        if time.monotonic() >= deadline:
            raise LockTimeout
        time.sleep(0.005)
