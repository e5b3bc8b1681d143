"""Find where a key path (`tasks[3].milestones[0].due.date`) stands in a TOML text.

TOML parsers return values without positions, and validation errors name key paths. This
scanner reads the text once, as a small TOML tokenizer: `[table]` and `[[array]]` headers,
`key = value` pairs with bare, quoted and dotted keys, strings of all four kinds (a `[` or
`key =` inside a string is text, not structure), comments, and arrays and inline tables
nested to any depth and spread over any number of lines. It records the line and column
of every key path it meets: a key's path at the key, an array item's path at the item.
Lookup returns the longest recorded prefix of a path, so an error deep inside a value
still points at the nearest thing the reader can see.

Lines are counted at `\\n` only and columns in characters, 1-based, as `tomli` reports
syntax errors. The scanner never raises: on text that is not valid TOML it records what it
can, which is enough to name the key on the line of a syntax error.
"""

from __future__ import annotations

import bisect
import contextlib

Loc = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line, column

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_BLANK = " \t"
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class TomlIndex:
    """Positions of the key paths of one TOML text."""

    def __init__(self, text: str) -> None:
        self.positions: dict[Loc, Position] = {}
        self._text = text
        self._line_starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]
        self._array_counts: dict[Loc, int] = {}
        self._scan()

    def locate(self, loc: Loc) -> Position:
        """The position of `loc`, or of its longest known prefix, else line 1 column 1."""
        for end in range(len(loc), 0, -1):
            found = self.positions.get(tuple(loc[:end]))
            if found:
                return found
        return (1, 1)

    def key_at(self, line: int, col: int) -> Loc | None:
        """The key path whose key or item starts last before `line:col` on that line.

        Used to name the key of a syntax error (`date = 2024-02-30` → its `date` key).
        """
        best: tuple[int, Loc] | None = None
        for loc, (found_line, found_col) in self.positions.items():
            if found_line == line and found_col <= col and (best is None or found_col > best[0]):
                best = (found_col, loc)
        return best[1] if best else None

    # --- scanning -----------------------------------------------------------------------

    def _position(self, offset: int) -> Position:
        line = bisect.bisect_right(self._line_starts, offset)
        return (line, offset - self._line_starts[line - 1] + 1)

    def _record(self, loc: Loc, offset: int, *, first: bool = False) -> None:
        if first:
            self.positions.setdefault(loc, self._position(offset))
        else:
            self.positions[loc] = self._position(offset)

    def _peek(self, i: int, length: int = 1) -> str:
        return self._text[i : i + length]

    def _skip_blank(self, i: int) -> int:
        while i < len(self._text) and self._text[i] in _BLANK:
            i += 1
        return i

    def _skip_comment(self, i: int) -> int:
        if self._peek(i) == "#":
            end = self._text.find("\n", i)
            return len(self._text) if end < 0 else end
        return i

    def _skip_space(self, i: int) -> int:
        """Blanks, newlines and comments (inside arrays, between statements)."""
        while i < len(self._text):
            j = self._skip_comment(self._skip_blank(i))
            if self._peek(j) in ("\n", "\r"):
                j += 1
            if j == i:
                return i
            i = j
        return i

    def _skip_line(self, i: int) -> int:
        end = self._text.find("\n", i)
        return len(self._text) if end < 0 else end + 1

    def _scan(self) -> None:
        table: Loc = ()
        i = 0
        while i < len(self._text):
            i = self._skip_space(i)
            if i >= len(self._text):
                break
            if self._peek(i) == "[":
                i, table = self._header(i)
            else:
                keys, i = self._keys(i, table)
                if not keys or self._peek(i) != "=":
                    i = self._skip_line(i)
                    continue
                i = self._value(self._skip_blank(i + 1), (*table, *keys))
            i = self._skip_line(self._skip_comment(self._skip_blank(i)))

    def _header(self, i: int) -> tuple[int, Loc]:
        is_array = self._peek(i, 2) == "[["
        start = self._skip_blank(i + (2 if is_array else 1))
        parts, j = self._key_parts(start)
        names = [name for name, _ in parts]
        if not names:
            return self._skip_line(i), ()
        if is_array:
            array = (*self._resolve(names[:-1]), names[-1])
            index = self._array_counts.get(array, 0)
            self._array_counts[array] = index + 1
            self._record(array, start, first=True)
            table: Loc = (*array, index)
        else:
            table = self._resolve(names)
            for end in range(1, len(table)):
                self._record(table[:end], start, first=True)
        self._record(table, start)
        return j, table

    def _resolve(self, names: list[str]) -> Loc:
        """Header keys → a path with the current index of each array of tables in it."""
        path: list[str | int] = []
        for name in names:
            path.append(name)
            count = self._array_counts.get(tuple(path))
            if count is not None:
                path.append(count - 1)
        return tuple(path)

    def _keys(self, i: int, prefix: Loc) -> tuple[list[str], int]:
        """Read a (dotted) key, record each of its prefixes, return it and the offset of `=`."""
        parts, j = self._key_parts(i)
        path = prefix
        for n, (name, offset) in enumerate(parts):
            path = (*path, name)
            self._record(path, offset, first=n < len(parts) - 1)
        return [name for name, _ in parts], self._skip_blank(j)

    def _key_parts(self, i: int) -> tuple[list[tuple[str, int]], int]:
        parts: list[tuple[str, int]] = []
        while True:
            i = self._skip_blank(i)
            start = i
            ch = self._peek(i)
            if ch == '"':
                name, i = self._basic_string(i)
            elif ch == "'":
                name, i = self._literal_string(i)
            else:
                while i < len(self._text) and self._text[i] in _BARE:
                    i += 1
                name = self._text[start:i]
                if not name:
                    return parts, i
            parts.append((name, start))
            i = self._skip_blank(i)
            if self._peek(i) != ".":
                return parts, i
            i += 1

    def _value(self, i: int, path: Loc) -> int:
        """Skip one value starting at `i`, recording the paths inside it; return its end."""
        ch = self._peek(i)
        if self._peek(i, 3) in ('"""', "'''"):
            return self._multiline_string(i)
        if ch == '"':
            return self._basic_string(i)[1]
        if ch == "'":
            return self._literal_string(i)[1]
        if ch == "[":
            return self._array(i + 1, path)
        if ch == "{":
            return self._inline_table(i + 1, path)
        while i < len(self._text) and self._text[i] not in ",]}#=\n":
            i += 1
        return i

    def _array(self, i: int, path: Loc) -> int:
        index = 0
        while i < len(self._text):
            i = self._skip_space(i)
            if self._peek(i) in ("]", ""):
                return i + 1
            if self._peek(i) == ",":  # only after a value; tolerate stray ones
                i += 1
                continue
            self._record((*path, index), i)
            end = self._value(i, (*path, index))
            if self._peek(self._skip_blank(end)) == "=":
                # `key = …` is no array item: the array was never closed (not valid TOML).
                del self.positions[(*path, index)]
                return i
            i = self._skip_space(end)
            if self._peek(i) == ",":
                i += 1
            index += 1
            if end == i and self._peek(i) not in ("]", ","):
                i += 1  # not valid TOML: move on rather than loop
        return i

    def _inline_table(self, i: int, path: Loc) -> int:
        while i < len(self._text):
            i = self._skip_blank(i)
            ch = self._peek(i)
            if ch in ("}", ""):
                return i + 1
            if ch in (",", "\n"):
                i += 1
                continue
            keys, j = self._keys(i, path)
            if not keys or self._peek(j) != "=":
                return j + 1 if j == i else j
            i = self._value(self._skip_blank(j + 1), (*path, *keys))
        return i

    def _basic_string(self, i: int) -> tuple[str, int]:
        """A `"…"` string (value and end offset); stops at a newline if unterminated."""
        out: list[str] = []
        i += 1
        while i < len(self._text):
            ch = self._text[i]
            if ch == '"':
                return "".join(out), i + 1
            if ch == "\n":
                return "".join(out), i
            if ch == "\\" and i + 1 < len(self._text):
                nxt = self._text[i + 1]
                if nxt in ("u", "U"):
                    size = 4 if nxt == "u" else 8
                    with contextlib.suppress(ValueError):  # not valid TOML: skip it
                        out.append(chr(int(self._text[i + 2 : i + 2 + size], 16)))
                    i += 2 + size
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out), i

    def _literal_string(self, i: int) -> tuple[str, int]:
        end = i + 1
        while end < len(self._text) and self._text[end] not in "'\n":
            end += 1
        closed = end < len(self._text) and self._text[end] == "'"
        return self._text[i + 1 : end], end + 1 if closed else end

    def _multiline_string(self, i: int) -> int:
        quote = self._text[i : i + 3]
        i += 3
        while i < len(self._text):
            if quote == '"""' and self._text[i] == "\\":
                i += 2
                continue
            if self._text.startswith(quote, i):
                # Up to two more quotes belong to the content: `""""` ends `…"` + `"""`.
                end = i + 3
                while end < i + 5 and self._peek(end) == quote[0]:
                    end += 1
                return end
            i += 1
        return i
