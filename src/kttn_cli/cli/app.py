"""The `kttn` application and its one error boundary.

Commands register through `command()`, which wraps each one so that a `KttnError` becomes
its one-line message on stderr and its exit code (DESIGN §4), and anything unexpected
becomes exit 70 with a one-line message (the traceback only with `--debug`/KTTN_DEBUG).
"""

from __future__ import annotations

import errno
import functools
import gc
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import typer

from kttn_cli import __version__
from kttn_cli.cli.startup import FastCommand, FastGroup
from kttn_cli.errors import EX_CANTCREAT, EX_SOFTWARE, KttnError
from kttn_cli.i18n import Lang, say

F = TypeVar("F", bound=Callable[..., Any])

_app = typer.Typer(
    name="kttn",
    cls=FastGroup,
    help="Theo dõi thời hạn và báo cáo của Kế hoạch 01-KH/BCĐ (Hưng Yên, 2024). "
    "Deadline and report tracker for Plan 01-KH/BCĐ.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

task_app = typer.Typer(
    name="task",
    cls=FastGroup,
    help="Ad-hoc tasks (item II.7, nhiệm vụ đột xuất).",
    no_args_is_help=True,
)
_app.add_typer(task_app)

_debug = False
# Write errors that mean "the output does not fit": exit 73 (DESIGN §4), not 70.
_OUTPUT_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# Set by main() to the one command it runs: `command()` registers no other (building a
# Typer command costs about 1 ms). Processes that import `app` get every command.
_only: str | None = None


def _lang_for_errors(kwargs: dict[str, Any]) -> Lang:
    """The language of the command's `--lang` (or KTTN_LANG); Vietnamese when that is
    itself the error."""
    from kttn_cli.cli.session import pick_lang

    option = kwargs.get("lang")
    try:
        return pick_lang(option if isinstance(option, str) else None)
    except KttnError:
        return "vi"


def boundary(func: F) -> F:
    """Turn exceptions into exit codes: the only place where that happens."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KttnError as exc:
            error_line(exc.message(_lang_for_errors(kwargs)))
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # `kttn status | head`: the reader left; say nothing more.
            _quiet_stdout()
            raise typer.Exit(141) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in _OUTPUT_FULL:
                # Files kttn writes say so themselves; what is left is stdout (`> /dev/full`).
                _quiet_stdout()
                message = say(
                    "err.cannot_write", _lang_for_errors(kwargs), path="stdout", reason=exc.strerror
                )
                error_line(message)
                raise typer.Exit(EX_CANTCREAT) from None
            if _debug or os.environ.get("KTTN_DEBUG"):
                traceback.print_exc()
            detail = f"{type(exc).__name__}: {exc}"
            error_line(say("err.unexpected", _lang_for_errors(kwargs), detail=detail))
            raise typer.Exit(EX_SOFTWARE) from None

    return wrapper  # type: ignore[return-value]


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def error_line(message: str) -> None:
    """`kttn: message` on stderr: how every error and warning is shown."""
    sys.stderr.write(f"kttn: {message}\n")
    sys.stderr.flush()


def command(
    name: str | None = None, *, group: typer.Typer | None = None, **kwargs: Any
) -> Callable[[F], F]:
    """`app.command` (or a sub-group's), with the error boundary around the command."""

    def register(func: F) -> F:
        top = (group.info.name if group is not None else name) or None
        if _only is None or top is None or top == _only:
            options = {"help": _flowed(func.__doc__), **kwargs}
            (group or _app).command(name, cls=FastCommand, **options)(boundary(func))
        return func

    return register


def _flowed(doc: str | None) -> str | None:
    """The docstring with each paragraph on one line: Typer keeps the line breaks inside
    the paragraphs after the first, and the terminal then breaks those lines again."""
    if doc is None:
        return None
    lines = "\n".join(line.strip() for line in doc.strip().splitlines())
    return "\n\n".join(" ".join(p.split()) for p in lines.split("\n\n"))


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kttn {__version__}\n")
        raise typer.Exit()


@_app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=boundary(_version), is_eager=True, help="Show the version."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ] = False,
) -> None:
    """Theo dõi thời hạn và báo cáo của Kế hoạch 01-KH/BCĐ (Hưng Yên, 2024).

    Deadline and report tracker for Plan 01-KH/BCĐ: what is done, late, overdue or due
    soon, and who to chase. Output is Vietnamese; use --lang en or KTTN_LANG=en for English.
    """
    global _debug
    _debug = debug


# The module that defines each command. `main()` imports only the module of the command
# it runs and registers only that command: importing and building every command costs
# about 20 ms of a start-up budget of 90 (issue 6). tests/test_startup_guards.py keeps
# this table complete and true; a name missing here still works, with every module
# imported.
COMMAND_MODULES = {
    "tasks": "browse",
    "units": "browse",
    "show": "browse",
    "paths": "browse",
    "check": "browse",
    "schema": "browse",
    "init": "browse",
    "export": "exports",
    "remind": "exports",
    "submit": "records",
    "void": "records",
    "extend": "records",
    "task": "records",
    "log": "records",
    "status": "views",
    "board": "views",
    "overdue": "views",
    "upcoming": "views",
}
ALL_MODULES = ("browse", "exports", "records", "views")  # the order of `kttn --help`


def _register_commands(modules: Sequence[str] = ALL_MODULES) -> None:
    # Importing a module registers its commands.
    for module in modules:
        importlib.import_module(f"kttn_cli.cli.{module}")


def command_for(argv: Sequence[str]) -> str | None:
    """The one command a run with these arguments needs, or None when it needs them all:
    help or no command (they list the commands), completion, an unknown name."""
    if os.environ.get("_KTTN_COMPLETE"):
        return None
    for arg in argv:
        if arg == "--debug":
            continue
        return arg if arg in COMMAND_MODULES else None
    return None


def __getattr__(name: str) -> typer.Typer:
    # `from kttn_cli.cli.app import app` (tests, tools) gets the app with every command.
    if name == "app":
        _register_commands()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    from kttn_cli.render.terminal import prepare_streams

    global _only
    # A run lasts well under a second and builds few reference cycles: the cyclic
    # collector only costs time (measured: 2.5 ms of `status` on the bundled plan, 50 ms
    # at 100,000 ledger records, with the same peak memory).
    gc.disable()
    prepare_streams()
    _only = command_for(sys.argv[1:])
    _register_commands((COMMAND_MODULES[_only],) if _only else ALL_MODULES)
    _app()
