"""Sending over SMTP with verified TLS, and what each failure means for the next run.

Certificates are always verified (`ssl.create_default_context()`; SSL_CERT_FILE adds a
private CA): smtplib's `starttls()` and `SMTP_SSL()` would otherwise log in to anyone.
A login happens only after TLS is up (or on this machine without TLS). Each failure is
an exit code a cron job can act on: 75 when the next run may succeed (unreachable,
timed out, a 4xx answer), 78 when a setting must change first (a certificate, the TLS
mode, the login, the sender), 65 when the server rejects a message (5xx). The hints say
which setting, and never quote the password.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kttn_cli.core.text import one_line
from kttn_cli.errors import ConfigError, DataError, KttnError, TemporaryFailure, os_reason
from kttn_cli.i18n import N_
from kttn_cli.mail.settings import SmtpSettings

if TYPE_CHECKING:
    import smtplib
    import ssl
    from email.message import Message

# How long to wait when probing which TLS mode a server speaks (after a failure only).
PROBE_SECONDS = 5.0
# OpenSSL's verify codes (x509_vfy.h) that have a hint of their own.
HOST_MISMATCH = frozenset({62, 64})  # X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH
UNTRUSTED = frozenset({2, 18, 19, 20, 21})  # unknown or self-signed issuer
OUT_OF_DATE = frozenset({9, 10})  # not yet valid, expired

TRY_LATER = N_("cannot reach the SMTP server {server}: {reason}; try again later")
TIMED_OUT = N_("the SMTP server {server} did not answer within {seconds} seconds; try again later")
LOST = N_("lost the connection to the SMTP server {server}: {reason}; try again later")
DEFERRED = N_("the SMTP server {server} deferred the message to {to}: {reply}; try again later")
REJECTED = N_("the SMTP server {server} rejected the message to {to}: {reply}")


@dataclass(slots=True)
class Delivery:
    """What happened to each message of a batch, by index."""

    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, KttnError]] = field(default_factory=list)


def send(settings: SmtpSettings, outgoing: Sequence[tuple[Message, tuple[str, ...]]]) -> Delivery:
    """Send every message over one SMTP session, to exactly the envelope recipients
    given. A failure to connect, secure or log in raises at once (nothing was sent); a
    message the server refuses is recorded and the others still go."""
    import smtplib

    delivery = Delivery()
    smtp = connect(settings)
    try:
        for index, (msg, recipients) in enumerate(outgoing):
            try:
                refused = smtp.send_message(
                    msg, from_addr=settings.sender.address, to_addrs=list(recipients)
                )
            except smtplib.SMTPRecipientsRefused as exc:
                delivery.failed.append((index, _refused(settings, exc.recipients)))
            except smtplib.SMTPSenderRefused as exc:
                error = _sender_refused(settings, exc, recipients)
                if isinstance(error, ConfigError):
                    # The session's sender or TLS is refused: every message would be.
                    delivery.failed += [(i, error) for i in range(index, len(outgoing))]
                    return delivery
                delivery.failed.append((index, error))
            except smtplib.SMTPServerDisconnected as exc:
                lost = _lost(settings, exc)
                delivery.failed += [(i, lost) for i in range(index, len(outgoing))]
                return delivery
            except smtplib.SMTPResponseException as exc:
                reply = _reply(exc.smtp_code, exc.smtp_error)
                delivery.failed.append(
                    (index, _by_code(settings, exc.smtp_code, recipients, reply))
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


def errors(delivery: Delivery) -> list[KttnError]:
    """Each distinct failure once (a refused sender fails every message the same way)."""
    return list(dict.fromkeys(error for _, error in delivery.failed))


def failure(delivery: Delivery, total: int) -> KttnError | None:
    """The one error a run ends with: the failure that matters most (a setting to fix
    or a rejected message before a temporary failure), counted when there are several."""
    distinct = errors(delivery)
    if not distinct:
        return None
    worst = next((e for e in distinct if not isinstance(e, TemporaryFailure)), distinct[0])
    if len(distinct) == 1:
        return worst
    return type(worst)(
        N_("{failed} of {total} messages were not sent; first error: {first}"),
        failed=len(delivery.failed),
        total=total,
        first=worst.phrase,
    )


# --- connecting -----------------------------------------------------------------------


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """A session ready to send: connected, TLS up and verified, logged in if asked."""
    import smtplib
    import ssl

    context = ssl.create_default_context()
    server = settings.server
    smtp: smtplib.SMTP | None = None
    try:
        smtp = _open(settings, context)
        smtp.ehlo()
        if settings.tls == "starttls":
            if not smtp.has_extn("starttls"):
                raise ConfigError(
                    N_(
                        "the SMTP server {server} does not offer STARTTLS; if it speaks TLS "
                        "from the start (usually port 465), set {advice}; if it is a relay "
                        "on this machine that takes plain text, set {plain}"
                    ),
                    server=server,
                    advice=settings.origin("smtp_tls").advice("ssl"),
                    plain=settings.origin("smtp_tls").advice("none"),
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user is not None:
            _login(smtp, settings)
        return smtp
    except KttnError:
        _close(smtp)
        raise
    except ssl.SSLCertVerificationError as exc:
        _close(smtp)
        raise _certificate_error(settings, exc) from None
    except smtplib.SMTPAuthenticationError as exc:
        _close(smtp)
        reply = _reply(exc.smtp_code, exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            raise TemporaryFailure(
                N_(
                    "the SMTP server {server} could not check the login now: {reply}; "
                    "try again later"
                ),
                server=server,
                reply=reply,
            ) from None
        raise ConfigError(
            N_(
                "the SMTP server {server} refused the login of {user}: {reply}; check "
                "{user_setting} and the password"
            ),
            server=server,
            user=settings.user,
            reply=reply,
            user_setting=settings.origin("smtp_user").setting(),
        ) from None
    except smtplib.SMTPNotSupportedError:
        offers_starttls = smtp is not None and smtp.has_extn("starttls")
        _close(smtp)
        if settings.tls == "none" and offers_starttls:
            raise ConfigError(
                N_("the SMTP server {server} offers a login only over TLS: set {advice}"),
                server=server,
                advice=settings.origin("smtp_tls").advice("starttls"),
            ) from None
        raise ConfigError(
            N_(
                "the SMTP server {server} offers no login (no AUTH); if it needs none, "
                "unset {user_setting}"
            ),
            server=server,
            user_setting=settings.origin("smtp_user").setting(),
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        _close(smtp)
        raise _lost(settings, exc) from None
    except smtplib.SMTPResponseException as exc:
        # A 4xx or 5xx greeting or answer to EHLO or STARTTLS.
        _close(smtp)
        reply = _reply(exc.smtp_code, exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            raise TemporaryFailure(
                N_("the SMTP server {server} is not taking mail now: {reply}; try again later"),
                server=server,
                reply=reply,
            ) from None
        raise ConfigError(
            N_("the SMTP server {server} refuses this connection: {reply}"),
            server=server,
            reply=reply,
        ) from None
    except ssl.SSLError as exc:
        _close(smtp)
        raise _tls_error(settings, exc) from None
    except TimeoutError:
        _close(smtp)
        raise TemporaryFailure(TIMED_OUT, server=server, seconds=f"{settings.timeout:g}") from None
    except (smtplib.SMTPException, OSError) as exc:
        _close(smtp)
        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc) or type(exc).__name__
        raise TemporaryFailure(TRY_LATER, server=server, reason=reason) from None


def _open(settings: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    """The connection and the server's greeting, in the TLS mode of the settings.

    A mode that does not match the port fails in a way that looks temporary — a plain
    client on a TLS port waits for a greeting that never comes; a TLS client on a plain
    port gets a "wrong version" — but no retry can help: the server is probed once in
    the other mode, and a match is a setting to change (exit 78).
    """
    import smtplib
    import ssl

    if settings.tls == "ssl":
        try:
            return smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        except ssl.SSLCertVerificationError:
            raise
        except ssl.SSLError:
            if _greets_in_plain_text(settings):
                raise _wrong_mode(settings, wants="starttls") from None
            raise
    try:
        return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except smtplib.SMTPServerDisconnected:
        # Connected, but no greeting: perhaps the server waits for a TLS handshake.
        if _speaks_tls(settings):
            raise _wrong_mode(settings, wants="ssl") from None
        raise


def _wrong_mode(settings: SmtpSettings, wants: str) -> ConfigError:
    advice = settings.origin("smtp_tls").advice(wants)
    if wants == "ssl":
        return ConfigError(
            N_(
                "the SMTP server {server} speaks TLS from the start (it answered a TLS "
                "handshake, not with a greeting): set {advice}"
            ),
            server=settings.server,
            advice=advice,
        )
    return ConfigError(
        N_(
            "the SMTP server {server} does not speak TLS from the start (it greeted in "
            "plain text): set {advice}; if it is a relay on this machine that takes plain "
            "text, set {plain}"
        ),
        server=settings.server,
        advice=advice,
        plain=settings.origin("smtp_tls").advice("none"),
    )


def _speaks_tls(settings: SmtpSettings) -> bool:
    """Whether the server answers a TLS handshake (nothing is sent over it)."""
    import socket
    import ssl

    seconds = min(settings.timeout, PROBE_SECONDS)
    context = ssl.create_default_context()
    try:
        with (
            socket.create_connection((settings.host, settings.port), timeout=seconds) as sock,
            context.wrap_socket(sock, server_hostname=settings.host),
        ):
            return True
    except ssl.SSLCertVerificationError:
        return True  # a certificate came back: it speaks TLS
    except (OSError, ValueError):
        return False


def _greets_in_plain_text(settings: SmtpSettings) -> bool:
    """Whether the server greets in plain text (`220 …`) as soon as one connects."""
    import socket

    seconds = min(settings.timeout, PROBE_SECONDS)
    try:
        with socket.create_connection((settings.host, settings.port), timeout=seconds) as sock:
            first = sock.recv(4)
    except OSError:
        return False
    return len(first) >= 3 and first[:3].isdigit()


def _certificate_error(settings: SmtpSettings, exc: ssl.SSLCertVerificationError) -> ConfigError:
    server = settings.server
    reason = exc.verify_message or exc.reason or str(exc)
    if exc.verify_code in HOST_MISMATCH:
        return ConfigError(
            N_(
                "the certificate of the SMTP server {server} is for another host name "
                "({reason}): set {host_setting} to a name the certificate is for; nothing "
                "was sent"
            ),
            server=server,
            reason=reason,
            host_setting=settings.origin("smtp_host").setting(),
        )
    if exc.verify_code in UNTRUSTED:
        return ConfigError(
            N_(
                "the certificate of the SMTP server {server} is not signed by an authority "
                "this machine trusts ({reason}); for a private CA, set SSL_CERT_FILE to its "
                "certificate file; nothing was sent"
            ),
            server=server,
            reason=reason,
        )
    if exc.verify_code in OUT_OF_DATE:
        return ConfigError(
            N_(
                "the certificate of the SMTP server {server} is outside its validity dates "
                "({reason}); check the server's certificate and this machine's clock; "
                "nothing was sent"
            ),
            server=server,
            reason=reason,
        )
    return ConfigError(
        N_(
            "the certificate of the SMTP server {server} cannot be verified ({reason}); "
            "nothing was sent"
        ),
        server=server,
        reason=reason,
    )


def _tls_error(settings: SmtpSettings, exc: ssl.SSLError) -> KttnError:
    """A TLS failure that is not about the certificate: a connection cut during the
    handshake may pass (75); a protocol the two sides do not share will not (78)."""
    import ssl

    reason = exc.reason or str(exc)
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError | ssl.SSLSyscallError):
        return TemporaryFailure(LOST, server=settings.server, reason=reason)
    return ConfigError(
        N_("TLS with the SMTP server {server} failed: {reason}"),
        server=settings.server,
        reason=reason,
    )


def _login(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    import smtplib

    user = settings.user or ""
    password = settings.password or ""
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    if (user + password).isascii():
        if not {"CRAM-MD5", "PLAIN", "LOGIN"} & set(offered):
            raise ConfigError(
                N_(
                    "the SMTP server {server} offers no login method kttn knows ({methods}); "
                    "kttn uses PLAIN, LOGIN or CRAM-MD5"
                ),
                server=settings.server,
                methods=" ".join(offered),
            )
        smtp.login(user, password)
        return
    # smtplib encodes credentials as ASCII and fails on "mật khẩu"; AUTH PLAIN carries
    # UTF-8 (RFC 4616), so send it by hand.
    if "PLAIN" not in offered:
        raise ConfigError(
            N_(
                "the SMTP server {server} does not offer AUTH PLAIN, the only way to send a "
                "login name or password that is not ASCII"
            ),
            server=settings.server,
        )
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        smtp.close()


# --- what a refusal means ---------------------------------------------------------------


def _lost(settings: SmtpSettings, exc: Exception) -> TemporaryFailure:
    # smtplib turns a read timeout into SMTPServerDisconnected; the cause tells.
    if isinstance(exc.__context__, TimeoutError):
        return TemporaryFailure(TIMED_OUT, server=settings.server, seconds=f"{settings.timeout:g}")
    return TemporaryFailure(LOST, server=settings.server, reason=str(exc) or type(exc).__name__)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return one_line(f"{code} {text}")


def _requires_tls(code: int, reply: str) -> bool:
    """RFC 3207's 530 "Must issue a STARTTLS command first" (530 also means "login
    first", RFC 4954: the words tell them apart)."""
    text = reply.lower()
    return code == 530 and ("starttls" in text or "tls" in text.replace(".", " ").split())


