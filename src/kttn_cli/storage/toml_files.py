"""TOML documents people or kttn wrote: parsed, validated, every problem located.

Problems come back as data (`core.problems.Problem`) with the file, line and column
filled in; the words are chosen where they are shown. Lines and columns are 1-based;
columns count characters, as editors show them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kttn_cli.core.problems import Loc, Problem, Source
from kttn_cli.storage.toml_locate import TomlIndex

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

BOM = "\ufeff"
# How deep arrays and tables may nest: far beyond any real plan, far below the depth at
# which the parser would exhaust the interpreter's stack.
MAX_DEPTH = 64


@dataclass(slots=True)
class Parsed:
    """A parsed TOML document, or the problems that stopped it."""

    path: Path
    source: Source
    text: str = ""
    data: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    _index: TomlIndex | None = None

    @property
    def index(self) -> TomlIndex:
        if self._index is None:
            self._index = TomlIndex(self.text)
        return self._index

    def problem(self, code: str, where: Loc, **args: object) -> Problem:
        return self.locate(Problem(code, self.source, where, args))

    def locate(self, problem: Problem) -> Problem:
        """The problem with this file's path, and the line and column of its key path."""
        line, col = self._position(problem.where)
        related = self._position(problem.related)[0] if problem.related else 0
        return replace(problem, path=str(self.path), line=line, col=col, related_line=related)

    def _position(self, where: Loc) -> tuple[int, int]:
        if self.source == "ledger" and len(where) >= 2 and where[0] == "records":
            found = _record_position(self.text, where)
            if found is not None:
                return found
        return self.index.locate(where)


def _record_position(text: str, where: Loc) -> tuple[int, int] | None:
    """Where a ledger record (or one of its keys) stands, in kttn's own layout.

    kttn writes each record as a `[[records]]` table with one key per line; finding the
    n-th header is a string search, where indexing the whole TOML text would take
    seconds on a ledger of 100,000 records. A ledger edited into another layout falls
    back to the full index.
    """
    index = where[1]
    if not isinstance(index, int):
        return None
    start = -1
    for _ in range(index + 1):
        start = text.find("[[records]]", start + 1)
        if start < 0:
            return None
    line = text.count("\n", 0, start) + 1
    if len(where) < 3:
        return line, 1
    key = f"\n{where[2]} = "
    end = text.find("[[records]]", start + 1)
    found = text.find(key, start, end if end >= 0 else len(text))
    if found < 0:
        return line, 1
    return line + text.count("\n", start, found + 1), 1


def parse(path: Path, raw: bytes, source: Source) -> Parsed:
    """Decode (UTF-8, a leading BOM tolerated) and parse; NFC-normalise every string."""
    parsed = Parsed(path, source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        parsed.problems.append(_not_utf8(parsed, raw, exc.start))
        return parsed
    # Windows Notepad saves UTF-8 with a byte-order mark; it carries no meaning in TOML.
    parsed.text = text.removeprefix(BOM)
    deep = _too_deep(parsed.text)
    if deep is not None:
        line, col = deep
        problem = Problem("too_deep", source, (), {"depth": MAX_DEPTH}, line=line, col=col)
        parsed.problems.append(replace(problem, path=str(path)))
        return parsed
    import tomli

    try:
        data = tomli.loads(parsed.text)
    except tomli.TOMLDecodeError as exc:
        parsed.problems.append(_syntax_problem(parsed, exc.msg, exc.lineno, exc.colno))
        return parsed
    except RecursionError:
        problem = Problem("too_deep", source, (), {"depth": MAX_DEPTH}, line=1, col=1)
        parsed.problems.append(replace(problem, path=str(path)))
        return parsed
    parsed.data = _nfc(data)
    return parsed


# Strings and comments, where brackets are text: multi-line basic and literal strings,
# one-line basic (with escapes) and literal strings, comments.
_TEXT = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''.*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*",
    re.DOTALL,
)


def _blanked(match: re.Match[str]) -> str:
    """A string or comment as spaces, its line breaks kept (places stay where they were)."""
    return re.sub(r"[^\n]", " ", match.group())


def _openings(text: str) -> int:
    """Opening brackets and braces, less those that open a line (table headers)."""
    at_line_start = text.count("\n[") + text.count("\n[[") + text.startswith("[")
    at_line_start += text.startswith("[[")
    return text.count("[") + text.count("{") - at_line_start


def _too_deep(text: str) -> tuple[int, int] | None:
    """The place where brackets and braces outside strings and comments nest deeper
    than MAX_DEPTH.

    Quick: the opening brackets of lines that start with one (the table headers: a
    ledger has one per record) are left out of a first count, so most files need no
    pass at all. Brackets in text (a note "[bản sửa"), however many, are not nesting:
    strings and comments are blanked before the careful count. A text that fools this
    still meets the parser's own recursion guard.
    """
    if _openings(text) <= MAX_DEPTH:
        return None
    text = _TEXT.sub(_blanked, text)
    if _openings(text) <= MAX_DEPTH:
        return None
    depth = 0
    line, col = 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            # A table header `[a]` closes on its own line; arrays may span lines.
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, col
        elif ch in "]}":
            depth = max(0, depth - 1)
    return None


def _not_utf8(parsed: Parsed, raw: bytes, bad: int) -> Problem:
    """Located at the bad byte: its line, and its column in the characters before it."""
    line_start = raw.rfind(b"\n", 0, bad) + 1
    before = raw[line_start:bad].decode("utf-8", "replace").removeprefix(BOM)
    line = raw.count(b"\n", 0, bad) + 1
    return Problem(
        "not_utf8",
        parsed.source,
        (),
        {"byte": f"0x{raw[bad]:02X}"},
        path=str(parsed.path),
        line=line,
        col=len(before) + 1,
    )


