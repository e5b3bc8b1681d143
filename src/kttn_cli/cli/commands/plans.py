"""Plans an office runs: init (a new plan from one it has), plans (the register), and
the views that cover every registered plan at once (`overdue --all-plans`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kttn_cli.cli.options import AS_OF, AS_OF_UNUSED, LANG, listing_format
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.core.model import Status
from kttn_cli.core.status import Judged
from kttn_cli.errors import (
    EX_FOUND,
    CannotWrite,
    DataError,
    KttnError,
    MissingInput,
    UsageError,
    os_reason,
)
from kttn_cli.i18n import N_, _, n_

# --- the plans one run covers -------------------------------------------------------------


def session_for(s: Session, path: Path) -> Session:
    """A session like `s` (as-of date, language, data directory) for the plan at `path`,
    with that plan's own ledger."""
    from kttn_cli.cli.settings import Settings

    options = {**s.settings.options, "plan": str(path), "ledger": None}
    env = {k: v for k, v in s.settings.env.items() if k not in ("KTTN_PLAN", "KTTN_LEDGER")}
    today = s.today
    return Session(Settings(env, options, s.settings.file_path), clock=lambda: today)


def each_plan(s: Session) -> Iterator[tuple[Path, Session]]:
    """Every plan `--all-plans` covers (`storage.registry.registered_plans`), each with a
    session of its own."""
    from kttn_cli.storage.registry import registered_plans

    for path in registered_plans(s.data_dir):
        yield path, session_for(s, path)


def refuse_one_plan_options(s: Session, flag: str) -> None:
    """`--all-plans` reads each plan's own ledger: a plan or ledger named for one run
    cannot apply to all of them (and a ledger named by KTTN_LEDGER must not be silently
    replaced by another)."""
    for name, option in (("plan", "--plan"), ("ledger", "--ledger")):
        found = s.settings.get(name)
        if found.source == "option" or (name == "ledger" and found.source == "env"):
            raise UsageError(
                N_(
                    "{flag} reads every registered plan with its own ledger; it cannot be "
                    "combined with {option} ({where})"
                ),
                flag=flag,
                option=option,
                where=found.where,
            )


# --- init ---------------------------------------------------------------------------------


