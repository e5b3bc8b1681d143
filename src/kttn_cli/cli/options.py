"""The parameters many commands share, declared once (docs/architecture.md, "CLI")."""

from __future__ import annotations

from kttn_cli.cli.spec import Param
from kttn_cli.i18n import N_

PLAN = Param(
    "plan",
    "--plan",
    metavar=N_("FILE|ID"),
    envvar="KTTN_PLAN",
    complete="plan",
    help=N_("Plan file, or the id of a registered plan (default: the bundled plan)."),
)
LEDGER = Param(
    "ledger",
    "--ledger",
    metavar=N_("FILE"),
    envvar="KTTN_LEDGER",
    complete="file",
    help=N_("Ledger file (default: one per plan in the data directory)."),
)


def _as_of(help_text: str) -> Param:
    return Param("as_of", "--as-of", metavar=N_("DATE"), envvar="KTTN_TODAY", help=help_text)


AS_OF = _as_of(N_("Judge as of this date, YYYY-MM-DD or DD/MM/YYYY (default: today in Vietnam)."))
LANG = Param(
    "lang",
    "--lang",
    metavar="vi|en",
    envvar="KTTN_LANG",
    choices=("vi", "en"),
    help=N_("Language of the output: vi (default) or en."),
)
# Every command takes these (a command that writes reads --as-of as "recorded as of").
STATE = (PLAN, LEDGER, AS_OF, LANG)
# Commands about files and settings use no date; they still take --as-of, so that a
# script can pass it to every command.
AS_OF_UNUSED = _as_of(N_("Accepted like every command's; this command uses no date."))

UNITS = Param(
    "units",
    "--unit",
    "-u",
    kind="list",
    metavar=N_("UNIT"),
    complete="unit",
    help=N_("Only this unit (id or name); repeatable."),
)
TASKS = Param(
    "tasks",
    "--task",
    "-t",
    kind="list",
    metavar=N_("TASK"),
    complete="task",
    help=N_("Only this task (e.g. III.2); repeatable."),
)
STATUSES = Param(
    "statuses",
    "--status",
    "-s",
    kind="list",
    metavar=N_("STATUS"),
    choices=(
        "overdue",
        "due_soon",
        "pending",
        "late",
        "on_time",
        "done",
        "undated",
        "not_owed",
    ),
    help=N_("Only this status; repeatable or comma-separated."),
)
FILTERS = (UNITS, TASKS, STATUSES)
NO_PAGER = Param(
    "no_pager",
    "--no-pager",
    kind="flag",
    default=False,
    help=N_("Never page the output (also KTTN_PAGER=cat)."),
)


def listing_format(*formats: str) -> Param:
    """`--format` of a listing: how people and programs read it."""
    return Param(
        "output_format",
        "--format",
        "-f",
        metavar=N_("FORMAT"),
        choices=formats,
        default=formats[0],
        help=N_("Output format."),
    )
