"""One message catalog (docs/architecture.md, "Language"): every sentence translated, the
same placeholders in both languages, and no English word in a Vietnamese help page or
error (nor Vietnamese prose in an English one)."""

from __future__ import annotations

import re
import string
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from helpers import ROOT, kttn

CATALOG = ROOT / "src" / "kttn_cli" / "locale" / "vi" / "LC_MESSAGES" / "kttn.po"
WORD = re.compile(r"[A-Za-zÀ-ỹĐđ]+")
# A letter outside ASCII (× and other symbols are not letters).
VIETNAMESE_LETTER = re.compile(r"(?:(?![\x00-\x7f])[^\W\d_])")


def _catalog():  # type: ignore[no-untyped-def]
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="vi")


def _fields(template: str) -> set[str]:
    return {
        f"{name}!{conv}" if conv else name
        for _, name, _, conv in string.Formatter().parse(template)
        if name is not None
    }


def test_the_catalog_is_up_to_date_with_the_code() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/catalog.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_every_message_is_translated_with_the_same_placeholders() -> None:
    problems = []
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        for translated in strings:
            for source in ids:
                if "{" in source and _fields(source) - {"count", "days"} != _fields(translated) - {
                    "count",
                    "days",
                }:
                    problems.append(f"placeholders differ: {source!r} / {translated!r}")
    assert not problems, "\n".join(problems)


def test_the_installed_catalog_is_the_compiled_po() -> None:
    from io import BytesIO

    from babel.messages.mofile import write_mo

    compiled = BytesIO()
    write_mo(compiled, _catalog(), use_fuzzy=False)
    installed = CATALOG.with_suffix(".mo")
    assert installed.exists(), "kttn.mo is missing: pip install -e . (the build compiles it)"
    assert installed.read_bytes() == compiled.getvalue(), "kttn.mo is stale: run scripts/catalog.py"


def test_no_message_is_hidden_from_the_catalog_in_an_f_string() -> None:
    """Babel cannot see `_()` inside f-string braces: such a sentence would stay English."""
    found = []
    for path in (ROOT / "src").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\{\s*n?_\(", line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


# --- no English in Vietnamese pages ----------------------------------------------------


def _vocabularies() -> tuple[set[str], set[str]]:
    """Words of the English source text, and words of the Vietnamese translations."""
    english: set[str] = set()
    vietnamese: set[str] = set()
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            english |= {w.lower() for w in WORD.findall(_strip_code(text))}
        for text in strings:
            vietnamese |= {w.lower() for w in WORD.findall(text)}
    return english, vietnamese


def _strip_code(text: str) -> str:
    """Without what is not prose: `code`, {placeholders}, options, ids, env variables."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"(?<!\w)-{1,2}[a-z][a-z-]*", " ", text)
    text = re.sub(r"\b[A-Z][A-Z0-9_]{2,}\b", " ", text)  # KTTN_PLAN, YYYY, SMTP, CSV
    return text


# Words that are English in the source text and also the same word in the Vietnamese
# pages: names and codes of things (formats, programs, protocols, the Civil Code).
ALLOWED = {
    "kttn",
    "vi",
    "en",
    "json",
    "csv",
    "ics",
    "plain",
    "table",
    "xlsx",
    "docx",
    "excel",
    "windows",
    "icalendar",
    "schema",
    "smtp",
    "tls",
    "utf",
    "toml",
    "poedit",
    "tab",
    "cron",
    "id",
    "ids",
    "bom",
    "crlf",
    "ascii",
    "starttls",
    "ssl",
    "none",
    "true",
    "false",
    "ad",
    "hoc",
}


def _typed_words() -> set[str]:
    """What people type: command names and the values of options with fixed choices."""
    from kttn_cli.cli.parser import all_commands

    words: set[str] = set()
    for command in all_commands():
        words |= set(command.path.split())
        for param in command.params:
            for choice in param.choices:
                words |= {w.lower() for w in WORD.findall(choice)}
    return words


def _english_words(text: str, english: set[str], vietnamese: set[str]) -> list[str]:
    prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("kttn "))
    prose = re.sub(r"'[^']*'", " ", prose)  # what the person typed, quoted back
    words = {w.lower() for w in WORD.findall(_strip_code(prose))}
    allowed = ALLOWED | _typed_words()
    return sorted(w for w in words if w in english and w not in vietnamese and w not in allowed)


def _commands() -> list[str]:
    from kttn_cli.cli.parser import all_commands

    return [c.path for c in all_commands()]


@pytest.mark.parametrize("args", [(), ("--help",), ("task",)])
def test_root_help_is_vietnamese(args: tuple[str, ...]) -> None:
    english, vietnamese = _vocabularies()
    result = kttn(*args)
    assert result.code == 0, result
    assert not _english_words(result.out, english, vietnamese), result.out


def test_every_help_page_is_vietnamese_by_default_and_english_on_request() -> None:
    english, vietnamese = _vocabularies()
    for command in _commands():
        page = kttn(*command.split(), "--help")
        assert page.code == 0, page
        found = _english_words(page.out, english, vietnamese)
        assert not found, f"kttn {command} --help: English words {found}\n{page.out}"
        assert not re.search(r"<(bool|str|int)>|\bTEXT\b|\bINTEGER\b", page.out), page.out
        english_page = kttn(*command.split(), "--help", "--lang", "en").out
        prose = [
            line
            for line in english_page.splitlines()
            if not line.lstrip().startswith("kttn ") and VIETNAMESE_LETTER.search(line)
        ]
        # Vietnamese may appear in English pages only as the plan's own terms.
        terms = (
            "gia hạn",
            "nhiệm vụ đột xuất",
            "Nơi nhận",
            "Hưng Yên",
            "BCĐ",
            "đôn đốc",
            "Kim Động",
        )
        stray = [line for line in prose if not any(term in line for term in terms)]
        assert not stray, f"kttn {command} --help --lang en:\n" + "\n".join(stray)


@pytest.mark.parametrize(
    "args",
    [
        ("submit",),
        ("submit", "III.2-bc-6-thang"),
        ("status", "--bogus"),
        ("status", "--unit"),
        ("upcoming", "--days", "x"),
        ("status", "--status", "late,nonsense"),
        ("stat",),
        ("status", "extra"),
        ("export", "--format", "pdf"),
        ("submit", "III.2-bc-6-thang", "van-lam", "--on", "31/02/2024"),
        ("show", "nothing-like-this"),
        ("show", "bao cao"),
    ],
)
def test_usage_errors_are_vietnamese_and_exit_2(args: tuple[str, ...]) -> None:
    english, vietnamese = _vocabularies()
    result = kttn(*args)
    assert result.code == 2, result
    assert result.out == "", result
    assert result.err.startswith("kttn: "), result
    found = _english_words(result.err, english, vietnamese)
    assert not found, f"{found}: {result.err}"
    english_run = kttn(*args, "--lang", "en")
    # Quoted input and the plan's own names (in parentheses) may be Vietnamese.
    prose = re.sub(r"'[^']*'|\([^)]*\)", "", english_run.err)
    assert english_run.code == 2 and not VIETNAMESE_LETTER.search(prose), english_run