@command(
    "init",
    Param(
        "path",
        required=True,
        metavar=N_("FILE"),
        complete="file",
        help=N_("Where to write the new plan."),
    ),
    Param(
        "source",
        "--from",
        metavar=N_("FILE|ID"),
        complete="plan",
        help=N_("The plan to copy: a file or a plan id (default: the bundled plan)."),
    ),
    Param(
        "year",
        "--year",
        metavar=N_("YEAR"),
        help=N_(
            "The new plan's year: move the copied plan's dates by the difference and mark "
            "each to confirm."
        ),
    ),
    Param(
        "same_id",
        "--same-id",
        kind="flag",
        default=False,
        help=N_(
            "Keep the plan's id, so the copy goes on with the same ledger (to edit the plan "
            "in use)."
        ),
    ),
    AS_OF_UNUSED,
    LANG,
    examples=(
        ("kttn init ke-hoach-moi.toml", N_("A new plan from the bundled one, with its own id.")),
        (
            "kttn init --from kh-01-bcd-2024 --year 2025 ke-hoach-2025.toml",
            N_("Next year's plan: the same tasks, the dates moved by one year, to confirm."),
        ),
        (
            "kttn init --same-id ke-hoach.toml",
            N_("An editable copy of the bundled plan that keeps its ledger."),
        ),
    ),
)
def init(s: Session, *, path: str, source: str | None, year: str | None, same_id: bool) -> None:
    """Write a new plan file from one the office has, and register it.

    The source is the bundled plan unless --from names another; the new file is added
    to the register of plans (`kttn plans`), and no file is ever overwritten.

    The copy gets an id of its own, made from the file name, so it starts its own
    ledger; --same-id keeps the id instead, to edit the plan in use without leaving its
    ledger.

    With --year the copy is next year's plan: the dates the plan states (issue date,
    deadlines, quarters, repeats) move by the year difference and each is marked to
    confirm (`plan.unconfirmed`), which `kttn check` and the views show until the date
    is edited and its line removed. Days off and units' life spans are dates of the
    calendar: they are not moved. The wording is copied as it is.
    """
    from kttn_cli.cli.settings import absolute
    from kttn_cli.core.dates import show_date
    from kttn_cli.storage.files import read_data_file
    from kttn_cli.storage.loader import check_plan, load_plan
    from kttn_cli.storage.paths import BUNDLED_PLAN, BUNDLED_SCHEMA, default_ledger
    from kttn_cli.storage.plan_copy import copy_plan, distinct_id, id_from_name, schema_line
    from kttn_cli.storage.registry import Registry, bundled_plan_id
    from kttn_cli.storage.toml_files import parse

    target = absolute(path)
    if target.exists() or target.is_symlink():
        raise UsageError(
            N_("{path} already exists; not overwriting. Choose another path"), path=target
        )
    if same_id and year is not None:
        raise UsageError(N_("--year makes a new plan, which needs its own id: drop --same-id"))
    origin = _source(s, source)
    plan, _problems = load_plan(origin, s.cache_dir)
    years = 0
    if year is not None:
        new_year = _year(year)
        years = new_year - plan.info.issued_on.year
        if years == 0:
            raise UsageError(
                N_("{plan} is already a plan of {year}: give the new plan's year"),
                plan=plan.info.id,
                year=new_year,
            )
    registry = Registry(s.data_dir)
    entries = registry.entries()
    if same_id:
        new_id = plan.info.id
        other = registry.path_of(new_id)
        if other is not None and other.exists() and other != target:
            raise DataError(
                N_(
                    "plan id {id!r} is already registered for {other}; two plan files "
                    "with one id would share one ledger. Edit that file, or copy it "
                    "without --same-id"
                ),
                id=new_id,
                other=other,
            )
    else:
        taken = {e.id for e in entries} | {plan.info.id, bundled_plan_id()}
        if s.data_dir.is_dir():
            taken |= {p.name.removesuffix(".ledger.toml") for p in s.data_dir.glob("*.ledger.toml")}
        new_id = distinct_id(id_from_name(target), taken)
    raw = read_data_file(origin, "plan")
    parsed = parse(origin, raw, "plan")
    assert isinstance(parsed.data, dict)  # load_plan read it already
    note = _(
        "Dates moved from plan {source} to {year}, not yet confirmed: check each against "
        "the new plan's text, then remove its line (`kttn check` lists those left)."
    ).format(source=plan.info.id, year=plan.info.issued_on.year + years)
    text = raw.decode("utf-8-sig")
    copied = copy_plan(text, parsed.data, new_id, years, note)
    content = schema_line(copied.text, origin.parent, BUNDLED_SCHEMA)
    checked, problems = check_plan(target, content.encode("utf-8"))
    if checked is None:
        from kttn_cli.storage.loader import invalid_plan

        raise invalid_plan(problems)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(content)
    except FileExistsError:
        raise UsageError(
            N_("{path} already exists; not overwriting. Choose another path"), path=target
        ) from None
    except OSError as exc:
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=target, reason=os_reason(exc)
        ) from None
    registry.add(new_id, target)
    ledger = default_ledger(s.data_dir, new_id)
    lines = []
    name = _source_name(origin, plan.info.id)
    if same_id:
        lines.append(
            _(
                "Wrote {path}, a copy of {source} with the same id {id}: it goes on with the "
                "ledger {ledger}."
            ).format(path=target, source=name, id=new_id, ledger=ledger)
        )
    else:
        lines.append(
            _(
                "Wrote {path}, a copy of {source} with its own id {id} (made from the file "
                "name), so its own ledger {ledger}."
            ).format(path=target, source=name, id=new_id, ledger=ledger)
        )
    lines.append(
        _("Registered: use it with --plan {id} (`kttn plans` lists the plans).").format(id=new_id)
    )
    if same_id and origin == BUNDLED_PLAN:
        lines.append(
            _(
                "From now on kttn reads this copy instead of {source} when no plan is named "
                "(--plan, KTTN_PLAN or the settings file)."
            ).format(source=name)
        )
    if years:
        lines.append(
            n_(
                "Moved {count} date to {year} and marked it to confirm; `kttn check --plan "
                "{id}` lists it until you edit it and remove its line from plan.unconfirmed.",
                "Moved {count} dates to {year} and marked each to confirm; `kttn check --plan "
                "{id}` lists them until you edit each and remove its line from "
                "plan.unconfirmed.",
                len(copied.moved),
            ).format(count=len(copied.moved), year=plan.info.issued_on.year + years, id=new_id)
        )
        lines.append(
            _(
                "Issued on {date} (to confirm). Days off, make-up working days and units' "
                "life spans are dates of the calendar: kept as they were ({count}); add the "
                "new year's days off. The wording (number, title, texts) is the old plan's: "
                "change it to the new plan's."
            ).format(date=show_date(checked.info.issued_on), count=len(copied.kept))
        )
    s.terminal.write("".join(line + "\n" for line in lines))


