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
