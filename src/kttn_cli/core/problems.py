"""Problems as data: what is wrong, where, with which values, and never in which language.

Every check (of a plan, a ledger, a settings file) returns `Problem`s; the loader gives
them to every command. Views state them and continue, writes refuse while a blocking one
remains, and `kttn check` lists them all. The words are chosen where a problem is shown
(`render.problems`), so storage and core need no language (docs/architecture.md,
"Problems").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Loc = tuple[str | int, ...]
Source = Literal["plan", "ledger", "settings", "contacts", "registry"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one file.

    `code` names the rule (`render.problems` words it); `where` is the key path in the
    file (`("records", 12, "unit")`); `related`, when given, is a second place the message
    names (the first of two duplicate ids). `line`, `col` and `path` are filled in by
    storage, which knows the text; a problem found in core starts without them.
    `blocking` problems stop writes; the others (dates still to confirm) are reminders.
    """

    code: str
    source: Source
    where: Loc = ()
    args: Mapping[str, object] = field(default_factory=dict)
    related: Loc | None = None
    blocking: bool = True
    path: str = ""
    line: int = 0
    col: int = 0
    related_line: int = 0


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems as a reader meets them: by file, then line and column (stable)."""
    return sorted(problems, key=lambda p: (p.path, p.line, p.col))


def dotted(loc: Loc) -> str:
    """`("tasks", 2, "id")` → `tasks[2].id`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
