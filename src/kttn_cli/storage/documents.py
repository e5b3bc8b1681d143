"""Reading TOML documents people or kttn wrote, with every problem located in the file.

A `Problem` is what `kttn check` prints as `FILE:LINE:COL: key.path: message`; readers
return all of them at once rather than stopping at the first (beancount's loader does the
same). Lines and columns are 1-based; columns count characters, as editors show them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kttn_cli.errors import DataError, MissingInput, Word
from kttn_cli.i18n import Lang, say
from kttn_cli.storage.toml_locate import Loc, TomlIndex

if TYPE_CHECKING:
    from pydantic import ValidationError

BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message fragment in both languages, chosen when the problem is printed."""

    vi: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int
    col: int
    key: str  # a message id of kttn_cli.i18n, or "" when `text` is the message
    params: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # the key path, e.g. tasks[2].milestones[0].due.date
    text: str | Phrase = ""

    def format(self, lang: Lang) -> str:
        if self.key:
            params = {k: v(lang) if isinstance(v, Phrase) else v for k, v in self.params.items()}
            message = say(self.key, lang, **params)
        else:
            message = self.text(lang) if isinstance(self.text, Phrase) else self.text
        prefix = f"{self.where}: " if self.where else ""
        return f"{self.path}:{self.line}:{self.col}: {prefix}{message}"


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems as a reader meets them in the file (stable for the same position)."""
    return sorted(problems, key=lambda p: (p.line, p.col))


@dataclass(slots=True)
class Parsed:
    """A parsed TOML document, or the problems that stopped it."""

    path: Path
    text: str = ""
    data: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    _index: TomlIndex | None = None

    @property
    def index(self) -> TomlIndex:
        if self._index is None:
            self._index = TomlIndex(self.text)
        return self._index

    def locate(self, loc: Loc) -> tuple[int, int]:
        return self.index.locate(loc)

    def problem(self, loc: Loc, key: str, **params: Any) -> Problem:
        line, col = self.locate(loc)
        return Problem(self.path, line, col, key, params, where=dotted(loc))


def dotted(loc: Loc) -> str:
    """`("tasks", 2, "id")` → `tasks[2].id`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_raw(path: Path, what: str) -> bytes:
    """The file's bytes; a missing file is exit 66, naming `what` it should have been, and
    one that is there but cannot be read (permissions, a symlink loop) is exit 65."""
    word = Word(f"err.what.{what}")
    try:
        return path.read_bytes()
    except IsADirectoryError:  # not "not found": the user can see that it is there
        raise MissingInput("err.directory_given", what=word, path=path) from None
    except (FileNotFoundError, NotADirectoryError):
        raise MissingInput("err.missing_file", what=word, path=path) from None
    except OSError as exc:
        raise DataError("err.cannot_read", path=path, reason=exc.strerror) from None


