"""Looking after the files: check, restore, paths, config, schema."""

from __future__ import annotations

from collections.abc import Callable

from kttn_cli.cli.options import AS_OF, AS_OF_UNUSED, LANG, LEDGER, PLAN, STATE
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.errors import EX_DATAERR, KttnError
from kttn_cli.i18n import N_, _, n_


@command(
    "check",
    *STATE,
    examples=(
        ("kttn check", N_("Check the bundled plan and its ledger.")),
        ("kttn check --ledger so-theo-doi.toml", N_("Check a ledger kept elsewhere.")),
    ),
)
def check(s: Session) -> int:
    """Check the plan and the ledger: every problem at once, each as FILE:LINE:COL:
    message; then the counting rules in force, and where the ledger's backup is.

    Exit 0 when nothing blocks, 65 otherwise.
    """
    from kttn_cli.core.obligations import Book, obligations
    from kttn_cli.render import describe
    from kttn_cli.render.problems import problem_line
    from kttn_cli.storage.files import read_data_file
    from kttn_cli.storage.loader import backup_path, check_plan, ledger_presence, read_book

    plan, problems = check_plan(s.plan_path, read_data_file(s.plan_path, "plan"))
    summary: list[str] = []
    if plan is not None:
        from kttn_cli.storage.paths import default_ledger

        path = s.ledger_path if s.ledger_named else default_ledger(s.data_dir, plan.info.id)
        records = []
        try:
            exists = ledger_presence(path)
        except KttnError as exc:
            problems_text = exc.text()
            s.terminal.write(f"{path}: {problems_text}\n")
            exists = False
            problems = [*problems]
            blocked = True
        else:
            blocked = False
        book = None
        if exists:
            found, book, ledger_problems = read_book(path, plan, read_data_file(path, "ledger"))
            problems += ledger_problems
            records = found or []
        if not blocked:
            book = book or Book.read(plan, records)
            count = len(obligations(plan, book))
            ledger_text = (
                n_("{count} record", "{count} records", len(records)).format(count=len(records))
                if exists
                else _("none yet")
            )
            summary.append(
                _(
                    "{plan}: valid — {tasks} tasks, {milestones} milestones, {units} units, "
                    "{obligations} unit shares of milestones; ledger {ledger}: {records}"
                ).format(
                    plan=s.plan_path,
                    tasks=len(plan.tasks),
                    # With the ad-hoc tasks, as `show plan` and the unit shares count them.
                    milestones=len(book.plan_with_tasks(plan).milestones),
                    units=len(plan.units),
                    obligations=count,
                    ledger=path,
                    records=ledger_text,
                )
            )
            summary.append(describe.rules_line(plan.rules))
            summary.append(
                _("Backup of the ledger: {backup} (restore it with `kttn restore`)").format(
                    backup=backup_path(path)
                )
            )
        elif blocked:
            return EX_DATAERR
    for problem in problems:
        prefix = "" if problem.blocking else _("note: ")
        s.terminal.write(prefix + problem_line(problem) + "\n")
    blocking = [p for p in problems if p.blocking]
    if blocking:
        s.warn(
            n_("{count} problem.", "{count} problems.", len(blocking)).format(count=len(blocking))
        )
        return EX_DATAERR
    s.terminal.write("".join(line + "\n" for line in summary))
    return 0


@command(
    "restore",
    Param(
        "force",
        "--force",
        kind="flag",
        default=False,
        help=N_(
            "Restore even when the ledger can be read and holds more records than the "
            "backup (its last write is then taken back; the ledger is kept aside)."
        ),
    ),
    PLAN,
    LEDGER,
    AS_OF_UNUSED,
    LANG,
    examples=(
        ("kttn restore", N_("Put the backup back as the ledger (the current one is kept aside).")),
        ("kttn restore --ledger so-theo-doi.toml", N_("The same for a ledger kept elsewhere.")),
    ),
)
def restore(s: Session, *, force: bool) -> None:
    """Put the ledger's backup (the version before the last write) back as the ledger.

    The ledger it replaces, damaged or shorter, is kept beside it as
    `<ledger>.before-restore-<time>`; the backup is kept too. Use it when kttn says the
    ledger is missing, empty or cannot be read.
    """
    from kttn_cli.cli.session import now_utc
    from kttn_cli.storage.ledger_file import restore as put_back
    from kttn_cli.storage.loader import load_plan

    plan, _problems = load_plan(s.plan_path, s.cache_dir)
    if not s.ledger_named:
        from kttn_cli.storage.paths import default_ledger

        s.__dict__["ledger_path"] = default_ledger(s.data_dir, plan.info.id)
    stamp = now_utc().strftime("%Y%m%dT%H%M%SZ")
    done = put_back(s.ledger_path, plan, lock_timeout=s.lock_timeout, stamp=stamp, force=force)
    if done is None:
        s.confirm(
            [
                _("The ledger {ledger} is already the same as its backup; nothing changed.").format(
                    ledger=s.ledger_path
                )
            ]
        )
        return
    backup, aside = done
    lines = [_("Restored {ledger} from {backup}.").format(ledger=s.ledger_path, backup=backup)]
    if aside is not None:
        lines.append(_("The ledger it replaced is kept as {path}.").format(path=aside))
    s.confirm(lines)


