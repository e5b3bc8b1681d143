"""Reading the command line with Typer, through its public API only.

The command declarations (`cli.spec`) become Typer commands in a group that imports a
command's module only when that command is named (hatch's `LazyGroup` shape). Typer
parses; it never runs a command: the parsed values come back to `cli.app` as a
`Parsed` result, which runs the command inside the error boundary and remembers the
parse for the next identical command line (`cli.memo`). Help pages and usage errors are
kttn's own, in the language of the run (docs/architecture.md, "CLI").
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import typer
import typer.core
import typer.main

from kttn_cli.cli import help as pages
from kttn_cli.cli.commands import GROUPS, MODULES, module_of
from kttn_cli.cli.spec import REGISTRY, Command, Param
from kttn_cli.errors import UsageError
from kttn_cli.i18n import N_, _


class Parsed(Exception):
    """The command line, read: which command, with which values."""

    def __init__(self, path: str, values: dict[str, Any]) -> None:
        super().__init__(path)
        self.path = path
        self.values = values


class HelpShown(Exception):
    """A help page was asked for (or nothing was given): print it, exit 0."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def spec_of(path: str) -> Command:
    """The declaration of a command (`submit`, `task add`), importing its module."""
    importlib.import_module(module_of(path.split()[0]))
    return REGISTRY[path]


def all_commands() -> list[Command]:
    for name in dict.fromkeys(MODULES.values()):
        importlib.import_module(f"kttn_cli.cli.commands.{name}")
    order = list(MODULES)
    return sorted(REGISTRY.values(), key=lambda c: (order.index(c.path.split()[0]), c.path))


class KttnCommand(typer.core.TyperCommand):
    spec: Command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        formatter.write(pages.command_help(self.spec))


class KttnGroup(typer.core.TyperGroup):
    """A group whose subcommands are built from their declarations on first use."""

    def __init__(self, name: str, children: list[str], bare: str | None = None) -> None:
        super().__init__(name=name, invoke_without_command=True, no_args_is_help=False)
        self.children = children
        self.bare = bare  # the command `kttn plans` runs with no subcommand

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.children)

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in self.children:
            return None
        if name not in self.commands:
            self.commands[name] = build(self.name, name)
        return self.commands[name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0]
        found = self.get_command(ctx, name)
        if found is None:
            raise unknown_command(name, self.children, self.name)
        return name, found, args[1:]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if self.bare is not None and (not args or _bare_options(args)):
            # `kttn plans`, `kttn plans --as-of D`: the bare command, with its options.
            command = typer_command(spec_of(self.bare))
            with command.make_context(self.bare, list(args), parent=ctx.parent) as sub:
                command.invoke(sub)
        if not args or (args[0].startswith("-") and any(a in pages.HELP_FLAGS for a in args)):
            # Click strips the page's last newline; the terminal writes what it is given.
            raise HelpShown(self.get_help(ctx) + "\n")  # `kttn`, `kttn task`, `kttn plans -h`
        result: list[str] = super().parse_args(ctx, args)
        return result

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if self.name == "kttn":
            formatter.write(pages.root_help(all_commands()))
            return
        specs = [spec_of(self.bare)] if self.bare is not None else []
        specs += [spec_of(f"{self.name} {child}") for child in self.children]
        formatter.write(_group_help(self.name or "", specs))


def _bare_options(args: list[str]) -> bool:
    """Whether a group's arguments are options of its bare command (not a subcommand,
    not a request for the group's help page)."""
    return args[0].startswith("-") and not any(a in pages.HELP_FLAGS for a in args)


def _group_help(name: str, specs: list[Command]) -> str:
    command = _("COMMAND")
    lines = [_("Usage: {usage}").format(usage=f"kttn {name} {command} ..."), ""]
    lines.append(_("Commands:"))
    lines += [f"  {s.path:<20} {pages.summary(s)}" for s in specs]
    return "\n".join(lines) + "\n"


def unknown_command(name: str, known: list[str], group: str | None) -> UsageError:
    import difflib

    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    where = "kttn" if group in (None, "kttn") else f"kttn {group}"
    if close:
        return UsageError(
            N_("no command {name!r} in {where}; did you mean: {close}?"),
            name=name,
            where=where,
            close=", ".join(close),
        )
    return UsageError(
        N_("no command {name!r} in {where}; see `{where} --help`"), name=name, where=where
    )


def root() -> KttnGroup:
    children = list(MODULES)
    group = KttnGroup("kttn", children)
    return group


def build(group: str | None, name: str) -> Any:
    """The Typer command (or group) for a name under `group`."""
    if group in (None, "kttn") and name in GROUPS:
        bare = name if name in _declared(name) else None
        return KttnGroup(name, list(GROUPS[name]), bare)
    path = name if group in (None, "kttn") else f"{group} {name}"
    return typer_command(spec_of(path))