def _source(s: Session, given: str | None) -> Path:
    """The plan to copy: a file, a registered id, the bundled plan's id, or by default
    the bundled plan."""
    from kttn_cli.cli.settings import absolute
    from kttn_cli.storage.paths import BUNDLED_PLAN
    from kttn_cli.storage.registry import Registry, bundled_plan_id

    if given is None:
        return BUNDLED_PLAN
    if Path(given).expanduser().exists():
        return absolute(given)
    found = Registry(s.data_dir).path_of(given)
    if found is not None:
        return found
    if given == bundled_plan_id():
        return BUNDLED_PLAN
    raise MissingInput(
        N_("no plan file {value!r}, and no registered plan with that id (see `kttn plans`)"),
        value=given,
    )


def _source_name(path: Path, plan_id: str) -> str:
    from kttn_cli.storage.paths import BUNDLED_PLAN

    if path == BUNDLED_PLAN:
        return _("the bundled plan ({id})").format(id=plan_id)
    return f"{plan_id} ({path})"


def _year(text: str) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100):
        raise UsageError(N_("invalid year {value!r} (--year): use 2000 to 2100"), value=text)
    return int(value)


# --- the register -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One plan of the register, as `kttn plans` shows it."""

    id: str
    path: Path
    bundled: bool
    ledger: Path | None = None
    records: int | None = None  # None: no ledger yet
    overdue: int | None = None
    problems: int = 0  # blocking problems of the ledger (views state them)
    unconfirmed: int = 0  # dates still to confirm
    error: str | None = None  # why the plan cannot be read
    file_id: str | None = None  # the id in the file, when it is not the registered one

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "path": str(self.path),
            "bundled": self.bundled,
            "file_id": self.file_id,
            "ledger": str(self.ledger) if self.ledger else None,
            "records": self.records,
            "overdue": self.overdue,
            "problems": self.problems,
            "unconfirmed": self.unconfirmed,
            "error": self.error,
        }


@command(
    "plans",
    listing_format("table", "json"),
    AS_OF,
    LANG,
    examples=(
        ("kttn plans", N_("The plans this office tracks, with their ledgers.")),
        ("kttn plans --as-of 2025-07-01", N_("The same, with what is overdue on 1 July 2025.")),
    ),
)
def plans(s: Session, *, output_format: str) -> int:
    """The plans this office tracks, with their ledgers, records and what is overdue.

    These are the plans `--all-plans` covers: each registered plan, and the bundled plan
    unless a registered plan has its id, when nothing is registered or when its ledger
    exists. Exit 0; 65 or 66 when a registered plan cannot be read (it is listed with
    the reason).
    """
    from kttn_cli.cli.app import error_text
    from kttn_cli.storage.paths import BUNDLED_PLAN
    from kttn_cli.storage.registry import Registry

    registered = {e.path: e.id for e in Registry(s.data_dir).entries()}
    lines: list[PlanLine] = []
    code = 0
    for path, sub in each_plan(s):
        name = registered.get(path, "")
        bundled = path == BUNDLED_PLAN
        try:
            state = sub.state
            info = state.plan.info
            overdue = sum(1 for j in sub.judged if j.status is Status.OVERDUE)
            lines.append(
                PlanLine(
                    id=name or info.id,
                    path=path,
                    bundled=bundled,
                    ledger=sub.ledger_path,
                    records=state.book.count if state.ledger_exists else None,
                    overdue=overdue,
                    problems=len(state.blocking),
                    unconfirmed=len(info.unconfirmed),
                    file_id=info.id if name and name != info.id else None,
                )
            )
        except KttnError as exc:
            code = code or exc.exit_code
            lines.append(PlanLine(id=name, path=path, bundled=bundled, error=error_text(exc)))
    if output_format == "json":
        doc = {"as_of": s.as_of.isoformat(), "plans": [line.as_json() for line in lines]}
        s.terminal.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return code
    from kttn_cli.render.plans_view import render_plans

    s.page(render_plans(lines, s.as_of, bool(registered)))
    return code


@command(
    "add",
    Param(
        "path",
        required=True,
        metavar=N_("FILE"),
        complete="file",
        help=N_("The plan file to register."),
    ),
    AS_OF_UNUSED,
    LANG,
    group="plans",
    examples=(
        ("kttn plans add ke-hoach-2025.toml", N_("Track this plan too.")),
        ("kttn plans add ke-hoach-moi.toml", N_("Registering a plan again changes nothing.")),
    ),
)
def plans_add(s: Session, *, path: str) -> None:
    """Register an existing plan file under its id.

    The id is the one of its [plan] table; from then on --plan ID and --all-plans find
    the plan. The file is checked first and never changed.
    """
    from kttn_cli.cli.settings import absolute
    from kttn_cli.storage.loader import load_plan
    from kttn_cli.storage.paths import default_ledger
    from kttn_cli.storage.registry import Registry

    target = absolute(path)
    plan, _problems = load_plan(target, s.cache_dir)
    plan_id = plan.info.id
    what, before = Registry(s.data_dir).add(plan_id, target)
    ledger = default_ledger(s.data_dir, plan_id)
    if what == "already":
        message = _("{id} is already registered: {path}").format(id=plan_id, path=target)
    elif what == "renamed" and before is not None:
        message = _("Registered {path} as {id} (it was registered as {old}).").format(
            path=target, id=plan_id, old=before.id
        )
    elif what == "moved" and before is not None:
        message = _("Registered {id} at {path} (it was at {old}, which no longer exists).").format(
            id=plan_id, path=target, old=before.path
        )
    else:
        message = _("Registered {id}: {path}").format(id=plan_id, path=target)
    s.terminal.write(message + "\n" + _("Its ledger: {ledger}").format(ledger=ledger) + "\n")


