"""The output of a read, replayed (docs/architecture.md, "Speed").

A view written to a pipe or a file (cron's `kttn overdue`, a script's `kttn status`) is a
function of: the command line, the environment, the working directory, the terminal's
size, today's date in Vietnam, this kttn (`package_fingerprint`), and the files the
command read (plan, ledger and its backup, settings file, register of plans). When all of
them are what they were for an earlier run, that run's stdout and exit code are written
again, byte for byte, without importing the core, the files or the views.

An entry is recorded only by a run that could be replayed exactly: a view named in
`REPLAYED`, stdout not a terminal, nothing on stderr (no warning, no problem, no error),
exit 0 or 1, no `--output` file, one plan. The fast path reads the entry, compares its
key and every file's identity, and writes; anything that differs or fails is a miss, and
the command runs as usual. Entries live in the user's cache, one small file per key.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib
from collections.abc import Mapping, Sequence

from kttn_cli.cli.places import cache_dir
from kttn_cli.storage.cache_file import open_regular

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kttn_cli.render.terminal import Terminal

# Views whose output depends on nothing but the inputs above.
REPLAYED = frozenset({"overdue", "upcoming", "status", "board"})
# Parameters that make a run write a file or read more than one plan: never recorded.
NOT_REPLAYED_WITH = ("output", "all_plans")
# Variables a shell changes between two identical commands; kttn reads none of them.
SHELL_BOOKKEEPING = frozenset({"_", "OLDPWD", "PWD", "SHLVL"})
FORMAT = 1
MAX_ENTRIES = 32
FOLDER = "replay"
VIETNAM_UTC_OFFSET = 7 * 3600  # no daylight saving time since 1975


def key(argv: Sequence[str], env: Mapping[str, str], fingerprint: str) -> str:
    """Everything besides the files that a view's output depends on."""
    sizes: list[list[int] | None] = []
    for fd in (0, 1, 2):
        try:
            sizes.append(list(os.get_terminal_size(fd)))
        except OSError:
            sizes.append(None)
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + VIETNAM_UTC_OFFSET))
    variables = sorted((k, v) for k, v in env.items() if k not in SHELL_BOOKKEEPING)
    # The libraries kttn renders with (Rich, holidays…): installing or upgrading any of
    # them changes its site-packages folder.
    site = sys.modules.get("site")
    folders = site.getsitepackages() if site is not None else []
    libraries = [[folder, _identity(folder)] for folder in folders]
    # What Python made of stdout (`-X utf8`, `-E` and the locale decide it, not only the
    # environment): the bytes of folded or unfolded diacritics.
    stream = [
        getattr(sys.stdout, "encoding", None),
        sys.flags.utf8_mode,
        sys.flags.ignore_environment,
    ]
    return json.dumps(
        [FORMAT, fingerprint, list(argv), os.getcwd(), today, sizes, variables, libraries, stream],
        ensure_ascii=False,
    )


def _identity(path: str) -> list[int] | None:
    from kttn_cli.storage.identity import identity

    found = identity(path)
    return list(found) if found is not None else None


def _place(env: Mapping[str, str], text: str) -> str:
    name = f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}.out"
    return os.path.join(cache_dir(env), FOLDER, name)


def replayed(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """The exit code after writing a recorded run's output again, or None (a miss)."""
    if not argv or argv[0] not in REPLAYED or not _to_a_file_or_pipe():
        return None
    from kttn_cli.fingerprint import package_fingerprint

    try:
        text = key(argv, env, package_fingerprint())
        with open_regular(_place(env, text)) as handle:
            header = json.loads(handle.readline())
            if header.get("key") != text:
                return None
            for path, known in header["files"]:
                if _identity(path) != known:
                    return None
            data = handle.read()
        if zlib.crc32(data) != header["crc32"]:
            return None
        code = int(header["code"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return _write(data, code, argv, env)


def _write(data: bytes, code: int, argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Write the output as the run did; a reader gone or a full disk end it as the
    error boundary (`cli.app`) ends a run."""
    import errno

    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise
        _quiet_stdout()
        from kttn_cli import i18n
        from kttn_cli.cli.app import run_failed_on_stdout
        from kttn_cli.cli.entry import early_language

        i18n.use(early_language(list(argv), env))  # the recorded run's language
        return run_failed_on_stdout(exc)
    return code


def _quiet_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class Recording:
    """A run being recorded: its key and the identities of its inputs, both taken before
    the command reads anything, so that a file changed while it ran (another clerk's
    write) or a day that ended meanwhile makes the run not recorded."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        from kttn_cli.fingerprint import package_fingerprint

        self.argv = list(argv)
        self.env = env
        self.key = key(argv, env, package_fingerprint())
        self.inputs: list[tuple[str, list[int] | None]] | None = None

    def before_reading(self, files: Sequence[str]) -> None:
        """Called by the session just before it reads the plan and the ledger."""
        self.inputs = [(path, _identity(path)) for path in files]


def start(
    path: str,
    values: Mapping[str, object],
    terminal: Terminal,
    argv: Sequence[str],
    env: Mapping[str, str],
) -> Recording | None:
    """A recording of this run, if it may be replayed; the terminal starts keeping stdout."""
    if path not in REPLAYED or any(values.get(name) for name in NOT_REPLAYED_WITH):
        return None
    if not _to_a_file_or_pipe():
        return None
    try:
        recording = Recording(argv, env)
    except OSError:  # the working directory is gone: nothing to key the output on
        return None
    terminal.recording = []
    return recording


def _to_a_file_or_pipe() -> bool:
    """stdout is open and not a terminal (where pages, colours and widths are chosen)."""
    try:
        return sys.stdout is not None and not sys.stdout.isatty()
    except (OSError, ValueError):
        return False


def record(recording: Recording, code: int, terminal: Terminal) -> None:
    """Keep a finished run for replay, when it is one (module doc). Best effort."""
    chunks = terminal.recording
    terminal.recording = None
    if chunks is None or terminal.spoke or code not in (0, 1) or recording.inputs is None:
        return
    from kttn_cli.fingerprint import package_fingerprint
    from kttn_cli.storage.cache_file import write_cache_file

    now = [(path, _identity(path)) for path, _before in recording.inputs]
    if now != recording.inputs:
        return  # an input changed while the command ran: its output may be either's
    try:
        if key(recording.argv, recording.env, package_fingerprint()) != recording.key:
            return  # the day ended (or the terminal was resized) while it ran
    except OSError:
        return  # the working directory went away while it ran
    data = b"".join(chunks)
    header = {"key": recording.key, "files": now, "code": code, "crc32": zlib.crc32(data)}
    place = _place(recording.env, recording.key)
    line = json.dumps(header, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if write_cache_file(place, line + b"\n" + data):
        _prune(os.path.dirname(place))


def _prune(folder: str) -> None:
    """Keep the newest MAX_ENTRIES entries."""
    try:
        entries = sorted(
            (entry.stat().st_mtime_ns, entry.path)
            for entry in os.scandir(folder)
            if entry.name.endswith(".out")  # not another writer's temporary file
        )
        for _mtime, path in entries[:-MAX_ENTRIES]:
            os.unlink(path)
    except OSError:
        pass
