"""The SMTP settings in force, checked once (exit 78 naming the one that is wrong).

Each setting comes from the environment or from the `[smtp]` table of the settings file
(the CLI resolves which, `kttn config` shows it); the password only from the
environment or a file that holds it, never from the command line or the settings file,
so it shows up neither in `ps`, in shell history nor in `kttn config`, and no message
ever quotes it.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from kttn_cli.errors import ConfigError, Phrase, os_reason
from kttn_cli.i18n import N_
from kttn_cli.mail.addresses import Mailbox, parse_mailbox

Tls = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 86400.0
MAX_PASSWORD_BYTES = 4096

# Each setting's environment variable and key in the `[smtp]` table, to name it in
# messages (cli/settings.py declares them; these are the same names).
NAMES: dict[str, tuple[str, str | None]] = {
    "smtp_host": ("KTTN_SMTP_HOST", "host"),
    "smtp_port": ("KTTN_SMTP_PORT", "port"),
    "smtp_tls": ("KTTN_SMTP_TLS", "tls"),
    "smtp_user": ("KTTN_SMTP_USER", "user"),
    "smtp_password_file": ("KTTN_SMTP_PASSWORD_FILE", "password_file"),
    "smtp_password": ("KTTN_SMTP_PASSWORD", None),
    "smtp_timeout": ("KTTN_SMTP_TIMEOUT", "timeout"),
    "smtp_sender": ("KTTN_MAIL_FROM", "from"),
}


class Found(Protocol):
    """One setting's value and where it came from (`cli.settings.Value`)."""

    @property
    def value(self) -> Any: ...

    @property
    def source(self) -> str: ...  # "option", "env", "file" or "default"

    @property
    def where(self) -> str: ...  # the variable, or FILE:LINE