def _sender_refused(
    settings: SmtpSettings, exc: smtplib.SMTPSenderRefused, recipients: tuple[str, ...]
) -> KttnError:
    """MAIL FROM refused: it is about this session or its settings, not this message."""
    code = exc.smtp_code
    reply = _reply(code, exc.smtp_error)
    server = settings.server
    if _requires_tls(code, reply):
        return ConfigError(
            N_("the SMTP server {server} accepts mail only over TLS ({reply}): set {advice}"),
            server=server,
            reply=reply,
            advice=settings.origin("smtp_tls").advice("starttls"),
        )
    if code == 530:
        # RFC 4954: 530 5.7.0 Authentication required.
        return ConfigError(
            N_(
                "the SMTP server {server} requires a login ({reply}): set KTTN_SMTP_USER "
                "and KTTN_SMTP_PASSWORD_FILE (or user and password_file in the [smtp] table)"
            ),
            server=server,
            reply=reply,
        )
    if 400 <= code < 500:
        return TemporaryFailure(DEFERRED, server=server, to=", ".join(recipients), reply=reply)
    return ConfigError(
        N_("the SMTP server {server} refused the sender {sender}: {reply}; check {setting}"),
        server=server,
        sender=settings.sender.address,
        reply=reply,
        setting=settings.origin("smtp_sender").setting(),
    )


def _by_code(settings: SmtpSettings, code: int, recipients: Sequence[str], reply: str) -> KttnError:
    """4xx is worth retrying later (75); a 5xx rejection of the message is not (65)."""
    if _requires_tls(code, reply):
        return ConfigError(
            N_("the SMTP server {server} accepts mail only over TLS ({reply}): set {advice}"),
            server=settings.server,
            reply=reply,
            advice=settings.origin("smtp_tls").advice("starttls"),
        )
    to = ", ".join(recipients)
    if 400 <= code < 500:
        return TemporaryFailure(DEFERRED, server=settings.server, to=to, reply=reply)
    return DataError(REJECTED, server=settings.server, to=to, reply=reply)


def _refused(settings: SmtpSettings, recipients: Mapping[str, tuple[int, bytes]]) -> KttnError:
    worst = max(code for code, _ in recipients.values())
    reply = "; ".join(f"{addr}: {_reply(code, text)}" for addr, (code, text) in recipients.items())
    return _by_code(settings, worst, list(recipients), reply)