@command(
    "remove",
    Param(
        "name",
        required=True,
        metavar=N_("ID"),
        complete="plan",
        help=N_("The id of a registered plan (or its file)."),
    ),
    AS_OF_UNUSED,
    LANG,
    group="plans",
    examples=(
        ("kttn plans remove ke-hoach-2025", N_("Stop tracking this plan.")),
        ("kttn plans remove ke-hoach-moi", N_("The file and its ledger stay where they are.")),
    ),
)
def plans_remove(s: Session, *, name: str) -> None:
    """Forget a registered plan; its file and its ledger stay.

    `kttn plans add FILE` registers it again.
    """
    from kttn_cli.storage.registry import Registry

    found = Registry(s.data_dir).remove(name.strip())
    if found is None:
        raise MissingInput(N_("no registered plan {id!r}; see `kttn plans`"), id=name)
    s.terminal.write(
        _("Forgot {id} ({path}); its file and its ledger are left as they are.").format(
            id=found.id, path=found.path
        )
        + "\n"
    )


# --- overdue --all-plans ------------------------------------------------------------------


def overdue_all(
    s: Session, *, output_format: str, exit_code: bool, quiet: bool, no_pager: bool
) -> int:
    """`kttn overdue --all-plans`: each plan's overdue obligations, grouped by plan, in
    one run (one cron line for the office).

    table and plain: one block per plan, headed by its id and file; with --quiet only
    the plans that have something overdue (nothing at all when none has). json: one
    document, `{"as_of", "plans": [each plan's overdue document], "errors": [...]}`.
    A plan that cannot be read is named on stderr, the others still shown, and the
    exit code is its error's.
    """
    from kttn_cli.cli.app import error_text
    from kttn_cli.cli.output import header_problems, warn_problems

    if output_format == "csv":
        raise UsageError(N_("--all-plans gives table, plain or json output, not csv"))
    refuse_one_plan_options(s, "--all-plans")
    found: list[tuple[Path, Session, list[Judged]]] = []
    errors: list[dict[str, str]] = []
    code = 0
    any_overdue = False
    for path, sub in each_plan(s):
        try:
            judged = [j for j in sub.judged if j.status is Status.OVERDUE]
        except KttnError as exc:
            message = error_text(exc)
            s.warn(_("{path}: {message}").format(path=path, message=message))
            errors.append({"path": str(path), "message": message})
            code = code or exc.exit_code
            continue
        judged.sort(key=lambda j: -(j.days_overdue or 0))  # stable: plan order within a day
        any_overdue = any_overdue or bool(judged)
        found.append((path, sub, judged))
    if quiet and not any_overdue:
        output_format = "none"  # cron's mail stays empty
    if output_format == "json":
        from kttn_cli.core.rows import document, to_row

        docs = []
        for _path, sub, judged in found:
            warn_problems(sub)
            rows = [to_row(sub.plan, j) for j in judged]
            docs.append(document(sub.plan, s.as_of, rows))
        doc = {"as_of": s.as_of.isoformat(), "plans": docs, "errors": errors}
        s.terminal.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    elif output_format != "none":
        blocks = []
        for path, sub, judged in found:
            if quiet and not judged:
                continue
            title = _("Plan {id} ({path})").format(id=sub.state.plan.info.id, path=path)
            if output_format == "plain":
                from kttn_cli.render.plain import plain_lines

                warn_problems(sub)
                body = plain_lines(sub.plan, judged, s.as_of, _("Overdue"))
                blocks.append(f"== {title} ==\n{body}")
            else:
                from kttn_cli.render.status_views import render_rows

                problems = header_problems(sub)
                page = render_rows(sub.plan, judged, s.as_of, _("Overdue"), True, problems)
                blocks.append(f"== {title} ==\n{page}")
        text = "\n".join(blocks)
        if output_format == "plain":
            s.terminal.write(text)
        else:
            s.page(text, no_pager)
    for _path, sub, _judged in found:
        if not sub.problems_stated:  # a plan left out by --quiet still says it has problems
            warn_problems(sub)
    if code:
        return code
    return EX_FOUND if exit_code and any_overdue else 0