def parse_toml(path: Path, raw: bytes) -> Parsed:
    """Decode (UTF-8, a leading BOM tolerated) and parse; NFC-normalise every string."""
    parsed = Parsed(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        parsed.problems.append(_not_utf8(path, raw, exc.start))
        return parsed
    # Windows Notepad saves UTF-8 with a byte-order mark; it carries no meaning in TOML.
    parsed.text = text.removeprefix(BOM)
    import tomli

    try:
        data = tomli.loads(parsed.text)
    except tomli.TOMLDecodeError as exc:
        parsed.problems.append(_syntax_problem(parsed, exc.msg, exc.lineno, exc.colno))
        return parsed
    parsed.data = _nfc(data)
    return parsed


def _not_utf8(path: Path, raw: bytes, bad: int) -> Problem:
    """Located at the bad byte: its line, and its column in the characters before it."""
    line_start = raw.rfind(b"\n", 0, bad) + 1
    before = raw[line_start:bad].decode("utf-8").removeprefix(BOM)
    line = raw.count(b"\n", 0, bad) + 1
    return Problem(path, line, len(before) + 1, "not_utf8", {"byte": f"0x{raw[bad]:02X}"})


_DATE_TOKEN = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# tomli's messages, worded for people; anything else keeps tomli's English.
_SYNTAX: dict[str, Phrase] = {
    "Invalid date or datetime": Phrase("ngày hoặc thời điểm không hợp lệ", "invalid date"),
    "Illegal character '\\n'": Phrase(
        "chuỗi chưa được đóng: thiếu dấu nháy kép trước cuối dòng",
        "string not closed: the closing quote is missing before the end of the line",
    ),
    "Invalid value": Phrase(
        "giá trị không hợp lệ (văn bản phải nằm trong dấu nháy kép)",
        "invalid value (text must be in double quotes)",
    ),
    "Expected '=' after a key in a key/value pair": Phrase(
        "thiếu dấu '=' sau khoá", "expected '=' after the key"
    ),
    "Cannot overwrite a value": Phrase(
        "khoá này đã có giá trị ở trên", "this key already has a value above"
    ),
    "Unclosed array": Phrase("danh sách chưa được đóng bằng ']'", "list not closed with ']'"),
    "Unclosed inline table": Phrase("bảng chưa được đóng bằng '}'", "table not closed with '}'"),
    "Expected newline or end of document after a statement": Phrase(
        "thừa nội dung sau giá trị; mỗi khoá một dòng",
        "unexpected text after the value; one key per line",
    ),
    "Expected ']' at the end of a table declaration": Phrase(
        "thiếu ']' ở cuối tên bảng", "expected ']' at the end of the table name"
    ),
    "Expected ']]' at the end of an array declaration": Phrase(
        "thiếu ']]' ở cuối tên danh sách bảng", "expected ']]' at the end of the array name"
    ),
    "Invalid statement": Phrase("dòng không hợp lệ", "invalid statement"),
    "Unterminated string": Phrase("chuỗi chưa được đóng", "string not closed"),
}


def _syntax_problem(parsed: Parsed, message: str, line: int, col: int) -> Problem:
    """A TOML syntax error, with the key it belongs to when one is on that line.

    tomli reads `2024-02-30` as a malformed date and `2024-13-01` as a number followed by
    garbage; both are reported as the impossible date they are, at the date.
    """
    lines = parsed.text.split("\n")
    text_line = lines[line - 1] if 0 < line <= len(lines) else ""
    for match in _DATE_TOKEN.finditer(text_line):
        if match.start() < col <= match.end() + 1 and not _is_date(*match.groups()):
            col = match.start() + 1
            token = match.group(0)
            detail = Phrase(f"ngày {token} không tồn tại", f"impossible date {token}")
            break
    else:
        known = _SYNTAX.get(message)
        detail = known or Phrase(message, message)
    where = parsed.index.key_at(line, col)
    return Problem(
        parsed.path,
        line,
        col,
        "toml_syntax",
        {"detail": detail},
        where=dotted(where) if where else "",
    )


def _is_date(year: str, month: str, day: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _nfc(value: Any) -> Any:
    """Text typed on different keyboards arrives as NFC or NFD: store NFC only."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


# pydantic error types → Vietnamese wording; anything else keeps pydantic's English.
_VI_ERRORS = {
    "missing": "thiếu khoá bắt buộc",
    "extra_forbidden": "khoá không được phép (không có trong lược đồ)",
    "string_type": "cần một chuỗi văn bản",
    "int_type": "cần một số nguyên",
    "bool_type": "cần true hoặc false",
    "date_type": "cần một ngày dạng YYYY-MM-DD (không có ngoặc kép)",
    "datetime_type": "cần một thời điểm",
    "list_type": "cần một danh sách",
    "model_type": "cần một bảng",
    "dict_type": "cần một bảng",
    "string_too_short": "không được để trống",
    "too_short": "danh sách không được rỗng",
    "string_pattern_mismatch": "sai dạng (mã chỉ gồm chữ ASCII, chữ số, '.', '_' và '-')",
    "string_too_long": "quá dài",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
}
_EN_ERRORS = {
    "extra_forbidden": "unknown key (not part of the file format)",
    "string_pattern_mismatch": "wrong form (an id has only ASCII letters, digits, '.', '_', '-')",
}

# Discriminated unions insert the tag into error locations: drop it to find the key.
_UNION_TAGS = {
    "date",
    "quarter",
    "ongoing",
    "on_request",
    "none",
    "submission",
    "void",
    "extension",
    "task",
}


def validation_problems(parsed: Parsed, error: ValidationError, lang: Lang) -> list[Problem]:
    """One located problem per pydantic error."""
    problems = []
    for err in error.errors(include_url=False):
        loc: Loc = _drop_union_tag(tuple(err["loc"]))
        kind = err["type"]
        ctx = err.get("ctx") or {}
        text = err["msg"]
        if kind == "literal_error":
            expected = ctx.get("expected", "")
            text = f"giá trị không hợp lệ; cần {expected}" if lang == "vi" else text
        elif kind == "union_tag_invalid":
            # The wrong tag is the `kind` key's value: point at it, not at the table.
            loc = (*loc, str(ctx.get("discriminator", "")).strip("'"))
            expected = ctx.get("expected_tags", "")
            tag = ctx.get("tag", "")
            text = (
                f"loại {tag!r} không hợp lệ; cần {expected}"
                if lang == "vi"
                else f"invalid kind {tag!r}; expected {expected}"
            )
        elif kind == "union_tag_not_found":
            key = ctx.get("discriminator", "")
            text = f"thiếu khoá {key}" if lang == "vi" else f"missing key {key}"
        elif lang == "vi" and kind in _VI_ERRORS:
            text = _VI_ERRORS[kind]
        elif lang == "en" and kind in _EN_ERRORS:
            text = _EN_ERRORS[kind]
        line, col = parsed.locate(loc)
        problems.append(Problem(parsed.path, line, col, "", where=dotted(loc), text=text))
    return problems


def _drop_union_tag(loc: Loc) -> Loc:
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if (
            isinstance(part, str)
            and part in _UNION_TAGS
            and i > 0
            and (loc[i - 1] in ("due",) or isinstance(loc[i - 1], int))
            and i + 1 < len(loc)
        ):
            continue
        out.append(part)
    return tuple(out)


def locate_in(path: Path, found: list[tuple[Loc, str, dict[str, Any]]]) -> list[Problem]:
    """Problems found after parsing, each (where, message key, parameters), located by
    reading and indexing the file again, once for all of them."""
    if not found:
        return []
    parsed = Parsed(path, text=path.read_bytes().decode("utf-8").removeprefix(BOM))
    return [parsed.problem(loc, key, **params) for loc, key, params in found]
