"""Vietnamese text: normalisation and diacritic-free matching keys."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC: the same name typed with different keyboards is equal."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Return a matching key: lower case, no diacritics, single spaces.

    `đ`/`Đ` have no decomposition under NFD, so they are mapped to `d` by hand before the
    combining marks are dropped.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def one_line(text: str) -> str:
    """Return `text` as one clean line: NFC, and every control character, line or
    paragraph separator (CR, LF, VT, U+2028, …) and run of spaces made a single space.

    Text from a file goes through this before it reaches a mail header, a calendar
    property or any other place where a line break would start something new.
    """
    cleaned = "".join(
        " " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in nfc(text)
    )
    return " ".join(cleaned.split())


# Characters that reorder or hide text on a terminal (bidirectional overrides and
# isolates, the marks that steer them): shown as their code, never obeyed.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """`text` safe to show on a terminal: control characters (ESC and the rest of C0
    and C1, DEL) and bidirectional controls written as `\\x1b`, `\\u202e`, so a
    reference or a note can neither move the cursor, recolour the screen nor reverse
    the text after it. Line breaks stay when `keep_newlines`."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif ch in _BIDI or ch in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
