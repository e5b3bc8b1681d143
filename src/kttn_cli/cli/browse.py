"""Browse and check the plan: tasks, units, show, paths, check, schema, init."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from kttn_cli.cli.app import command
from kttn_cli.cli.session import (
    AsOfOption,
    LangOption,
    LedgerOption,
    PlanOption,
    Session,
    pick_lang,
)
from kttn_cli.errors import EX_DATAERR, CannotWrite, KttnError, UsageError
from kttn_cli.i18n import say, say_n


@command("tasks")
def tasks_command(
    plan: PlanOption = None, lang: LangOption = None, ledger: LedgerOption = None
) -> None:
    """Every task and milestone of the plan, with its deadline as written and its owners."""
    from kttn_cli.render.plan_views import render_tasks

    session = Session(plan_option=plan, ledger_option=ledger, lang_option=lang)
    render_tasks(session.full_plan, session.lang)


@command("units")
def units_command(plan: PlanOption = None, lang: LangOption = None) -> None:
    """The plan's units and groups."""
    from kttn_cli.render.plan_views import render_units

    session = Session(plan_option=plan, lang_option=lang)
    render_units(session.plan, session.lang)


@command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="A task, milestone or unit: id or name")],
    plan: PlanOption = None,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
) -> None:
    """One task, milestone or unit, by id or by name typed without diacritics.

    A milestone shows each unit's status, a unit each milestone it owes, as of the date.
    """
    from kttn_cli.cli.lookup import find_any
    from kttn_cli.render.plan_views import render_one

    session = Session(plan, ledger, as_of, lang)
    kind, ident = find_any(session.full_plan, name)
    judged = {(j.obligation.milestone.id, j.obligation.unit_id): j for j in session.judged}
    render_one(session.full_plan, kind, ident, session.lang, judged, session.as_of)


@command("paths")
def paths_command(
    plan: PlanOption = None, ledger: LedgerOption = None, lang: LangOption = None
) -> None:
    """The plan, ledger and data paths in use."""
    from kttn_cli.storage.paths import data_dir
    from kttn_cli.storage.plan_file import BUNDLED_PLAN

    session = Session(plan_option=plan, ledger_option=ledger, lang_option=lang)
    lg = session.lang
    plan_note = f"  {say('paths.bundled', lg)}" if session.plan_path == BUNDLED_PLAN else ""
    # The diagnostic command: with a plan it cannot read (the default ledger is named
    # after the plan's id), it still prints what it knows, then fails as any command would.
    failure: KttnError | None = None
    try:
        missing = "" if session.ledger_path.exists() else f"  {say('paths.missing', lg)}"
        ledger_line = f"{session.ledger_path}{missing}"
    except KttnError as exc:
        failure, ledger_line = exc, say("paths.unknown", lg)
    sys.stdout.write(
        f"{say('paths.plan', lg)}: {session.plan_path}{plan_note}\n"
        f"{say('paths.ledger', lg)}: {ledger_line}\n"
        f"{say('paths.data', lg)}: {data_dir()}\n"
    )
    if failure is not None:
        raise failure


@command("check")
def check_command(
    plan: PlanOption = None, ledger: LedgerOption = None, lang: LangOption = None
) -> None:
    """Validate the plan and the ledger; print every problem as FILE:LINE:COL: message."""
    from kttn_cli.core.model import Plan
    from kttn_cli.core.status import obligations
    from kttn_cli.storage.ledger_file import check_ledger
    from kttn_cli.storage.paths import ledger_path
    from kttn_cli.storage.plan_file import check_plan

    session = Session(plan_option=plan, ledger_option=ledger, lang_option=lang)
    lg = session.lang
    result = check_plan(session.plan_path, lg)
    problems = list(result.problems)
    summary = ""
    if result.data is not None:
        parsed_plan = Plan.from_dict(result.data)
        path = ledger_path(ledger, parsed_plan.info.id)
        ledger_check = check_ledger(path, parsed_plan.info.id, lg)
        problems += ledger_check.problems
        if not problems:
            from kttn_cli.core.audit import reference_problems
            from kttn_cli.core.model import record_from_dict
            from kttn_cli.core.status import Ledger
            from kttn_cli.storage.documents import locate_in

            records = Ledger(tuple(record_from_dict(r) for r in ledger_check.records))
            problems += locate_in(
                path,
                [
                    (("records", index, key), message, params)
                    for index, key, message, params in reference_problems(parsed_plan, records)
                ],
            )
            ledger_text = (
                say_n("check.ledger_records", lg, len(records.records), count=len(records.records))
                if ledger_check.exists
                else say("check.ledger_none", lg)
            )
            summary = say(
                "check.ok",
                lg,
                plan=session.plan_path,
                tasks=len(parsed_plan.tasks),
                milestones=len(parsed_plan.milestones),
                units=len(parsed_plan.units),
                obligations=len(obligations(parsed_plan, records)),
                ledger=ledger_text,
            )
    for problem in problems:
        sys.stdout.write(problem.format(lg) + "\n")
    if problems:
        sys.stderr.write(say_n("check.failed", lg, len(problems), count=len(problems)) + "\n")
        raise typer.Exit(EX_DATAERR)
    sys.stdout.write(summary + "\n")


@command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the plan format."""
    sys.stdout.write(schema_text())


def schema_text() -> str:
    from kttn_cli.storage.plan_schema import PlanFile

    return json.dumps(PlanFile.model_json_schema(), ensure_ascii=False, indent=2) + "\n"


@command("init")
def init_command(
    path: Annotated[Path, typer.Argument(help="Where to write the new plan file")],
    lang: LangOption = None,
) -> None:
    """Copy the bundled plan to PATH to start a new plan from it; never overwrites."""
    from kttn_cli.storage.plan_file import BUNDLED_PLAN, BUNDLED_SCHEMA, load_plan

    lg = pick_lang(lang)
    if path.exists() or path.is_symlink():
        raise UsageError("err.exists", path=path)
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    # The bundled plan's `#:schema` line is relative to the package; point the copy at the
    # installed schema file so editors keep validating it.
    first, _, rest = text.partition("\n")
    if first.startswith("#:schema"):
        text = f"#:schema {BUNDLED_SCHEMA.as_uri()}\n{rest}"
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError("err.exists", path=path) from None
    except OSError as exc:
        raise CannotWrite("err.cannot_write", path=path, reason=exc.strerror) from None
    # The copy keeps the bundled plan's id, and so would share its ledger until renamed.
    plan_id = load_plan(BUNDLED_PLAN, lg).info.id
    sys.stdout.write(say("init.done", lg, path=path, id=plan_id) + "\n")
