"""Reminder e-mail: compose the messages, and send them over SMTP with verified TLS.

Composing is pure (plan, statuses and as-of date in, texts out); `message()` is given
the time for its `Date` header, and only `send()` opens a connection. Settings come from
the environment (`settings_from_env`), never from the command line, so a password shows
up neither in `ps` nor in shell history, and it is never put into any message.
"""

from __future__ import annotations

import base64
import ipaddress
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kttn_cli.core.dates import show_date
from kttn_cli.core.model import Plan, Status
from kttn_cli.core.status import Judged
from kttn_cli.core.text import one_line
from kttn_cli.errors import ConfigError, DataError, KttnError, TemporaryFailure, Word
from kttn_cli.i18n import Lang, say, status_label, time_left
from kttn_cli.storage.contacts import is_address

if TYPE_CHECKING:
    import smtplib
    from email.message import EmailMessage

Tls = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0


# --- settings ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sender:
    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """How to reach the SMTP server (KTTN_SMTP_*, KTTN_MAIL_FROM)."""

    host: str
    port: int
    tls: Tls
    sender: Sender
    timeout: float = DEFAULT_TIMEOUT
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def sender_from_env(env: Mapping[str, str]) -> Sender:
    """KTTN_MAIL_FROM: `name@domain` or `Name <name@domain>`; exit 78 if missing or bad."""
    from email.utils import parseaddr

    value = env.get("KTTN_MAIL_FROM", "").strip()
    if not value:
        raise ConfigError("err.smtp_missing", name="KTTN_MAIL_FROM")
    name, address = parseaddr(value)
    if not is_address(address) or _has_control(value):
        raise ConfigError(
            "err.bad_setting", name="KTTN_MAIL_FROM", value=value, hint=Word("hint.from")
        )
    return Sender(address, one_line(name))


def settings_from_env(env: Mapping[str, str]) -> Settings:
    """Every SMTP setting, checked; exit 78 (EX_CONFIG) naming the first one missing/bad."""
    host = env.get("KTTN_SMTP_HOST", "").strip()
    if not host:
        raise ConfigError("err.smtp_missing", name="KTTN_SMTP_HOST")
    tls_text = (env.get("KTTN_SMTP_TLS") or "starttls").strip().lower()
    if tls_text not in DEFAULT_PORTS:
        raise ConfigError(
            "err.bad_setting", name="KTTN_SMTP_TLS", value=tls_text, hint=Word("hint.tls")
        )
    tls: Tls = tls_text  # type: ignore[assignment]  # checked just above
    if tls == "none" and not _is_local(host):
        raise ConfigError("err.smtp_tls_none_remote", host=host)
    port = _port(env, DEFAULT_PORTS[tls])
    timeout = _timeout(env)
    user = env.get("KTTN_SMTP_USER") or None
    password = _password(env)
    if password is not None and user is None:
        raise ConfigError("err.smtp_password_without_user")
    return Settings(host, port, tls, sender_from_env(env), timeout, user, password)


def _port(env: Mapping[str, str], default: int) -> int:
    text = env.get("KTTN_SMTP_PORT", "").strip()
    if not text:
        return default
    port = int(text) if text.isdigit() else 0
    if not 0 < port < 65536:
        raise ConfigError(
            "err.bad_setting", name="KTTN_SMTP_PORT", value=text, hint=Word("hint.port")
        )
    return port


