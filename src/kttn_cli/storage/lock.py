"""One writer at a time: an exclusive flock(2) on a lock file beside the file written
(docs/architecture.md, "Data safety").

The wait is in the kernel, which hands the lock to its waiters in the order they
asked: with 16 clerks writing at once, every write waits about as long as the others.
A lock that polls (filelock's, which kttn used before) goes to whichever waiter tries
first after a release, so some waited three times as long as most (bench/README.md).
The wait is bounded by a timer (SIGALRM); where a timer cannot be set (not the main
thread, or the process's timer is already in use) the lock is polled instead.

The lock belongs to the open file: closing it, or the process ending in any way, lets it
go, so a killed writer never leaves a file locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import stat
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


def acquire(path: str, timeout: float, mode: int = 0o644) -> Held:
    """The exclusive lock of `path` (created if missing), waited for at most `timeout`
    seconds (0: not at all). The lock file gets at least the permissions `mode` (whoever
    may write the file it guards must be able to open it), when this user owns it.
    Raises LockTimeout, or OSError when the lock file cannot be opened (a directory in
    its place, no permission to create it)."""
    fd = _open(path, mode)
    try:
        _acquire(fd, timeout)
    except BaseException:
        os.close(fd)
        raise
    return Held(fd)


def _open(path: str, mode: int) -> int:
    flags = os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, os.O_RDWR | flags, mode)
    except PermissionError:
        # Another user's lock file, not writable by this one: a read-only descriptor
        # takes an flock just as well (on a local file system).
        return os.open(path, os.O_RDONLY | flags)
    with contextlib.suppress(OSError):  # the umask took bits away, or an older kttn did
        info = os.fstat(fd)
        have = stat.S_IMODE(info.st_mode)
        # Never through a link: the file it points to is not kttn's to open up.
        plain = stat.S_ISREG(os.lstat(path).st_mode)
        if plain and info.st_uid == os.geteuid() and have | mode != have:
            os.fchmod(fd, have | mode)
    return fd


def _acquire(fd: int, timeout: float) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        if timeout <= 0:
            raise LockTimeout from None
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        _poll(fd, timeout)  # the process's one timer is someone else's: leave it alone
        return
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
        except BlockingIOError:  # EAGAIN / EWOULDBLOCK: held by another
            pass
        if time.monotonic() >= deadline:
            raise LockTimeout
        time.sleep(0.005)
