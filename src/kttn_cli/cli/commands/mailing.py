"""Reminders by e-mail: remind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kttn_cli.cli.options import STATE, TASKS, UNITS
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.errors import UsageError
from kttn_cli.i18n import N_, _, n_

if TYPE_CHECKING:
    from kttn_cli.core.model import Plan
    from kttn_cli.mail.addresses import Mailbox
    from kttn_cli.mail.message import Attach

RULE = "-" * 72


@command(
    "remind",
    Param(
        "to",
        "--to",
        kind="list",
        metavar=N_("ADDRESS"),
        help=N_(
            "Send the summary (everything, grouped by unit) to this address, "
            "name@domain or 'Name <name@domain>'; repeatable."
        ),
    ),
    Param(
        "contacts",
        "--contacts",
        metavar=N_("FILE"),
        envvar="KTTN_CONTACTS",
        complete="file",
        help=N_(
            "TOML file of unit id = address (or a list of addresses): each unit also gets "
            "a message of its own items."
        ),
    ),
    UNITS,
    TASKS,
    Param(
        "all_plans",
        "--all-plans",
        kind="flag",
        default=False,
        help=N_(
            "Every plan `kttn plans` lists: one message per recipient, grouped by plan "
            "(one cron line for all)."
        ),
    ),
    Param(
        "attach_letters",
        "--attach-letters",
        kind="flag",
        default=False,
        help=N_(
            "Attach to each unit's message its reminder letter (Word, as `kttn letters` "
            "writes it; the office's details from the settings file's [documents] table)."
        ),
    ),
    Param(
        "dry_run",
        "--dry-run",
        kind="flag",
        default=False,
        help=N_("Print the messages instead of sending them; open no connection."),
    ),
    *STATE,
    examples=(
        (
            "kttn remind --to vanthu@example.gov.vn --contacts danh-ba.toml --dry-run",
            N_("See what would be sent today, without sending."),
        ),
        (
            "kttn remind --to 'Văn thư <vanthu@example.gov.vn>' --contacts danh-ba.toml",
            N_("Send the summary, and each unit its own list (for cron)."),
        ),
        (
            "kttn remind --contacts danh-ba.toml --task III.2 --unit 'kim dong'",
            N_("Only Kim Động's items under III.2."),
        ),
    ),
)
def remind(
    s: Session,
    *,
    to: list[str] | None,
    contacts: str | None,
    units: list[str] | None,
    tasks: list[str] | None,
    all_plans: bool,
    attach_letters: bool,
    dry_run: bool,
) -> int:
    """E-mail the overdue and due-soon obligations over SMTP (for cron).

    --to gets a summary of everything, grouped by unit; with --contacts (or
    KTTN_CONTACTS, or contacts in the settings file) each unit with an address also
    gets a message of its own items: what is owed, the deadline (and any extension),
    where to send it, and to reply with the document's number. A unit the contacts file
    does not list is written to at the plan's address for it, if any.

    The SMTP settings come from the environment or the [smtp] table of the settings
    file, never from the command line: KTTN_SMTP_HOST, KTTN_SMTP_PORT, KTTN_SMTP_TLS
    (starttls, ssl, or none for a server on this machine), KTTN_SMTP_USER,
    KTTN_SMTP_PASSWORD_FILE (or KTTN_SMTP_PASSWORD, environment only), KTTN_MAIL_FROM,
    KTTN_SMTP_TIMEOUT. Certificates are always verified (a private CA: SSL_CERT_FILE).

    Exit 0 when every message was accepted; 75 when the server is unreachable, times
    out or answers 4xx (the next run tries again); 78 when a setting is missing or
    wrong; 65 for a bad contacts file or a message the server rejected.
    """
    from kttn_cli.cli.select import select
    from kttn_cli.mail.message import compose
    from kttn_cli.mail.settings import sender_setting, smtp_settings

    recipients = _recipients(to or [])
    contacts_found = s.settings.get("contacts")
    if not recipients and not contacts_found.value:
        raise UsageError(
            N_("no one to send to: use --to ADDRESS and/or --contacts FILE (or KTTN_CONTACTS)")
        )
    if all_plans and (units or tasks):
        raise UsageError(N_("--all-plans cannot be combined with --unit or --task"))
    # Settings before anything is read: a cron job with a wrong setting says so first.
    settings = None if dry_run else smtp_settings(s.settings.get)
    sender = settings.sender if settings is not None else sender_setting(s.settings.get)
    sessions, code = _every_plan(s) if all_plans else ([s], 0)
    unit_ids = {u.id for sub in sessions for u in sub.plan.units}
    book = _contacts(str(contacts_found.value), unit_ids) if contacts_found.value else None
    batch = compose(
        [(sub.plan, select(sub, units, tasks, None)) for sub in sessions],
        s.as_of,
        to=recipients,
        contacts=book,
        sender=sender,
        attach=_letters(s, sessions) if attach_letters else None,
    )
    if batch.unaddressed:
        names = ", ".join(batch.unaddressed)
        line = _("Units with items to chase but no e-mail address: {units}").format(units=names)
        if recipients:
            s.terminal.write(line + "\n")  # the summary names them too
        else:
            s.warn(line)  # nobody else will hear of them
    if not batch.reminders:
        if not batch.unaddressed:
            from kttn_cli.core.dates import show_date

            s.terminal.write(
                _("Nothing overdue or due soon as of {date}; no mail sent.").format(
                    date=show_date(s.as_of)
                )
                + "\n"
            )
        return code
    if settings is None:
        from kttn_cli.core.text import visible
        from kttn_cli.mail.message import preview

        for reminder in batch.reminders:
            s.terminal.write(f"{RULE}\n{visible(preview(reminder, sender), keep_newlines=True)}")
        count = len(batch.reminders)
        s.terminal.write(
            RULE
            + "\n"
            + n_(
                "Dry run: {count} message, not sent.",
                "Dry run: {count} messages, none sent.",
                count,
            ).format(count=count)
            + "\n"
        )
        return code
    from kttn_cli.cli.session import now_in_vietnam
    from kttn_cli.mail.message import mime_message
    from kttn_cli.mail.smtp import errors, failure, send

    now = now_in_vietnam()
    outgoing = [
        (mime_message(r, settings.sender, now), tuple(m.address for m in r.to))
        for r in batch.reminders
    ]
    delivery = send(settings, outgoing)
    for index in delivery.sent:
        reminder = batch.reminders[index]
        s.terminal.write(
            n_("Sent: {to} ({count} item)", "Sent: {to} ({count} items)", reminder.items).format(
                to=", ".join(m.address for m in reminder.to), count=reminder.items
            )
            + "\n"
        )
    error = failure(delivery, len(outgoing))
    if error is None:
        return code
    distinct = errors(delivery)
    if len(distinct) > 1:
        for each in distinct:
            s.warn(each.text())
    raise error


def _every_plan(s: Session) -> tuple[list[Session], int]:
    """The session of each plan `--all-plans` covers that can be read; one that cannot
    is named on stderr, and its exit code kept for the end of the run."""
    from kttn_cli.cli.app import error_text
    from kttn_cli.cli.commands.plans import each_plan, refuse_one_plan_options
    from kttn_cli.cli.output import warn_problems
    from kttn_cli.errors import KttnError

    refuse_one_plan_options(s, "--all-plans")
    sessions = []
    code = 0
    for path, sub in each_plan(s):
        try:
            sub.judged  # noqa: B018 -- reads the plan and its ledger now, to name a failure
        except KttnError as exc:
            s.warn(_("{path}: {message}").format(path=path, message=error_text(exc)))
            code = code or exc.exit_code
            continue
        warn_problems(sub)
        sessions.append(sub)
    return sessions, code


def _letters(s: Session, sessions: list[Session]) -> Attach:
    """Attaches to a unit's message its reminder letter under a plan: the same file
    `kttn letters` writes (named after the unit, and the plan when there are several)."""
    from kttn_cli.cli.commands.documents import office_of
    from kttn_cli.documents.letters import chased_units, letter_docx

    office = office_of(s, None, None, None, None)
    judged = {id(sub.plan): sub.judged for sub in sessions}

    def attach(plan: Plan, unit_id: str) -> tuple[str, bytes]:
        items = chased_units(plan, judged[id(plan)])[unit_id]
        name = f"{unit_id}.docx" if len(sessions) == 1 else f"{plan.info.id}-{unit_id}.docx"
        return name, letter_docx(plan, unit_id, items, s.as_of, office)

    return attach


def _recipients(values: list[str]) -> list[Mailbox]:
    """Every --to, each `name@domain` or `Tên <name@domain>` (several may be given in
    one, comma-separated); exit 2 naming the first that is neither."""
    from kttn_cli.mail.addresses import parse_mailboxes, unique

    found: list[Mailbox] = []
    for value in values:
        good, bad = parse_mailboxes(value)
        if bad:
            raise UsageError(
                N_(
                    "invalid e-mail address {value!r} (--to): use name@domain or "
                    "'Name <name@domain>'"
                ),
                value=bad[0],
            )
        found += good
    return list(unique(found))


def _contacts(path_text: str, unit_ids: set[str]) -> dict[str, tuple[Mailbox, ...]]:
    from kttn_cli.cli.settings import absolute
    from kttn_cli.mail.addresses import parse_mailbox
    from kttn_cli.storage.contacts import load_contacts

    return load_contacts(absolute(path_text), unit_ids, parse_mailbox)