def _timeout(env: Mapping[str, str]) -> float:
    text = env.get("KTTN_SMTP_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 24 * 3600:  # also refuses nan and inf
        raise ConfigError(
            "err.bad_setting", name="KTTN_SMTP_TIMEOUT", value=text, hint=Word("hint.timeout")
        )
    return seconds


def _password(env: Mapping[str, str]) -> str | None:
    direct = env.get("KTTN_SMTP_PASSWORD") or None
    path = env.get("KTTN_SMTP_PASSWORD_FILE") or None
    if direct is not None and path is not None:
        raise ConfigError("err.smtp_password_both")
    if path is None:
        return direct
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise ConfigError("err.smtp_password_file", path=path, reason=reason) from None
    return text.rstrip("\r\n")


def _is_local(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- composing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reminder:
    """One message to send: its recipients (the envelope), subject and body."""

    to: tuple[str, ...]
    subject: str
    body: str
    items: int
    unit_id: str | None = None  # None: the summary


@dataclass(frozen=True, slots=True)
class Batch:
    reminders: tuple[Reminder, ...]
    unaddressed: tuple[str, ...]  # unit ids with items to chase but no address


CHASED = (Status.OVERDUE, Status.DUE_SOON)


def compose(
    plan: Plan,
    judged: Sequence[Judged],
    as_of: date,
    lang: Lang,
    to: Sequence[str] = (),
    contacts: Mapping[str, tuple[str, ...]] | None = None,
) -> Batch:
    """The reminders for `as_of`: a summary to `to`, and one message per unit if `contacts`.

    Only overdue and due-soon obligations are chased. With `contacts`, a unit's address
    is its entry there, else the plan's `email` for it; units left without one are named
    in the summary. Nothing to chase: no messages.
    """
    by_unit = _chased_by_unit(plan, judged)
    if not by_unit:
        return Batch((), ())
    subject = short_subject(lang, plan.info.number, as_of)
    reminders: list[Reminder] = []
    unaddressed: list[str] = []
    if contacts is not None:
        for unit_id, items in by_unit.items():
            addresses = contacts.get(unit_id) or plan.unit(unit_id).email
            for address in addresses:
                # The plan's schema lets through forms such as `x,y@z`: check like contacts.
                if not is_address(address):
                    raise DataError("err.bad_address", value=address)
            if not addresses:
                unaddressed.append(unit_id)
                continue
            body = _unit_body(plan, unit_id, items, as_of, lang)
            reminders.append(Reminder(tuple(addresses), subject, body, len(items), unit_id))
    if to:
        body = _summary_body(plan, by_unit, unaddressed, as_of, lang)
        count = sum(len(items) for items in by_unit.values())
        reminders.insert(0, Reminder(tuple(to), subject, body, count))
    return Batch(tuple(reminders), tuple(unaddressed))


def _chased_by_unit(plan: Plan, judged: Sequence[Judged]) -> dict[str, list[Judged]]:
    """Overdue (most days first), then due soon (nearest first), by unit in plan order."""
    chased = [j for j in judged if j.status in CHASED]
    chased.sort(
        key=lambda j: (j.status is not Status.OVERDUE, -(j.days_overdue or 0), j.days_left or 0)
    )
    order = {u.id: i for i, u in enumerate(plan.units)}
    by_unit: dict[str, list[Judged]] = {}
    for j in sorted(chased, key=lambda j: order.get(j.obligation.unit_id, len(order))):
        by_unit.setdefault(j.obligation.unit_id, []).append(j)
    return by_unit


def _plan_name(plan: Plan, lang: Lang) -> str:
    return one_line(say("plan_header", lang, number=plan.info.number))


def _counts(items: Sequence[Judged], lang: Lang) -> str:
    overdue = sum(1 for j in items if j.status is Status.OVERDUE)
    return say("mail.counts", lang, overdue=overdue, due_soon=len(items) - overdue)


def _summary_body(
    plan: Plan,
    by_unit: Mapping[str, list[Judged]],
    unaddressed: Sequence[str],
    as_of: date,
    lang: Lang,
) -> str:
    everything = [j for items in by_unit.values() for j in items]
    lines = [
        say("mail.summary_intro", lang, plan=_plan_name(plan, lang), date=show_date(as_of)),
        _counts(everything, lang),
    ]
    for unit_id, items in by_unit.items():
        lines += ["", one_line(plan.unit(unit_id).name)]
        lines += _item_lines(plan, items, lang)
    if unaddressed:
        names = "; ".join(one_line(plan.unit(u).name) for u in unaddressed)
        lines += ["", say("mail.no_address", lang, units=names)]
    return _with_footer(lines, lang)


def _unit_body(plan: Plan, unit_id: str, items: Sequence[Judged], as_of: date, lang: Lang) -> str:
    lines = [
        say(
            "mail.unit_intro",
            lang,
            unit=one_line(plan.unit(unit_id).name),
            plan=_plan_name(plan, lang),
            date=show_date(as_of),
        ),
        _counts(items, lang),
        "",
    ]
    lines += _item_lines(plan, items, lang)
    return _with_footer(lines, lang)


def _item_lines(plan: Plan, items: Sequence[Judged], lang: Lang) -> list[str]:
    lines = []
    for status in CHASED:
        group = [j for j in items if j.status is status]
        if not group:
            continue
        lines.append(f"  {status_label(status, lang)}:")
        for j in group:
            o = j.obligation
            parts = [
                say("mail.due", lang, date=show_date(o.due)),
                time_left(j.days_overdue, j.days_left, lang),
            ]
            if o.milestone.recipient and plan.has_unit(o.milestone.recipient):
                parts.append(
                    say("mail.send_to", lang, unit=one_line(plan.unit(o.milestone.recipient).label))
                )
            title = one_line(f"{o.milestone.title} ({o.task.id})")
            lines.append(f"  - {title}: {', '.join(parts)}")
    return lines


def _with_footer(lines: list[str], lang: Lang) -> str:
    # "-- " (with its space) is the signature separator mail programs recognise.
    return "\n".join([*lines, "", "-- ", say("mail.footer", lang)]) + "\n"


def short_subject(lang: Lang, number: str, as_of: date) -> str:
    """`Nhắc hạn 01-KH/BCĐ 16/07/2024`, the plan number cut until the header fits on one
    line: on Python 3.11/3.12 the header folder can drop the space between two encoded
    words of a long non-ASCII subject ("nhiệm vụ" → "nhiệmvụ"); an unfolded one is safe."""
    number = one_line(number)
    day = show_date(as_of)
    for limit in (len(number), 24, 16, 8, 0):
        cut = number if len(number) <= limit else number[:limit].rstrip() + "…"
        subject = " ".join(say("mail.subject", lang, number=cut, date=day).split())
        if not _folds("Subject", subject):
            break
    return subject


def _folds(name: str, value: str) -> bool:
    """Whether the header, as it goes on the wire (encoded words), needs a second line."""
    from email.policy import SMTP

    folded: str = SMTP.header_factory(name, value).fold(policy=SMTP)
    return folded.count("\r\n") > 1


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


# --- messages ---------------------------------------------------------------------------


def message(reminder: Reminder, sender: Sender | None, now: datetime) -> EmailMessage:
    """The RFC 5322 message: plain-text UTF-8 body, Date, Message-ID, Auto-Submitted.

    Every header value is built from checked addresses or `one_line` text, so nothing
    read from a file can add a header or a recipient.
    """
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    msg = EmailMessage(policy=SMTP)
    if sender is not None:
        local, _, domain = sender.address.partition("@")
        name = sender.name
        if name and _folds("From", str(Address(name, local, domain))):
            name = ""  # a long non-ASCII name could lose its spaces when folded
        msg["From"] = Address(name, local, domain)
    msg["To"] = ", ".join(reminder.to)
    msg["Subject"] = one_line(reminder.subject)
    msg["Date"] = format_datetime(now)
    # The sender's domain, not this machine's name: no slow DNS lookup, no host leaked.
    msg["Message-ID"] = make_msgid("kttn", domain=_domain(sender))
    # RFC 3834: tells vacation responders not to answer; the Outlook header likewise.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(reminder.body, charset="utf-8", cte="quoted-printable")
    return msg


def _domain(sender: Sender | None) -> str:
    return sender.address.partition("@")[2] if sender else "kttn.invalid"


def preview(msg: EmailMessage) -> str:
    """The message as a person reads it: decoded headers, blank line, body."""
    heads = [
        f"{name}: {value}"
        for name, value in msg.items()
        if name.lower() not in ("content-type", "content-transfer-encoding", "mime-version")
    ]
    return "\n".join(heads) + "\n\n" + str(msg.get_content())


# --- sending ----------------------------------------------------------------------------


@dataclass(slots=True)
class Delivery:
    """What happened to each message of a batch, by index."""

    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, KttnError]] = field(default_factory=list)