def _declared(name: str) -> set[str]:
    importlib.import_module(module_of(name))
    return set(REGISTRY)


def typer_command(spec: Command) -> KttnCommand:
    """A Typer command that reads the declared parameters and hands them back."""

    def callback(**values: Any) -> None:
        check_choices(spec, values)
        raise Parsed(spec.path, values)

    parameters = [_parameter(p) for p in spec.params]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in parameters}
    app = typer.Typer(
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
    )
    app.command(
        spec.name,
        cls=KttnCommand,
        context_settings={"help_option_names": list(pages.HELP_FLAGS)},
    )(callback)
    command = typer.main.get_command(app)
    assert isinstance(command, KttnCommand)
    command.spec = spec
    return command


def _parameter(param: Param) -> inspect.Parameter:
    """One declared parameter as Typer reads it: text (or a list of text, or a flag);
    kttn converts and checks the values itself, with its own messages."""
    annotation: Any = {"flag": bool, "list": list[str]}.get(param.kind, str)
    if param.kind != "flag" and not param.required:
        annotation = annotation | None
    shown = pages.metavar(param)
    if param.is_option:
        default: Any = typer.Option(
            param.default if not param.required else ...,
            *param.flags,
            show_default=False,
            metavar=None if param.kind == "flag" else shown,
            help=param.help,
        )
    else:
        default = typer.Argument(
            ... if param.required else param.default,
            show_default=False,
            metavar=shown,
            help=param.help,
        )
    return inspect.Parameter(
        param.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def check_choices(spec: Command, values: dict[str, Any]) -> None:
    """Values of parameters with a fixed list of choices (`--format`, `--status`), in
    kttn's words; a list may also be given comma-separated (`--status overdue,late`)."""
    for param in spec.params:
        value = values.get(param.name)
        if not param.choices or value is None:
            continue
        items = value if isinstance(value, list) else [value]
        given = [part.strip() for item in items for part in str(item).split(",")]
        if param.kind == "list":
            values[param.name] = given
        for item in given:
            if item not in param.choices:
                raise UsageError(
                    N_("invalid value {value!r} for {option}: use {choices}"),
                    value=item,
                    option=param.flags[0] if param.flags else pages.metavar(param),
                    choices=", ".join(param.choices),
                )


def parse(argv: list[str]) -> Parsed:
    """Read `argv`: the command and its values; HelpShown or UsageError otherwise."""
    group = root()
    try:
        with group.make_context("kttn", list(argv)) as ctx:
            group.invoke(ctx)
    except Parsed as done:
        return done
    except HelpShown:
        raise
    except typer.Exit as exc:  # a help page was printed by Click's --help
        raise HelpShown("") from exc
    except typer.TyperException as exc:
        raise usage_error(exc) from None
    raise UsageError(N_("nothing to do"))


def usage_error(exc: Exception) -> UsageError:
    """Click's usage errors (English, hard-coded) in kttn's words."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    ctx = getattr(exc, "ctx", None)
    spec = getattr(getattr(ctx, "command", None), "spec", None)
    name = _param_name(param, spec) if param is not None else ""
    command = getattr(ctx, "command_path", "kttn")
    hint = {"command": command}
    if kind == "MissingParameter":
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            return UsageError(
                N_("missing argument {name}; see `{command} --help`"), name=name, **hint
            )
        return UsageError(N_("missing option {name}; see `{command} --help`"), name=name, **hint)
    if kind == "NoSuchOption":
        option = getattr(exc, "option_name", "")
        close = sorted(getattr(exc, "possibilities", None) or ())
        if close:
            return UsageError(
                N_("no option {name} (did you mean {close}?); see `{command} --help`"),
                name=option,
                close=", ".join(close),
                **hint,
            )
        return UsageError(N_("no option {name}; see `{command} --help`"), name=option, **hint)
    message = str(getattr(exc, "message", "") or exc)
    option = getattr(exc, "option_name", "") or name
    if "requires an argument" in message or ("requires" in message and "arguments" in message):
        return UsageError(
            N_("option {name} needs a value; see `{command} --help`"), name=option, **hint
        )
    if "does not take a value" in message:
        return UsageError(N_("option {name} takes no value"), name=option)
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.rfind("(") + 1 : message.rfind(")")]
        return UsageError(
            N_("too many arguments: {extra}; see `{command} --help`"), extra=extra, **hint
        )
    return UsageError(N_("invalid command line: {detail}"), detail=message)


def _param_name(param: Any, spec: Command | None = None) -> str:
    """How the help page names a parameter: an argument by its metavar (MỐC), an option
    by its flags."""
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "argument":
        declared = next((p for p in spec.params if p.name == param.name), None) if spec else None
        return pages.metavar(declared) if declared else str(param.name).upper()
    return "/".join(opts) if opts else str(param.name)
