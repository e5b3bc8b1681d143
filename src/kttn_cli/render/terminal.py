"""All terminal output goes through here (hatch's `Terminal` habit): the text and bytes of
results on stdout, messages on stderr, a Rich console configured the same way for
every command, and the pager for long pages.

- Streams never fail on encoding: on a stream that cannot carry Vietnamese (ASCII, or a
  legacy 8-bit code page), every letter loses its tone marks the same way ("Tinh den
  ngay", never "Tính đen ngày" half-folded).
- Long output is paged through `$KTTN_PAGER`, `$PAGER` or `less -R` when stdout is a
  terminal and the page is taller than the screen (git's rule); never under cron or a
  pipe, never with `--no-pager`.
- A closed stdout (`kttn status >&-`) is an error for a command whose output is the
  point (exit 73); a write's confirmation that cannot be printed does not turn a
  committed write into a failure (`confirm`).
"""

from __future__ import annotations

import codecs
import os
import signal
import sys
import unicodedata
from typing import IO, TYPE_CHECKING

from kttn_cli.errors import CannotWrite
from kttn_cli.i18n import N_

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
        "✓": "v",
        "✗": "x",
        "◔": "!",
        "█": "#",
        "░": ".",
    }
)
# Letters a stream must carry for kttn to write Vietnamese to it as it is.
_VIETNAMESE_SAMPLE = "ạảãáàâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữịỉĩíìọỏõóòụủũúùỵỷỹýỳ—"


def fold_to_ascii(text: str) -> str:
    """`Quá hạn — đúng` → `Qua han - dung`; anything else without an ASCII form → `?`."""
    text = text.replace("đ", "d").replace("Đ", "D").translate(_ASCII_PUNCTUATION)
    plain = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    )
    return "".join(ch if ord(ch) < 128 else "?" for ch in plain)


def _fold_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler for what the consistent folding below did not cover."""
    assert isinstance(error, UnicodeEncodeError)
    return fold_to_ascii(error.object[error.start : error.end]), error.end


codecs.register_error("kttn-fold", _fold_unencodable)


def carries_vietnamese(stream: IO[str] | None) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        _VIETNAMESE_SAMPLE.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class Terminal:
    """stdout and stderr of one run."""

    def __init__(self) -> None:
        self.closed_stdout = sys.stdout is None
        self.fold = not carries_vietnamese(sys.stdout)
        self.fold_errors = not carries_vietnamese(sys.stderr)
        self.pager_allowed = True
        self.pager_command: str | None = None
        # stdout's bytes as written, when a run is recorded for replay (cli/replay.py),
        # and whether anything went to stderr (a run that warned is not replayed).
        self.recording: list[bytes] | None = None
        self.spoke = False
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="kttn-fold")

    # --- results --------------------------------------------------------------------------

    def _stdout(self) -> IO[str]:
        if sys.stdout is None:
            raise CannotWrite(
                N_("cannot write {path}: {reason}"), path="stdout", reason="closed (>&-)"
            )
        return sys.stdout

    def write(self, text: str) -> None:
        """Text for people or programs, on stdout."""
        out = self._stdout()
        shown = fold_to_ascii(text) if self.fold else text
        out.write(shown)
        if self.recording is not None:
            encoding = getattr(out, "encoding", None) or "utf-8"
            self.recording.append(shown.encode(encoding, getattr(out, "errors", None) or "strict"))

    def page(self, text: str) -> None:
        """A page for people: through the pager when it is taller than the screen."""
        pager = self._pager_for(text)
        if pager is None:
            self.write(text)
            return
        import subprocess

        out = self._stdout()
        out.flush()
        env = dict(os.environ)
        env.setdefault("LESS", "FRX")  # quit if one screen, keep colours, no clearing
        env.setdefault("LESSCHARSET", "utf-8")
        try:
            proc = subprocess.Popen(pager, shell=True, stdin=subprocess.PIPE, env=env)
        except OSError:
            self.write(text)
            return
        assert proc.stdin is not None
        # Ctrl-C belongs to the pager while it runs (git's habit): kttn waits for it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            proc.stdin.write(text.encode("utf-8", "replace"))
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the reader quit the pager before the end: that is fine
        finally:
            proc.wait()
            signal.signal(signal.SIGINT, previous)

    def _pager_for(self, text: str) -> str | None:
        if not self.pager_allowed or self.closed_stdout:
            return None
        if not (sys.stdout.isatty() and sys.stdin.isatty()):
            return None
        command = self.pager_command or os.environ.get("PAGER") or "less -R"
        if command.strip() in ("", "cat"):
            return None
        try:
            height = os.get_terminal_size(sys.stdout.fileno()).lines
        except OSError:
            return None
        return command if text.count("\n") >= height else None

    def write_bytes(self, data: bytes) -> None:
        """Machine output (JSON, CSV, iCalendar) to stdout byte for byte, after any text
        already written there."""
        out = self._stdout()
        out.flush()
        binary: IO[bytes] = out.buffer  # type: ignore[attr-defined]
        binary.write(data)
        binary.flush()
        if self.recording is not None:
            self.recording.append(data)

    def confirm(self, line: str) -> bool:
        """A line confirming a committed write. Never raises: when stdout is closed or
        full, the write stands; the caller says so on stderr. False if not shown."""
        try:
            self.write(line + "\n")
            if sys.stdout is not None:
                sys.stdout.flush()
        except (OSError, ValueError, CannotWrite):
            return False
        return True

    # --- messages -------------------------------------------------------------------------

    def error(self, message: str) -> None:
        """`kttn: message` on stderr: how every error and warning is shown."""
        self.spoke = True
        if sys.stderr is None:
            return
        line = f"kttn: {message}\n"
        try:
            sys.stderr.write(fold_to_ascii(line) if self.fold_errors else line)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    # --- Rich -----------------------------------------------------------------------------

    def console(self, width: int | None = None) -> Console:
        """A Rich console that renders to a string (`render()`), printing data literally
        (no markup, emoji or highlighting), coloured only for a terminal."""
        from rich.console import Console

        colour = colour_wanted(sys.stdout)
        sink: IO[str] = _Sink()  # type: ignore[assignment]
        return Console(
            file=sink,
            markup=False,
            emoji=False,
            highlight=False,
            color_system="auto" if colour else None,
            force_terminal=colour or None,
            no_color=not colour,
            soft_wrap=False,
            width=width or console_width(),
            record=False,
        )


class _Sink:
    """Where a console's output collects until the page is complete."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return colour_wanted(sys.stdout)

    def getvalue(self) -> str:
        return "".join(self.parts)


def rendered(console: Console) -> str:
    """What a console from `Terminal.console` has printed so far."""
    sink = console.file
    assert isinstance(sink, _Sink)
    return sink.getvalue()


def colour_wanted(stream: IO[str] | None) -> bool:
    """Colour only on a terminal, and never under NO_COLOR or TERM=dumb.

    FORCE_COLOR is honoured only with a real value: Rich treats even FORCE_COLOR=0 as "on".
    """
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def console_width() -> int:
    """COLUMNS when it is a sane number, else the terminal's width, else 80 (cron)."""
    text = os.environ.get("COLUMNS", "")
    if text.isdigit() and 20 <= int(text) <= 1000:
        return int(text)
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (OSError, AttributeError, ValueError):
            continue
        if 20 <= columns <= 1000:
            return columns
    return 80


TERMINAL: Terminal | None = None


def terminal() -> Terminal:
    """The run's terminal (made on first use)."""
    global TERMINAL
    if TERMINAL is None:
        TERMINAL = Terminal()
    return TERMINAL
