"""The e-mail addresses kttn accepts, and how they are written into a header.

A mailbox is `name@domain` or `Tên hiển thị <name@domain>` (the name quoted when it
holds a comma). The address part is checked strictly — ASCII, no spaces, quotes, commas,
angle brackets or control characters — so nothing a person or a file gives can add a
header or a recipient; the name may be any one line of text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kttn_cli.core.text import one_line

# An addr-spec kttn is willing to put in an envelope and a header.
ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
# `Name <addr>` or `"Name, with comma" <addr>` or `<addr>`.
_NAMED = re.compile(r'(?:"(?P<quoted>[^"]*)"|(?P<plain>[^"<>]*?))\s*<(?P<address>[^<>]*)>')
# What an unquoted name may not hold: it would read as a second address or a group.
_SPECIALS = frozenset(',;:<>@"\\()[]')


@dataclass(frozen=True, slots=True)
class Mailbox:
    """An address, with the name people see (may be empty)."""

    address: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def __str__(self) -> str:
        """`Tên <addr>` as people read it (not encoded: see `header_value`); a name with
        a comma or another special character is quoted, as in the header, so that a
        list of mailboxes reads unambiguously."""
        if not self.name:
            return self.address
        if any(c in self.name for c in _SPECIALS):
            escaped = self.name.replace("\\", "\\\\").replace('"', '\\"')
            return f'"{escaped}" <{self.address}>'
        return f"{self.name} <{self.address}>"


def is_address(text: str) -> bool:
    """True for a plain `name@domain` address that is safe in headers and envelopes."""
    return ADDRESS.fullmatch(text) is not None


def _has_control(text: str) -> bool:
    # CR, LF, tab, NUL, the Unicode line separators, format characters (bidi controls).
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def parse_mailbox(text: str) -> Mailbox | None:
    """One mailbox, or None when `text` is not exactly one acceptable mailbox."""
    text = unicodedata.normalize("NFC", text).strip()
    if not text or _has_control(text):
        return None
    if "<" not in text and ">" not in text:
        return Mailbox(text) if is_address(text) else None
    match = _NAMED.fullmatch(text)
    if match is None or not is_address(match["address"].strip()):
        return None
    quoted = match["quoted"]
    if quoted is None and _SPECIALS & set(match["plain"]):
        return None
    name = one_line(quoted if quoted is not None else match["plain"])
    return Mailbox(match["address"].strip(), name)


def split_mailboxes(text: str) -> list[str]:
    """`a@x, "B, C" <b@y>` → `['a@x', '"B, C" <b@y>']`: commas outside quotes and angle
    brackets separate mailboxes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for ch in text:
        if ch == '"' and not angled:
            quoted = not quoted
        elif ch == "<" and not quoted:
            angled = True
        elif ch == ">" and not quoted:
            angled = False
        if ch == "," and not quoted and not angled:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_mailboxes(text: str) -> tuple[list[Mailbox], list[str]]:
    """The mailboxes of a comma-separated list, and the parts that are not one."""
    good: list[Mailbox] = []
    bad: list[str] = []
    for part in split_mailboxes(text):
        mailbox = parse_mailbox(part)
        if mailbox is None:
            bad.append(part)
        else:
            good.append(mailbox)
    return good, bad


def unique(mailboxes: list[Mailbox]) -> tuple[Mailbox, ...]:
    """Each address once (the first name given for it wins), in order."""
    seen: dict[str, Mailbox] = {}
    for mailbox in mailboxes:
        seen.setdefault(mailbox.address.lower(), mailbox)
    return tuple(seen.values())


def header_value(mailbox: Mailbox) -> str:
    """The mailbox as it goes into From or To: the name whole, never shortened.

    A non-ASCII name becomes one RFC 2047 encoded word (`email.utils.formataddr`'s
    compat32 path). Python 3.11's newer header folder drops the space between words
    when it splits a long Vietnamese name, and Python's
    own parser keeps, where RFC 2047 readers drop, the space between two encoded words
    of a display name: a single word is the one form every reader decodes alike
    (tests/test_mail_headers.py checks three). An ASCII name that could be read as
    encoded words itself is encoded too.
    """
    from email.charset import Charset
    from email.utils import formataddr

    if not mailbox.name:
        return mailbox.address
    if mailbox.name.isascii() and "=?" not in mailbox.name:
        return formataddr((mailbox.name, mailbox.address))
    encoded = Charset("utf-8").header_encode(mailbox.name)
    return f"{encoded} <{mailbox.address}>"