def send(settings: Settings, outgoing: Sequence[tuple[EmailMessage, tuple[str, ...]]]) -> Delivery:
    """Send every message over one SMTP session; envelope recipients exactly as given.

    Certificates are always verified (`ssl.create_default_context()`; SSL_CERT_FILE adds
    a private CA); a login happens only after TLS is up (or on localhost without TLS).
    Connection problems raise at once: unreachable, timeout or 4xx → 75, bad settings or
    an untrusted certificate → 78. A message refused by the server is recorded in the
    result and the others are still sent.
    """
    import smtplib

    delivery = Delivery()
    smtp = _connect(settings)
    try:
        for index, (msg, recipients) in enumerate(outgoing):
            try:
                refused = smtp.send_message(
                    msg, from_addr=settings.sender.address, to_addrs=list(recipients)
                )
            except smtplib.SMTPRecipientsRefused as exc:
                delivery.failed.append((index, _refused(settings, exc.recipients)))
            except smtplib.SMTPSenderRefused as exc:
                delivery.failed.append(
                    (
                        index,
                        _by_code(
                            exc.smtp_code,
                            "err.smtp_temporary",
                            ConfigError,
                            "err.smtp_sender",
                            server=settings.server,
                            sender=settings.sender.address,
                            to=", ".join(recipients),
                            reply=_reply(exc.smtp_code, exc.smtp_error),
                        ),
                    )
                )
            except smtplib.SMTPServerDisconnected as exc:
                lost = _lost(settings, exc)
                delivery.failed += [(i, lost) for i in range(index, len(outgoing))]
                return delivery
            except smtplib.SMTPResponseException as exc:
                delivery.failed.append(
                    (
                        index,
                        _by_code(
                            exc.smtp_code,
                            "err.smtp_temporary",
                            DataError,
                            "err.smtp_rejected",
                            server=settings.server,
                            to=", ".join(recipients),
                            reply=_reply(exc.smtp_code, exc.smtp_error),
                        ),
                    )
                )
            else:
                if refused:
                    delivery.failed.append((index, _refused(settings, refused)))
                else:
                    delivery.sent.append(index)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return delivery