Lookup = Callable[[str], Found]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a setting in force came from, to say how to change it."""

    name: str
    source: str = "default"
    where: str = ""

    def advice(self, value: str) -> Phrase | str:
        """`KTTN_SMTP_TLS=starttls`, or the settings file's key when the value is there."""
        env, key = NAMES[self.name]
        if self.source == "file" and key is not None:
            return Phrase(
                N_('{key} = "{value}" in the [smtp] table of {file}'),
                key=key,
                value=value,
                file=self.where.rpartition(":")[0] or self.where,
            )
        return f"{env}={value}"

    def setting(self) -> Phrase | str:
        """`KTTN_SMTP_HOST`, or the settings file's key when the value is there."""
        env, key = NAMES[self.name]
        if self.source == "file" and key is not None:
            return Phrase(
                N_("{key} in the [smtp] table of {file}"),
                key=key,
                file=self.where.rpartition(":")[0] or self.where,
            )
        return env


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the SMTP server, and who sends."""

    host: str
    port: int
    tls: Tls
    sender: Mailbox
    timeout: float = DEFAULT_TIMEOUT
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    origins: Mapping[str, Origin] = field(default_factory=dict, repr=False)

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def origin(self, name: str) -> Origin:
        return self.origins.get(name) or Origin(name)


def _origin(name: str, found: Found) -> Origin:
    return Origin(name, found.source, found.where if found.source != "default" else "")


def _text(found: Found) -> str:
    return "" if found.value is None else str(found.value).strip()


def bad_setting(name: str, found: Found, value: object, hint: Phrase) -> ConfigError:
    """A value that cannot be used, named by where it came from (exit 78)."""
    env, key = NAMES[name]
    if found.source == "file" and key is not None:
        return ConfigError(
            N_("{where}: invalid {key} {value!r} in the [smtp] table: {hint}"),
            where=found.where,
            key=key,
            value=value,
            hint=hint,
        )
    return ConfigError(
        N_("invalid {name}={value!r}: {hint}"), name=found.where or env, value=value, hint=hint
    )


def missing(name: str) -> ConfigError:
    env, key = NAMES[name]
    return ConfigError(
        N_(
            "{name} is not set (nor {key} in the [smtp] table of the settings file); "
            "sending reminders needs it"
        ),
        name=env,
        key=key,
    )


def sender_setting(lookup: Lookup) -> Mailbox | None:
    """KTTN_MAIL_FROM (or `from` in `[smtp]`): `name@domain` or `Tên <name@domain>`,
    the name kept whole; None when it is not set."""
    found = lookup("smtp_sender")
    text = _text(found)
    if not text:
        return None
    mailbox = parse_mailbox(str(found.value))
    if mailbox is None:
        raise bad_setting(
            "smtp_sender", found, found.value, Phrase(N_("use name@domain or Name <name@domain>"))
        )
    return mailbox


def smtp_settings(lookup: Lookup) -> SmtpSettings:
    """Every SMTP setting, checked; exit 78 naming the first one missing or wrong."""
    origins: dict[str, Origin] = {}

    def get(name: str) -> Found:
        found = lookup(name)
        origins[name] = _origin(name, found)
        return found

    host_found = get("smtp_host")
    host = _text(host_found)
    if not host:
        raise missing("smtp_host")
    if any(ch.isspace() or not ch.isprintable() for ch in host):
        raise bad_setting(
            "smtp_host",
            host_found,
            host_found.value,
            Phrase(N_("use a host name or an IP address")),
        )
    tls = _tls(get("smtp_tls"), host)
    port = _port(get("smtp_port"), DEFAULT_PORTS[tls])
    timeout = _timeout(get("smtp_timeout"))
    sender = sender_setting(get)
    if sender is None:
        raise missing("smtp_sender")
    user_found = get("smtp_user")
    user = _text(user_found) or None
    if user is not None and not user.isprintable():
        raise bad_setting("smtp_user", user_found, user, Phrase(N_("use the login name")))
    password = _password(get("smtp_password"), get("smtp_password_file"))
    if password is not None and user is None:
        raise ConfigError(
            N_(
                "an SMTP password is set but no login name: set KTTN_SMTP_USER (or user in "
                "the [smtp] table of the settings file)"
            )
        )
    return SmtpSettings(host, port, tls, sender, timeout, user, password, origins)


def _tls(found: Found, host: str) -> Tls:
    text = _text(found).lower() or "starttls"
    if text not in DEFAULT_PORTS:
        raise bad_setting("smtp_tls", found, found.value, Phrase(N_("use starttls, ssl or none")))
    if text == "none" and not is_local(host):
        raise bad_setting(
            "smtp_tls",
            found,
            found.value,
            Phrase(
                N_(
                    "none is only for an SMTP server on this machine (localhost), not {host}: "
                    "mail and password would cross the network unencrypted"
                ),
                host=host,
            ),
        )
    tls: Tls = "ssl" if text == "ssl" else "none" if text == "none" else "starttls"
    return tls


def _port(found: Found, default: int) -> int:
    text = _text(found)
    if not text:
        return default
    port = int(text) if text.isascii() and text.isdigit() else 0
    if not 0 < port < 65536:
        raise bad_setting("smtp_port", found, found.value, Phrase(N_("use a port number 1–65535")))
    return port


def _timeout(found: Found) -> float:
    text = _text(found)
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan and inf
        raise bad_setting(
            "smtp_timeout",
            found,
            found.value,
            Phrase(N_("use a number of seconds above 0, at most 86400")),
        )
    return seconds


def _password(direct: Found, file: Found) -> str | None:
    password = None if direct.value in (None, "") else str(direct.value)
    path_text = _text(file)
    if not path_text:
        return password
    if password is not None:
        raise ConfigError(
            N_("both KTTN_SMTP_PASSWORD and a password file ({where}) are set; keep one"),
            where=file.where or "KTTN_SMTP_PASSWORD_FILE",
        )
    path = Path(path_text).expanduser().absolute()
    try:
        return read_secret(path)
    except (OSError, Unusable) as exc:
        reason = exc.reason if isinstance(exc, Unusable) else os_reason(exc)
        raise ConfigError(
            N_("cannot read the SMTP password file {path} ({where}): {reason}"),
            path=path,
            where=file.where or "KTTN_SMTP_PASSWORD_FILE",
            reason=reason,
        ) from None


class Unusable(Exception):
    """A password file that was read but cannot serve."""

    def __init__(self, reason: Phrase) -> None:
        super().__init__(str(reason.message))
        self.reason = reason


def read_secret(path: Path) -> str:
    """The first line of a small regular UTF-8 file, without its line end. A FIFO or a
    device is refused, never waited on."""
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait for ever.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unusable(Phrase(N_("not a regular file")))
        data = os.read(fd, MAX_PASSWORD_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_PASSWORD_BYTES:
        raise Unusable(Phrase(N_("longer than {limit} bytes"), limit=MAX_PASSWORD_BYTES))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unusable(Phrase(N_("not UTF-8"))) from None
    return text.split("\n", 1)[0].rstrip("\r")


def is_local(host: str) -> bool:
    """localhost, or a loopback address: mail to it never crosses a network."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
