"""Commands and their parameters, declared once as data (docs/architecture.md, "CLI").

A command module declares each command with `@command(...)`: its name, parameters and
examples, its docstring as help. From these declarations `cli.parser` builds the Typer
commands that parse the command line, `cli.complete` answers the shell's Tab, and
`cli.help` writes the help pages. This module imports nothing heavy: the fast path
(`cli.entry`) reads declarations without importing Typer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Kind = Literal["str", "int", "flag", "list"]
# What completes a value: a fixed list of choices, or the plan's ids ("assignee": a unit
# or a group of units).
Completion = Literal[
    "milestone", "unit", "assignee", "task", "any", "record", "file", "plan", "none"
]


class Param:
    """An option (`flags` given) or an argument (no flags)."""

    __slots__ = (
        "choices",
        "complete",
        "default",
        "envvar",
        "flags",
        "help",
        "kind",
        "metavar",
        "name",
        "required",
    )

    def __init__(
        self,
        name: str,
        *flags: str,
        kind: Kind = "str",
        help: str = "",
        metavar: str = "",
        default: Any = None,
        envvar: str | None = None,
        choices: tuple[str, ...] = (),
        complete: Completion = "none",
        required: bool = False,
    ) -> None:
        self.name = name
        self.flags = flags
        self.kind = kind
        self.help = help  # English source text, translated when shown
        self.metavar = metavar  # English source text too: "DATE" → "NGÀY"
        self.default = default
        self.envvar = envvar
        self.choices = choices
        self.complete = complete
        self.required = required

    @property
    def is_option(self) -> bool:
        return bool(self.flags)

    @property
    def takes_value(self) -> bool:
        return self.kind != "flag"


class Command:
    __slots__ = ("examples", "func", "group", "module", "name", "params", "writes")

    def __init__(
        self,
        name: str,
        func: Callable[..., Any],
        params: tuple[Param, ...],
        examples: tuple[tuple[str, str], ...],
        group: str | None,
        writes: bool = False,
    ) -> None:
        self.name = name
        self.writes = writes  # writes the ledger (and may create it)
        self.group = group  # "task" for `kttn task add`
        self.func = func
        self.params = params
        self.examples = examples  # (command line, what it does)
        self.module = func.__module__

    @property
    def path(self) -> str:
        """`submit`, or `task add` for a command of a group."""
        return f"{self.group} {self.name}" if self.group else self.name

    @property
    def help(self) -> str:
        """The docstring (English source text of the help page)."""
        return cleandoc(self.func.__doc__ or "")

    def option(self, flag: str) -> Param | None:
        return next((p for p in self.params if flag in p.flags), None)


def cleandoc(doc: str) -> str:
    """A docstring without its indentation (`inspect.cleandoc`'s rule, without importing
    `inspect`, which costs more than the rest of the fast path)."""
    lines = doc.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents, default=0)
    body = [lines[0].strip(), *(line[margin:].rstrip() for line in lines[1:])]
    return "\n".join(body).strip("\n")


REGISTRY: dict[str, Command] = {}


def command(
    name: str,
    *params: Param,
    examples: tuple[tuple[str, str], ...] = (),
    group: str | None = None,
    writes: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a command: `func(session, **values)` runs it once the line is parsed."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        spec = Command(name, func, params, examples, group, writes)
        REGISTRY[spec.path] = spec
        return func

    return register
