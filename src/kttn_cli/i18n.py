"""Everything kttn says to people, through gettext (docs/architecture.md, "Language").

Code writes each sentence once, in English, inside `_()` (or `n_()` for counts, `N_()` to
mark a sentence translated later, e.g. an error's). The Vietnamese lives in the catalog
`locale/vi/LC_MESSAGES/kttn.po`, a file a translator opens in Poedit; the build compiles
it to `kttn.mo` with Babel (`hatch_build.py`), and `scripts/catalog.py` brings new
sentences into it. Vietnamese is the default; English is the catalog's source text.

The language is chosen once per run, before the command line is parsed (help pages are
in it too), by `use()`; storage and core never ask for it.
"""

from __future__ import annotations

import gettext
import os
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"
DOMAIN = "kttn"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")

_current: gettext.NullTranslations = gettext.NullTranslations()
_lang: Lang = "en"


def use(lang: Lang) -> None:
    """Speak `lang` from now on. English is the source text and needs no catalog."""
    global _current, _lang
    _lang = lang
    if lang == "en":
        _current = gettext.NullTranslations()
        return
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def language() -> Lang:
    return _lang


def catalog_installed(lang: Lang) -> bool:
    """Whether the compiled catalog of `lang` is where gettext looks for it."""
    return lang == "en" or gettext.find(DOMAIN, LOCALE_DIR, languages=[lang]) is not None


def parse_lang(value: str) -> Lang | None:
    """`vi`, `en`, and locale names such as `vi_VN.UTF-8` or `en-US`; None otherwise."""
    text = value.strip().lower()
    for lang in LANGS:
        if text == lang or text.startswith((f"{lang}_", f"{lang}-", f"{lang}.")):
            return lang
    return None


def _(message: str) -> str:
    """`message` (English source text) in the language in use."""
    return _current.gettext(message)


def n_(singular: str, plural: str, count: int) -> str:
    """The form of a message about `count` things (Vietnamese has one form)."""
    return _current.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it now (it is translated
    where it is shown, e.g. an error's message at the error boundary)."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message about a count for the catalog; `n_` translates it when shown."""
    return singular, plural
