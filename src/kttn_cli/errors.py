"""Exceptions that carry their exit code (DESIGN §4) and a translatable one-line message.

Code raises these anywhere; the one error boundary in `cli.app` prints the message on
stderr and exits with the code. Nothing else calls `sys.exit`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kttn_cli.i18n import Lang, say, say_n

EX_OK = 0
EX_FOUND = 1  # `overdue --exit-code` found overdue items; never used for errors
EX_USAGE = 2
EX_DATAERR = 65
EX_NOINPUT = 66
EX_SOFTWARE = 70
EX_CANTCREAT = 73
EX_TEMPFAIL = 75
EX_CONFIG = 78


class KttnError(Exception):
    """A failure the user can act on: a message id, its parameters, an exit code."""

    exit_code: ClassVar[int] = EX_SOFTWARE

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: Lang) -> str:
        params = {k: say(v.key, lang) if isinstance(v, Word) else v for k, v in self.params.items()}
        count = params.get("count")
        if isinstance(count, int):
            return say_n(self.key, lang, count, **params)
        return say(self.key, lang, **params)


class Word:
    """A translatable word inside a message parameter (e.g. "plan file")."""

    def __init__(self, key: str) -> None:
        self.key = key


class UsageError(KttnError):
    exit_code = EX_USAGE


class DataError(KttnError):
    """Invalid plan, ledger or input data."""

    exit_code = EX_DATAERR


class MissingInput(KttnError):
    exit_code = EX_NOINPUT


class CannotWrite(KttnError):
    exit_code = EX_CANTCREAT


class TemporaryFailure(KttnError):
    exit_code = EX_TEMPFAIL


class ConfigError(KttnError):
    exit_code = EX_CONFIG
