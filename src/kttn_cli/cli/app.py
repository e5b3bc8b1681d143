"""Running a parsed command inside the one error boundary (todoman's habit).

A `KttnError` becomes its one-line message on stderr and its exit code; a broken pipe
141; Ctrl-C 130; a full disk on stdout 73; anything unexpected 70 with one line (the
traceback only with `--debug` or KTTN_DEBUG). Nothing else turns exceptions into exit
codes (docs/architecture.md, "Exit codes").
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from kttn_cli.errors import (
    EX_BROKEN_PIPE,
    EX_CANTCREAT,
    EX_INTERRUPTED,
    EX_SOFTWARE,
    FileProblems,
    KttnError,
    os_reason,
)
from kttn_cli.i18n import _
from kttn_cli.render.terminal import terminal

# Write errors that mean "the output does not fit": exit 73, not 70.
_OUTPUT_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# Parameters that are settings: the session takes them, the command does not.
SETTING_PARAMS = {"plan": "plan", "ledger": "ledger", "as_of": "today", "lang": "lang"}


def error_text(exc: KttnError) -> str:
    """The message of an error, in the language of the run."""
    if isinstance(exc, FileProblems) and exc.problems:
        from kttn_cli.render.problems import problem_line

        exc.phrase.params["first"] = problem_line(exc.problems[0])
    return exc.text()


def run(
    path: str,
    values: Mapping[str, Any],
    env: Mapping[str, str],
    debug: bool,
    argv: Sequence[str] = (),
) -> int:
    """Run the command `path` with its parsed values (read from `argv`); its exit code."""
    from kttn_cli.cli import replay
    from kttn_cli.cli.interrupts import held_after_commit
    from kttn_cli.cli.session import Session
    from kttn_cli.cli.spec import REGISTRY

    guard = None
    try:
        _import_command(path)
        spec = REGISTRY[path]
        options = {SETTING_PARAMS[k]: v for k, v in values.items() if k in SETTING_PARAMS}
        rest = {k: v for k, v in values.items() if k not in SETTING_PARAMS}
        if rest.get("contacts") is not None:
            options["contacts"] = rest["contacts"]
        session = Session.for_command(env, options)
        session.writes = spec.writes
        if argv:
            session.recording = replay.start(path, values, terminal(), argv, env)
        with held_after_commit() as guard:
            session.guard = guard
            try:
                code = spec.func(session, **rest)
                if "state" in vars(session):  # it read the plan and the ledger
                    from kttn_cli.cli.output import state_problems

                    state_problems(session)
                _flush_stdout()
            except (OSError, ValueError):
                # After the commit point the records are in the ledger: an output that
                # cannot be written (closed, full, a reader gone) must not say otherwise.
                if not guard.committed:
                    raise
                _quiet_stdout()
                if not session.unconfirmed:
                    terminal().error(
                        _(
                            "the records were written, but their confirmation could not be "
                            "printed; see `kttn log`"
                        )
                    )
                code = 0
        if guard.held:
            terminal().error(_("interrupted after the records were written; they are kept"))
        if session.recording is not None:
            replay.record(session.recording, int(code or 0), terminal())
        return int(code or 0)
    except KttnError as exc:
        terminal().error(error_text(exc))
        return exc.exit_code
    except BrokenPipeError:
        # `kttn status | head`: the reader left; say nothing more.
        _quiet_stdout()
        return EX_BROKEN_PIPE
    except KeyboardInterrupt:
        return EX_INTERRUPTED
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno in _OUTPUT_FULL:
            # Files kttn writes say so themselves; what is left is stdout (`> /dev/full`).
            _quiet_stdout()
            return run_failed_on_stdout(exc)
        if debug or env.get("KTTN_DEBUG"):
            import traceback

            traceback.print_exc()
        detail = f"{type(exc).__name__}: {exc}"
        if guard is not None and guard.committed:
            # A bug after the commit point: the records are in the ledger, and say so.
            message = _(
                "unexpected error after the records were written (they are kept; see "
                "`kttn log`): {detail} (run again with --debug for details)"
            )
        else:
            message = _("unexpected error: {detail} (run again with --debug for details)")
        terminal().error(message.format(detail=detail))
        return EX_SOFTWARE


def run_failed_on_stdout(exc: OSError) -> int:
    """stdout is full (a disk, a quota, a file size limit): say so, exit 73."""
    terminal().error(
        _("cannot write {path}: {reason}").format(path="stdout", reason=os_reason(exc))
    )
    return EX_CANTCREAT


def _import_command(path: str) -> None:
    import importlib

    from kttn_cli.cli.commands import module_of

    importlib.import_module(module_of(path.split()[0]))


def _flush_stdout() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail a second time."""
    if sys.stdout is None:
        return
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