@command(
    "paths",
    PLAN,
    LEDGER,
    AS_OF_UNUSED,
    LANG,
    examples=(
        ("kttn paths", N_("Where kttn's files are.")),
        ("kttn paths --lang en", N_("The same in English.")),
    ),
)
def paths(s: Session) -> None:
    """The plan, ledger, backup, settings, cache and data paths in use."""
    from kttn_cli.storage.loader import backup_path
    from kttn_cli.storage.paths import BUNDLED_PLAN

    bundled = "  " + _("(bundled plan)") if s.plan_path == BUNDLED_PLAN else ""
    failure: KttnError | None = None
    try:
        ledger = s.ledger_path
        missing = "" if ledger.exists() else "  " + _("(not created yet)")
        ledger_line = f"{ledger}{missing}"
        backup_line = str(backup_path(ledger))
    except KttnError as exc:
        failure = exc
        ledger_line = backup_line = _("(unknown: the plan cannot be read)")
    lines = [
        (_("Plan"), f"{s.plan_path}{bundled}"),
        (_("Ledger"), ledger_line),
        (_("Backup"), backup_line),
        (_("Data directory"), str(s.data_dir)),
        (_("Settings file"), str(s.settings.file_path)),
        (_("Cache"), str(s.cache_dir)),
    ]
    s.terminal.write("".join(f"{label}: {value}\n" for label, value in lines))
    if failure is not None:
        raise failure


@command(
    "config",
    PLAN,
    LEDGER,
    AS_OF,
    LANG,
    examples=(
        ("kttn config", N_("Each setting, its value and where it came from.")),
        ("kttn config --lang en", N_("The same in English.")),
    ),
)
def config(s: Session) -> None:
    """The settings in force, each with its value and where it came from (the command
    line, the environment, the settings file, or the default). The SMTP password is
    never shown.
    """
    from kttn_cli.cli.settings import SECRET, SETTINGS

    sources = {
        "option": _("command line"),
        "env": _("environment"),
        "file": _("settings file"),
        "default": _("default"),
    }
    lines = [_("Settings file: {path}").format(path=s.settings.file_path)]
    for setting in SETTINGS:
        found = s.settings.get(setting.name)
        if found.value is None:
            value = _default_in_force(s, setting.name) or "—"
        elif setting.name in SECRET:
            value = _("(set, not shown)")
        else:
            value = str(found.value)
        where = f" ({found.where})" if found.where else ""
        lines.append(f"{setting.name} = {value}  [{sources[found.source]}{where}]")
    s.terminal.write("".join(line + "\n" for line in lines))


def _default_in_force(s: Session, name: str) -> str | None:
    """What a setting left to its default comes to in this run, where kttn knows it
    (the plan and ledger in use, the language, today…); None where the default is
    "not set" (an SMTP server, a signer)."""
    from kttn_cli import i18n
    from kttn_cli.core.dates import show_date
    from kttn_cli.mail.settings import DEFAULT_PORTS, DEFAULT_TIMEOUT

    def smtp_tls() -> str:
        given = s.settings.value("smtp_tls")
        return str(given).strip().lower() if given else "starttls"

    known: dict[str, Callable[[], str]] = {
        "plan": lambda: str(s.plan_path),
        "ledger": lambda: str(s.ledger_path),
        "data_dir": lambda: str(s.data_dir),
        "lang": i18n.language,
        "today": lambda: _("{date} (today in Vietnam)").format(date=show_date(s.today)),
        "warn_days": lambda: _("{days} (the plan's)").format(days=s.warn_days),
        "lock_timeout": lambda: f"{s.lock_timeout:g}",
        "user": lambda: s.recorded_by,
        "smtp_tls": smtp_tls,
        "smtp_port": lambda: str(DEFAULT_PORTS.get(smtp_tls(), DEFAULT_PORTS["starttls"])),
        "smtp_timeout": lambda: f"{DEFAULT_TIMEOUT:g}",
    }
    if name not in known:
        return None
    try:
        return str(known[name]())
    except KttnError:
        return None  # a plan that cannot be read: `kttn check` says why


@command(
    "schema",
    AS_OF_UNUSED,
    LANG,
    examples=(
        ("kttn schema > plan.schema.json", N_("The plan format, for editors.")),
        ("kttn schema --lang en", N_("The same: the schema has no language.")),
    ),
)
def schema(s: Session) -> None:
    """The JSON Schema of the plan format (editors use it to check a plan as you type)."""
    s.terminal.write(schema_text())


def schema_text() -> str:
    import json

    from kttn_cli.schema.plan import PlanFile

    return json.dumps(PlanFile.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
