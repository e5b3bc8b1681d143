"""Exceptions that carry their exit code and a message to translate when shown.

Code raises these anywhere; the one error boundary (`cli.app`) prints the message on
stderr, in the language of the run, and exits with the code (docs/architecture.md,
"Exit codes"). Nothing else calls `sys.exit`.
"""

from __future__ import annotations

import errno
from typing import Any, ClassVar

from kttn_cli.i18n import N_, _, n_

EX_OK = 0
EX_FOUND = 1  # `overdue --exit-code` found overdue items; never used for errors
EX_USAGE = 2
EX_DATAERR = 65
EX_NOINPUT = 66
EX_SOFTWARE = 70
EX_CANTCREAT = 73
EX_TEMPFAIL = 75
EX_CONFIG = 78
EX_INTERRUPTED = 130
EX_BROKEN_PIPE = 141


Message = str | tuple[str, str]


class Phrase:
    """A message and its parameters, put into words only when shown (`str()`).

    `message` is English source text marked with `N_()`, or a singular and a plural
    marked with `Nn_()`, of which the parameter `count` picks one. Parameters may be
    phrases themselves ("the ledger").
    """

    def __init__(self, message: Message, /, **params: Any) -> None:
        self.message = message
        self.params = params

    def __str__(self) -> str:
        params = {k: str(v) if isinstance(v, Phrase) else v for k, v in self.params.items()}
        if isinstance(self.message, tuple):
            template = n_(self.message[0], self.message[1], int(params["count"]))
        else:
            template = _(self.message)
        return template.format(**params) if params else template

    def __repr__(self) -> str:
        return f"Phrase({self.message!r}, {self.params!r})"


# The operating system's reasons in the language of the run: its own (`strerror`) are
# English whatever language kttn speaks.
OS_REASONS: dict[int, str] = {
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOENT: N_("no such file or directory"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EISDIR: N_("it is a folder"),
    errno.EEXIST: N_("a file of that name exists"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EFBIG: N_("file too large"),
    errno.EROFS: N_("the disk is read-only"),
    errno.EIO: N_("input/output error (a failing disk or a lost connection?)"),
    errno.ENAMETOOLONG: N_("file name too long"),
    errno.ELOOP: N_("too many levels of symbolic links"),
    errno.EXDEV: N_("not on the same disk"),
    errno.EBUSY: N_("the file is in use"),
    errno.EMFILE: N_("too many open files"),
    errno.ECONNREFUSED: N_("connection refused"),
    errno.ECONNRESET: N_("connection reset by the other end"),
    errno.ETIMEDOUT: N_("connection timed out"),
    errno.EHOSTUNREACH: N_("no route to the host"),
    errno.ENETUNREACH: N_("the network is unreachable"),
}


def os_reason(exc: OSError) -> Phrase | str:
    """Why the operating system refused, to put in a message: in the run's language
    when kttn knows the reason, else the system's own words."""
    message = OS_REASONS.get(exc.errno or 0)
    if message is not None:
        return Phrase(message)
    return exc.strerror or str(exc) or type(exc).__name__


class KttnError(Exception):
    """A failure the user can act on: a phrase and an exit code."""

    exit_code: ClassVar[int] = EX_SOFTWARE

    def __init__(self, message: Message, /, **params: Any) -> None:
        super().__init__(message)
        self.phrase = Phrase(message, **params)

    def text(self) -> str:
        return str(self.phrase)


class UsageError(KttnError):
    exit_code = EX_USAGE


class DataError(KttnError):
    """Invalid plan, ledger or input data."""

    exit_code = EX_DATAERR


class FileProblems(DataError):
    """A file kttn cannot use, with every problem found in it (as data).

    The message names the first problem as `{first}`; the error boundary words it (the
    words of problems live in `render.problems`, which this module cannot import).
    """

    def __init__(self, problems: list[Any], message: Message, /, **params: Any) -> None:
        super().__init__(message, **params)
        self.problems = problems


class ConfigProblems(FileProblems):
    """A settings file kttn cannot use (exit 78, like any bad setting)."""

    exit_code = EX_CONFIG


class MissingInput(KttnError):
    exit_code = EX_NOINPUT


class CannotWrite(KttnError):
    exit_code = EX_CANTCREAT


class TemporaryFailure(KttnError):
    exit_code = EX_TEMPFAIL


class ConfigError(KttnError):
    exit_code = EX_CONFIG
