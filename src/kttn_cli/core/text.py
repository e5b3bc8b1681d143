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
