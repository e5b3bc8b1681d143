"""A memo of command lines Typer has read: the same arguments give the same parse.

Typer (with pydantic for its value conversion) is most of a command's start-up. When a
command line has the shape of one that a Typer-parsed run of this very kttn has read
before, the memo gives back that run's result — which command, which values — and the
command runs without importing Typer (docs/architecture.md, "Speed").

It is not a second grammar: nothing here reads arguments, it only compares them with a
stored list. Every word must be equal, except the *free words*: a word that the
recorded parse handed, unchanged, to exactly one text parameter (a milestone, a unit, a
date, a document number — kttn checks those itself, after parsing). A new line may put
other text there, as long as that text cannot be read as an option (it does not start
with "-"): the parser decides what a word is by its place among the options, never by
its content, so `submit M1 U1 --on D1` and `submit M2 U2 --on D2` parse alike. A word
is free only when nothing else explains it: it occurs once in the line, it comes after
the command's name, and no other parameter (a default, a choice, a flag) has that value.

Parsing depends on the arguments alone (kttn reads the environment itself, after
parsing), so the key is the argument list and kttn's package fingerprint. Best effort,
like every cache: any failure is a miss.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kttn_cli.storage.cache_file import open_regular

if TYPE_CHECKING:
    from kttn_cli.cli.spec import Command

FORMAT = 2
MAX_ENTRIES = 64

# In an entry's word list, a free word is stored as [parameter name, index in its list
# or -1]; every other word as itself (a string).
Slot = list[Any]


def _file(cache_dir: Path) -> Path:
    return cache_dir / "memo.json"


def lookup(cache_dir: Path, argv: list[str], fingerprint: str) -> tuple[str, dict[str, Any]] | None:
    try:
        with open_regular(str(_file(cache_dir))) as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            return None
        for words, path, values in data["entries"]:
            found = _match(words, values, argv)
            if found is not None:
                return str(path), found
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return None


def _match(words: list[Any], values: dict[str, Any], argv: list[str]) -> dict[str, Any] | None:
    """The recorded values with argv's free words put in, or None if argv differs."""
    if len(words) != len(argv):
        return None
    for word, given in zip(words, argv, strict=True):
        if isinstance(word, str):
            if word != given:
                return None
        elif given.startswith("-"):
            return None  # it could be read as an option: only the parser may say
    found = {k: list(v) if isinstance(v, list) else v for k, v in values.items()}
    for word, given in zip(words, argv, strict=True):
        if not isinstance(word, str):
            name, index = word
            if index < 0:
                found[name] = given
            else:
                found[name][index] = given
    return found


def remember(
    cache_dir: Path,
    argv: list[str],
    fingerprint: str,
    spec: Command,
    values: dict[str, Any],
) -> None:
    """Add a parse to the memo (newest first, the oldest dropped beyond MAX_ENTRIES)."""
    target = _file(cache_dir)
    try:
        json.dumps(values)
    except (TypeError, ValueError):
        return
    words = shape(argv, spec, values)
    try:
        with open_regular(str(target)) as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            raise ValueError
        entries = [e for e in data["entries"] if e[0] != words]
    except (OSError, ValueError, TypeError, KeyError):
        entries = []
    entries.insert(0, [words, spec.path, values])
    from kttn_cli.storage.cache_file import write_cache_file

    document = {"format": FORMAT, "fingerprint": fingerprint, "entries": entries[:MAX_ENTRIES]}
    try:
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        return  # bytes on the command line that are not UTF-8: not worth remembering
    write_cache_file(str(target), data)


def shape(argv: list[str], spec: Command, values: dict[str, Any]) -> list[str | Slot]:
    """argv with each free word replaced by the slot of the value it became."""
    path = spec.path.split()
    if argv[: len(path)] != path:
        return list(argv)  # options before the command's name: keep the whole line
    words: list[str | Slot] = list(argv)
    for position in range(len(path), len(argv)):
        word = argv[position]
        if word.startswith("-") or argv.count(word) != 1:
            continue
        holders = [
            (param, index)
            for param in spec.params
            for index, value in _values(values.get(param.name))
            if value == word
        ]
        if len(holders) != 1:
            continue
        param, index = holders[0]
        text_as_given = param.kind in ("str", "int", "list") and not param.choices
        if text_as_given and values.get(param.name) != param.default:
            words[position] = [param.name, index]
    return words


def _values(value: Any) -> list[tuple[int, str]]:
    """A parsed value as (index in its list or -1, text) pairs."""
    if isinstance(value, list):
        return [(index, str(item)) for index, item in enumerate(value)]
    return [] if value is None else [(-1, str(value))]
