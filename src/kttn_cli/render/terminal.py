"""All terminal output goes through here: streams that never fail on encoding, and a
Rich console configured the same way for every command (hatch's `Terminal` habit)."""

from __future__ import annotations

import codecs
import functools
import os
import sys
import unicodedata
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


# Punctuation that has no ASCII decomposition but an obvious ASCII spelling.
_ASCII_PUNCTUATION = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "→": "->",
        "…": "...",
        "·": "-",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "\u00a0": " ",
    }
)


def _fold_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: `Quá hạn` → `Qua han` on an ASCII stream, `?` for the rest."""
    assert isinstance(error, UnicodeEncodeError)
    chunk = error.object[error.start : error.end].replace("đ", "d").replace("Đ", "D")
    chunk = chunk.translate(_ASCII_PUNCTUATION)
    plain = "".join(
        ch for ch in unicodedata.normalize("NFD", chunk) if not unicodedata.combining(ch)
    )
    safe = "".join(ch if ord(ch) < 128 else "?" for ch in plain)
    return safe, error.end


codecs.register_error("kttn-fold", _fold_unencodable)


def prepare_streams() -> None:
    """Let stdout/stderr degrade to unaccented text instead of raising on ASCII streams."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="kttn-fold")


def write_bytes(data: bytes) -> None:
    """Machine output (JSON, CSV, iCalendar) to stdout byte for byte, after any text
    already written there."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def can_encode(text: str, stream: TextIO | None = None) -> bool:
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def colour_wanted(stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, and never under NO_COLOR or TERM=dumb.

    FORCE_COLOR is honoured only with a real value: Rich treats even FORCE_COLOR=0 as "on".
    """
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    isatty = getattr(stream or sys.stdout, "isatty", None)
    return bool(isatty and isatty())


@functools.cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class KttnConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1, the code `overdue --exit-code` gives "overdue found"; the error
            # boundary turns a broken pipe into 141, as for every other write.
            self.quiet = True
            raise BrokenPipeError

    return KttnConsole


def console(stderr: bool = False) -> Console:
    """A Rich console that prints data literally (no markup, emoji or highlighting)."""
    stream = sys.stderr if stderr else sys.stdout
    colour = colour_wanted(stream)
    return _console_class()(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        color_system="auto" if colour else None,
        force_terminal=colour or None,
        no_color=not colour,
        soft_wrap=False,
    )