def _connect(settings: Settings) -> smtplib.SMTP:
    import smtplib
    import ssl

    context = ssl.create_default_context()
    server = settings.server
    smtp: smtplib.SMTP | None = None
    try:
        if settings.tls == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        smtp.ehlo()
        if settings.tls == "starttls":
            if not smtp.has_extn("starttls"):
                raise ConfigError("err.smtp_no_starttls", server=server)
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user is not None:
            _login(smtp, settings.user, settings.password or "")
        return smtp
    except KttnError:
        _close(smtp)
        raise
    except ssl.SSLCertVerificationError as exc:
        _close(smtp)
        raise ConfigError(
            "err.smtp_cert", server=server, reason=exc.verify_message or exc.reason
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        _close(smtp)
        reply = _reply(exc.smtp_code, exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            raise TemporaryFailure("err.smtp_unreachable", server=server, reason=reply) from None
        raise ConfigError("err.smtp_auth", server=server, user=settings.user, reply=reply) from None
    except smtplib.SMTPNotSupportedError:
        _close(smtp)
        raise ConfigError("err.smtp_no_auth", server=server) from None
    except smtplib.SMTPServerDisconnected as exc:
        _close(smtp)
        raise _lost(settings, exc) from None
    except smtplib.SMTPResponseException as exc:
        # A 4xx or 5xx greeting or EHLO: the server is not taking mail now.
        _close(smtp)
        raise TemporaryFailure(
            "err.smtp_unreachable", server=server, reason=_reply(exc.smtp_code, exc.smtp_error)
        ) from None
    except ssl.SSLError as exc:
        _close(smtp)
        raise TemporaryFailure(
            "err.smtp_tls", server=server, reason=exc.reason or str(exc)
        ) from None
    except TimeoutError:
        _close(smtp)
        raise TemporaryFailure(
            "err.smtp_timeout", server=server, seconds=f"{settings.timeout:g}"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        _close(smtp)
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise TemporaryFailure("err.smtp_unreachable", server=server, reason=reason) from None


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    import smtplib

    if (user + password).isascii():
        smtp.login(user, password)
        return
    # smtplib encodes credentials as ASCII and fails on "mật khẩu"; AUTH PLAIN carries
    # UTF-8 (RFC 4616), so send it by hand.
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        smtp.close()


def _lost(settings: Settings, exc: Exception) -> TemporaryFailure:
    # smtplib turns a read timeout into SMTPServerDisconnected; the cause tells.
    if isinstance(exc.__context__, TimeoutError):
        return TemporaryFailure(
            "err.smtp_timeout", server=settings.server, seconds=f"{settings.timeout:g}"
        )
    return TemporaryFailure(
        "err.smtp_lost", server=settings.server, reason=str(exc) or type(exc).__name__
    )


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return one_line(f"{code} {text}")


def _by_code(
    code: int, temporary_key: str, permanent: type[KttnError], permanent_key: str, **params: object
) -> KttnError:
    """4xx is worth retrying later (exit 75); anything else is not."""
    if 400 <= code < 500:
        return TemporaryFailure(temporary_key, **params)
    return permanent(permanent_key, **params)


def _refused(settings: Settings, recipients: Mapping[str, tuple[int, bytes]]) -> KttnError:
    codes = [code for code, _ in recipients.values()]
    worst = max(codes)
    reply = "; ".join(f"{addr}: {_reply(code, text)}" for addr, (code, text) in recipients.items())
    return _by_code(
        worst,
        "err.smtp_temporary",
        DataError,
        "err.smtp_rejected",
        server=settings.server,
        to=", ".join(recipients),
        reply=reply,
    )
