"""Find where a key path (`tasks[3].milestones[0].due.date`) stands in a TOML text.

TOML parsers return values without positions, and validation errors name key paths. This
scanner walks the text once, following `[table]` and `[[array]]` headers, `key = value`
lines (dotted keys too) and one-line inline tables and arrays, and records the line and
column of every path it sees. Lookup returns the longest recorded prefix of a path, so
an error inside a value the scanner does not descend into still points at its key.
"""

from __future__ import annotations

import re

Loc = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line, column

_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY = rf'(?:{_BARE_KEY}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^(\s*)({_DOTTED})\s*=\s*")
_INLINE_KEY = re.compile(rf"(?:^|[{{,])\s*({_DOTTED})\s*=")


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(_KEY, dotted)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


class TomlIndex:
    """Positions of the key paths of one TOML text."""

    def __init__(self, text: str) -> None:
        self.positions: dict[Loc, Position] = {}
        self._array_counts: dict[Loc, int] = {}
        self._scan(text)

    def locate(self, loc: Loc) -> Position:
        """The position of `loc`, or of its longest known prefix, else line 1 column 1."""
        for end in range(len(loc), 0, -1):
            found = self.positions.get(tuple(loc[:end]))
            if found:
                return found
        return (1, 1)

    def _resolve(self, keys: list[str]) -> Loc:
        """Turn header keys into a path with the current index of each array of tables."""
        path: list[str | int] = []
        for key in keys:
            path.append(key)
            count = self._array_counts.get(tuple(path))
            if count is not None:
                path.append(count - 1)
        return tuple(path)

    def _scan(self, text: str) -> None:
        table: Loc = ()
        in_multiline: str | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                keys = _split_key(header.group(2))
                col = header.start(2) + 1
                if header.group(1) == "[[":
                    parent = self._resolve(keys[:-1])
                    array = (*parent, keys[-1])
                    index = self._array_counts.get(array, 0)
                    self._array_counts[array] = index + 1
                    table = (*array, index)
                    self.positions.setdefault(array, (lineno, col))
                else:
                    table = self._resolve(keys)
                self.positions[table] = (lineno, col)
                continue
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            keys = _split_key(assign.group(2))
            path = (*table, *keys)
            self.positions[path] = (lineno, assign.start(2) + 1)
            value = line[assign.end() :]
            for quote in ('"""', "'''"):
                if value.startswith(quote) and value.count(quote) == 1:
                    in_multiline = quote
            if value.startswith("{"):
                for match in _INLINE_KEY.finditer(value):
                    sub = _split_key(match.group(1))
                    self.positions[(*path, *sub)] = (lineno, assign.end() + match.start(1) + 1)
            elif value.startswith("["):
                self._scan_array(path, lineno, assign.end(), value)

    def _scan_array(self, path: Loc, lineno: int, offset: int, value: str) -> None:
        """Positions of the items of a one-line array of scalars."""
        index, depth, i = 0, 0, 1
        start: int | None = None
        while i < len(value):
            ch = value[i]
            if ch in "\"'":
                end = value.find(ch, i + 1)
                while ch == '"' and end > 0 and value[end - 1] == "\\":
                    end = value.find(ch, end + 1)
                if start is None:
                    start = i
                i = (end if end > 0 else len(value)) + 1
                continue
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                if start is not None:
                    self.positions[(*path, index)] = (lineno, offset + start + 1)
                index += 1
                start = None
            elif ch == "#":
                break
            elif not ch.isspace() and start is None:
                start = i
            i += 1
        if start is not None:
            self.positions[(*path, index)] = (lineno, offset + start + 1)