_DATE_TOKEN = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# tomli's messages that `render.problems` words for people; others keep tomli's text.
SYNTAX_CODES = {
    "Invalid date or datetime": "syntax_date",
    "Illegal character '\\n'": "syntax_unclosed_string_line",
    "Invalid value": "syntax_value",
    "Expected '=' after a key in a key/value pair": "syntax_equals",
    "Cannot overwrite a value": "syntax_overwrite",
    "Unclosed array": "syntax_unclosed_array",
    "Unclosed inline table": "syntax_unclosed_table",
    "Expected newline or end of document after a statement": "syntax_trailing",
    "Expected ']' at the end of a table declaration": "syntax_table_header",
    "Expected ']]' at the end of an array declaration": "syntax_array_header",
    "Invalid statement": "syntax_statement",
    "Unterminated string": "syntax_unclosed_string",
}


def _syntax_problem(parsed: Parsed, message: str, line: int, col: int) -> Problem:
    """A TOML syntax error, with the key it belongs to when one is on that line.

    tomli reads `2024-02-30` as a malformed date and `2024-13-01` as a number followed by
    garbage; both are reported as the impossible date they are, at the date.
    """
    lines = parsed.text.split("\n")
    text_line = lines[line - 1] if 0 < line <= len(lines) else ""
    args: dict[str, object] = {}
    for match in _DATE_TOKEN.finditer(text_line):
        if match.start() < col <= match.end() + 1 and not _is_date(*match.groups()):
            col = match.start() + 1
            code = "syntax_impossible_date"
            args = {"value": match.group(0)}
            break
    else:
        code = SYNTAX_CODES.get(message, "syntax_other")
        if code == "syntax_other":
            args = {"detail": message}
    where = parsed.index.key_at(line, col) or ()
    return Problem(code, parsed.source, where, args, path=str(parsed.path), line=line, col=col)


def _is_date(year: str, month: str, day: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _nfc(value: Any) -> Any:
    """Text typed on different keyboards arrives as NFC or NFD: keep NFC only."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def schema_problems(
    parsed: Parsed,
    error: ValidationError,
    tags: frozenset[str],
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """One located problem per pydantic error: code `schema.<pydantic type>`. `tags` are
    the discriminator values of the format's unions (from its schema models). An unknown
    key gets the closest key the format has there (`suggestion`), from `model`'s JSON
    Schema: `warndays` → `warn_days`, `smtp.password` → `smtp.password_file`."""
    problems = []
    schema: dict[str, Any] | None = None
    for err in error.errors(include_url=False):
        loc: Loc = _drop_union_tags(tuple(err["loc"]), tags)
        kind = err["type"]
        ctx = err.get("ctx") or {}
        args: dict[str, object] = {}
        if kind == "literal_error":
            args["expected"] = str(ctx.get("expected", ""))
        elif kind == "union_tag_invalid":
            # The wrong tag is the value of the discriminator key: point at it.
            key = str(ctx.get("discriminator", "")).strip("'")
            loc = (*loc, key)
            args = {"tag": str(ctx.get("tag", "")), "expected": str(ctx.get("expected_tags", ""))}
        elif kind == "union_tag_not_found":
            args["key"] = str(ctx.get("discriminator", "")).strip("'")
        elif kind in ("greater_than_equal", "less_than_equal", "too_short", "string_too_long"):
            for name in ("ge", "le", "min_length", "max_length"):
                if name in ctx:
                    args["limit"] = ctx[name]
        elif kind == "extra_forbidden" and model is not None and loc:
            schema = schema or model.model_json_schema()
            suggestion = _closest_key(schema, loc)
            if suggestion is not None:
                args["suggestion"] = suggestion
        args["detail"] = err["msg"]
        problems.append(parsed.problem(f"schema.{kind}", loc, **args))
    return problems


def _closest_key(schema: dict[str, Any], loc: Loc) -> str | None:
    """The key of the format closest to the unknown key at `loc`, if one is close."""
    import difflib

    node = _resolved(schema, schema)
    for part in loc[:-1]:
        node = node.get("items", {}) if isinstance(part, int) else node.get("properties", {})
        if not isinstance(part, int):
            node = node.get(part, {})
        node = _resolved(schema, node)
    keys = [key for key in node.get("properties", {}) if isinstance(key, str)]
    found = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.6)
    return found[0] if found else None


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema node with its reference followed, or its one table-shaped option
    (`X | None`) taken; a union of several tables is left as it is."""
    for _ in range(8):
        if "$ref" in node:
            node = schema.get("$defs", {}).get(str(node["$ref"]).rsplit("/", 1)[-1], {})
            continue
        options = [o for o in node.get("anyOf", ()) if "$ref" in o or o.get("type") == "object"]
        if len(options) == 1:
            node = options[0]
            continue
        break
    return node


def _drop_union_tags(loc: Loc, tags: frozenset[str]) -> Loc:
    """Discriminated unions insert the tag into error locations (`due.date.date`,
    `records[3].submission.unit`): drop it, so the path is the file's."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        after_table = i > 0 and (loc[i - 1] == "due" or isinstance(loc[i - 1], int))
        if isinstance(part, str) and part in tags and after_table and i + 1 < len(loc):
            continue
        out.append(part)
    return tuple(out)
