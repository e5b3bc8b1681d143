"""Plans an office runs: init (a new plan from one it has), plans (the register)."""

from __future__ import annotations

from pathlib import Path

from kttn_cli.cli.options import LANG, PLAN
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.errors import CannotWrite, UsageError
from kttn_cli.i18n import N_, _


@command(
    "init",
    Param(
        "path",
        required=True,
        metavar=N_("FILE"),
        complete="file",
        help=N_("Where to write the new plan."),
    ),
    LANG,
    examples=(("kttn init ke-hoach-2025.toml", N_("Start a new plan from the bundled one.")),),
)
def init(s: Session, *, path: str) -> None:
    """Write a copy of the bundled plan to FILE, to start a new plan from it, and add it
    to the register of plans (`kttn plans`). Never overwrites a file."""
    from kttn_cli.storage.loader import load_plan
    from kttn_cli.storage.paths import BUNDLED_PLAN, BUNDLED_SCHEMA
    from kttn_cli.storage.registry import Registry

    target = Path(path)
    if target.exists() or target.is_symlink():
        raise UsageError(
            N_("{path} already exists; not overwriting. Choose another path"), path=target
        )
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    # The bundled plan's `#:schema` line is relative to where it lives; point the copy at
    # the installed schema so editors keep checking it.
    first, _newline, rest = text.partition("\n")
    if first.startswith("#:schema"):
        text = f"#:schema {BUNDLED_SCHEMA.as_uri()}\n{rest}"
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(
            N_("{path} already exists; not overwriting. Choose another path"), path=target
        ) from None
    except OSError as exc:
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=target, reason=exc.strerror
        ) from None
    plan, _problems = load_plan(BUNDLED_PLAN, s.cache_dir)
    Registry(s.data_dir).add(plan.info.id + "-copy", target)
    s.terminal.write(
        _(
            "Wrote {path} from the bundled plan.\nChange `id` in its [plan] table ({id}): each "
            "plan id has its own ledger.\n"
        ).format(path=target, id=plan.info.id)
    )


@command("plans", PLAN, LANG, examples=(("kttn plans", N_("The plans this office tracks.")),))
def plans(s: Session) -> None:
    """The plans this office tracks, with their ledgers."""
    from kttn_cli.storage.registry import Registry

    entries = Registry(s.data_dir).entries()
    if not entries:
        s.terminal.write(
            _("No registered plans; `kttn init FILE` or `kttn plans add FILE` adds one.") + "\n"
        )
        return
    for entry in entries:
        s.terminal.write(f"{entry.id}  {entry.path}\n")
