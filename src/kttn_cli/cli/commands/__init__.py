"""The command modules, by command name: `kttn --help` lists the names from here, and a
command's module is imported only when that command runs (hatch's lazy group habit;
tests/test_cli_shell.py keeps this table equal to the declarations)."""

from __future__ import annotations

MODULES: dict[str, str] = {
    "status": "views",
    "board": "views",
    "overdue": "views",
    "upcoming": "views",
    "show": "browse",
    "tasks": "browse",
    "units": "browse",
    "submit": "records",
    "void": "records",
    "extend": "records",
    "schedule": "records",
    "task": "records",
    "log": "records",
    "export": "outputs",
    "report": "documents",
    "letters": "documents",
    "remind": "mailing",
    "check": "maintenance",
    "restore": "maintenance",
    "paths": "maintenance",
    "config": "maintenance",
    "schema": "maintenance",
    "init": "plans",
    "plans": "plans",
}
# Command groups: their subcommands live in the group's module.
GROUPS: dict[str, tuple[str, ...]] = {"task": ("add",), "plans": ("add", "remove")}


def module_of(name: str) -> str:
    return f"kttn_cli.cli.commands.{MODULES[name]}"
