"""A new plan file from one the office has (`kttn init`), written as text.

The plan file is people's text: comments, layout and wording must survive the copy, so
the copy is the source's text with a few values replaced in place (never a TOML
round trip, which would drop every comment). What changes:

- `[plan] id`: a new plan has its own id, so its own ledger;
- with a year difference (`kttn init --from … --year …`): every date the plan states
  for itself — the issue date, the first day records may carry, each deadline's date,
  a quarter deadline's year, a repeat's `from` and `until` — moves by that many years
  (29 February becomes 28 February), and each is listed in `plan.unconfirmed`, so that
  `kttn check` and every view say it is still to confirm;
- facts of the calendar and of the units stay as they are: announced days off and
  make-up working days, units' `active_from` / `active_until` (a merger on 01/07/2025
  does not move to 2026).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kttn_cli.core.text import fold
from kttn_cli.storage.toml_locate import TomlIndex

Loc = tuple[str | int, ...]
# Dates of the calendar or of units, not of the plan's schedule: never moved.
KEPT = (("deadline_rules", "days_off"), ("deadline_rules", "working_days"))
KEPT_KEYS = frozenset({"active_from", "active_until"})
_ID_CHARS = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Copy:
    text: str
    moved: tuple[str, ...]  # dotted key paths of the values moved (now unconfirmed)
    kept: tuple[str, ...]  # dotted key paths of dates left as they were


def id_from_name(path: Path) -> str:
    """A plan id from a file name: `Kế hoạch 2025.toml` → `ke-hoach-2025`."""
    stem = path.name.removesuffix(".toml")
    slug = _ID_CHARS.sub("-", fold(stem).replace(" ", "-")).strip("-._")
    return slug[:56] or "ke-hoach"


def distinct_id(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`, … when it is taken."""
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"


def dotted(loc: Loc) -> str:
    """The form `plan.unconfirmed` keeps: `tasks.3.milestones.0.due.date`."""
    return ".".join(str(part) for part in loc)


def _walk(value: Any, loc: Loc) -> list[tuple[Loc, Any]]:
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _walk(v, (*loc, k))]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _walk(v, (*loc, i))]
    return [(loc, value)]


def plan_dates(data: dict[str, Any]) -> tuple[list[Loc], list[Loc]]:
    """The key paths of the plan's own dates (and quarters' years), and of the dates it
    keeps as they are, in file order."""
    moved: list[Loc] = []
    kept: list[Loc] = []
    for loc, value in _walk(data, ()):
        if type(value) is date:
            if loc[:2] in KEPT or any(k in KEPT_KEYS for k in loc if isinstance(k, str)):
                kept.append(loc)
            elif loc[-1] != "unconfirmed":
                moved.append(loc)
        elif loc[-2:] == ("due", "year") and isinstance(value, int):
            moved.append(loc)
    return moved, kept


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


class _Text:
    """The source text, its key positions, and the edits to make."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = TomlIndex(text)
        self.starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]
        self.edits: list[tuple[int, int, str]] = []

    def offset(self, loc: Loc) -> int:
        line, col = self.index.positions[loc]
        return self.starts[line - 1] + col - 1

    def value_span(self, loc: Loc) -> tuple[int, int]:
        """Where the value of `loc` stands: an array item where it starts, a key's value
        after its `=`."""
        i = self.offset(loc)
        if not isinstance(loc[-1], int):
            i = self.text.index("=", i) + 1
            while self.text[i] in " \t":
                i += 1
        # The index's own scanner knows where a value ends (strings, arrays, comments).
        return i, self.index._value(i, ())

    def replace(self, loc: Loc, expected: str, new: str) -> None:
        start, end = self.value_span(loc)
        found = self.text[start:end].rstrip()
        if found != expected:
            raise ValueError(f"{dotted(loc)}: found {found!r}, expected {expected!r}")
        self.edits.append((start, start + len(found), new))

    def insert_after_line(self, loc: Loc, lines: str) -> None:
        end = self.text.find("\n", self.value_span(loc)[1])
        at = len(self.text) if end < 0 else end + 1
        self.edits.append((at, at, lines))

    def result(self) -> str:
        out = self.text
        for start, end, new in sorted(self.edits, reverse=True):
            out = out[:start] + new + out[end:]
        return out


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _moved(day: date, years: int) -> date:
    year = day.year + years
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=year, day=28)


def copy_plan(text: str, data: dict[str, Any], new_id: str, years: int, note: str) -> Copy:
    """The source plan's text with its id replaced and, when `years` is not 0, its own
    dates moved by that many years and listed in `plan.unconfirmed` (after the id, with
    `note` as a comment above them: the source's earlier list is replaced)."""
    source = _Text(text)
    source.replace(("plan", "id"), _quoted(str(data["plan"]["id"])), _quoted(new_id))
    if not years:
        return Copy(source.result(), (), ())
    moved, kept = plan_dates(data)
    for loc in moved:
        value = _get(data, loc)
        if isinstance(value, date):
            source.replace(loc, value.isoformat(), _moved(value, years).isoformat())
        else:
            source.replace(loc, str(value), str(value + years))
    earlier = [str(p) for p in data["plan"].get("unconfirmed", [])]
    if "unconfirmed" in data["plan"]:
        end = source.value_span(("plan", "unconfirmed"))[1]
        key = source.offset(("plan", "unconfirmed"))
        line_end = source.text.find("\n", end)
        source.edits.append((source.starts[_line_of(source, key)], line_end + 1, ""))
    paths = list(dict.fromkeys([*earlier, *(dotted(loc) for loc in moved)]))
    comment = "".join(f"# {line}\n" for line in textwrap.wrap(note, 86))
    block = comment + "unconfirmed = [\n" + "".join(f"    {_quoted(p)},\n" for p in paths) + "]\n"
    source.insert_after_line(("plan", "id"), block)
    return Copy(source.result(), tuple(dotted(loc) for loc in moved), tuple(map(dotted, kept)))


def _line_of(source: _Text, offset: int) -> int:
    """The 0-based line of an offset."""
    import bisect

    return bisect.bisect_right(source.starts, offset) - 1


def schema_line(text: str, source_dir: Path, fallback: Path) -> str:
    """The text with a relative `#:schema` first line pointing where the schema really
    is (relative to the source, else the installed schema), so editors keep checking
    the copy wherever it is written."""
    first, newline, rest = text.partition("\n")
    if not first.startswith("#:schema"):
        return text
    ref = first.removeprefix("#:schema").strip()
    if "://" in ref:
        return text
    where = source_dir / ref
    target = where if where.exists() else fallback
    return f"#:schema {target.resolve().as_uri()}{newline}{rest}"
