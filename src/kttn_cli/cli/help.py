"""Help pages, written from the command declarations in the language of the run.

Every word comes from the message catalog: Typer's and Click's built-in help text is
English, so kttn writes its pages itself from the same declarations that build the
parser (docs/architecture.md, "Language").
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from kttn_cli.cli.spec import Command, Param
from kttn_cli.i18n import N_, _

HELP_FLAGS = ("-h", "--help")


def width() -> int:
    from kttn_cli.render.terminal import console_width

    return console_width()


def metavar(param: Param) -> str:
    if param.metavar:
        text = _(param.metavar)
    elif param.choices:
        text = "|".join(param.choices)
    else:
        text = _("VALUE")
    return text


def usage(command: Command, prog: str = "kttn") -> str:
    options = _("OPTIONS")
    parts = [prog, command.path, f"[{options}]"]
    for param in command.params:
        if param.is_option:
            continue
        name = metavar(param) + ("..." if param.kind == "list" else "")
        parts.append(name if param.required else f"[{name}]")
    return " ".join(parts)


def _wrap(text: str, indent: int, total: int) -> list[str]:
    """Paragraphs (blank-line separated) flowed to the width, each line indented."""
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        flowed = " ".join(paragraph.split())
        out += textwrap.wrap(
            flowed,
            width=max(total - indent, 20),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
        out.append("")
    return [(" " * indent + line) if line else "" for line in out[:-1]]


def _definitions(rows: Iterable[tuple[str, str]], total: int) -> list[str]:
    """`term  description` rows: descriptions aligned, wrapped under themselves."""
    rows = list(rows)
    if not rows:
        return []
    column = min(max(len(term) for term, _ in rows) + 4, 30)
    out: list[str] = []
    for term, text in rows:
        lines = textwrap.wrap(" ".join(text.split()), width=max(total - column, 20)) or [""]
        if len(term) + 4 > column:
            out.append(f"  {term}")
            out += [" " * column + line for line in lines]
        else:
            out.append(f"  {term.ljust(column - 2)}{lines[0]}")
            out += [" " * column + line for line in lines[1:]]
    return out


def _option_term(param: Param) -> str:
    flags = ", ".join(param.flags)
    return flags if param.kind == "flag" else f"{flags} {metavar(param)}"


def _option_text(param: Param) -> str:
    parts = [_(param.help)] if param.help else []
    if param.choices and param.metavar and "|" not in param.metavar:
        parts.append("[" + "|".join(param.choices) + "]")
    if param.default not in (None, False, ()) and param.kind != "flag":
        parts.append(_("[default: {value}]").format(value=param.default))
    if param.envvar:
        parts.append(_("[environment: {name}]").format(name=param.envvar))
    if param.required:
        parts.append(_("[required]"))
    return " ".join(parts)


def command_help(command: Command, prog: str = "kttn") -> str:
    """The help page of one command."""
    total = width()
    lines = [_("Usage: {usage}").format(usage=usage(command, prog)), ""]
    lines += _wrap(_(command.help), 2, total)
    arguments = [p for p in command.params if not p.is_option]
    if arguments:
        lines += ["", _("Arguments:")]
        lines += _definitions(((metavar(p), _(p.help)) for p in arguments), total)
    lines += ["", _("Options:")]
    options = [p for p in command.params if p.is_option]
    rows = [(_option_term(p), _option_text(p)) for p in options]
    rows.append((", ".join(HELP_FLAGS), _("Show this page and exit.")))
    lines += _definitions(rows, total)
    if command.examples:
        lines += ["", _("Examples:")]
        for line, what in command.examples:
            lines.append(f"  {line}")
            lines += _wrap(_(what), 6, total)
    return "\n".join(lines) + "\n"


ROOT_HELP = N_(
    "Deadline and report tracker for a plan's tasks: what is done, late, overdue or coming "
    "up, and who to chase. The bundled plan is Plan 01-KH/BCĐ of Hưng Yên (2024); any "
    "plan of the same format works with --plan."
)
ROOT_EXAMPLES = (
    ("kttn status", N_("The dashboard of the bundled plan, as of today.")),
    ("kttn overdue --format plain", N_("The overdue list, one line each (for cron's mail).")),
    ("kttn submit --help", N_("How to record a report received.")),
)


def root_help(commands: list[Command], prog: str = "kttn") -> str:
    """`kttn --help`: what kttn is, its commands, its own options."""
    total = width()
    options, name = _("OPTIONS"), _("COMMAND")
    lines = [_("Usage: {usage}").format(usage=f"{prog} [{options}] {name} ..."), ""]
    lines += _wrap(_(ROOT_HELP), 2, total)
    lines += ["", _("Commands:")]
    lines += _definitions(((c.path, summary(c)) for c in commands), total)
    lines += ["", _("Options:")]
    lines += _definitions(
        [
            ("--version", _("Show the version and exit.")),
            ("--debug", _("Show the traceback of an unexpected error.")),
            ("--install-completion [bash|zsh|fish]", _("Install Tab completion for the shell.")),
            ("--show-completion [bash|zsh|fish]", _("Print the completion script.")),
            (", ".join(HELP_FLAGS), _("Show this page and exit.")),
        ],
        total,
    )
    lines += ["", _("Examples:")]
    for line, what in ROOT_EXAMPLES:
        lines.append(f"  {line}")
        lines += _wrap(_(what), 6, total)
    lines += ["", _("Output is Vietnamese; use --lang en or KTTN_LANG=en for English.")]
    return "\n".join(lines) + "\n"


def summary(command: Command) -> str:
    """The first sentence of a command's help."""
    first = _(command.help).split("\n\n")[0]
    return " ".join(first.split())
