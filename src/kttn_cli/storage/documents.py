"""Reading TOML documents people or kttn wrote, with every problem located in the file.

A `Problem` is what `kttn check` prints as `FILE:LINE:COL: message`; readers return all
of them at once rather than stopping at the first (beancount's loader does the same).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kttn_cli.errors import MissingInput, Word
from kttn_cli.i18n import Lang, say
from kttn_cli.storage.toml_locate import Loc, TomlIndex

if TYPE_CHECKING:
    from pydantic import ValidationError

BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int
    col: int
    key: str  # a message id of kttn_cli.i18n, or "" when `text` is the message
    params: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # the key path, e.g. tasks[2].milestones[0].due.date
    text: str = ""

    def format(self, lang: Lang) -> str:
        message = self.text if not self.key else say(self.key, lang, **self.params)
        prefix = f"{self.where}: " if self.where else ""
        return f"{self.path}:{self.line}:{self.col}: {prefix}{message}"


@dataclass(slots=True)
class Parsed:
    """A parsed TOML document, or the problems that stopped it."""

    path: Path
    text: str = ""
    data: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    _index: TomlIndex | None = None

    def locate(self, loc: Loc) -> tuple[int, int]:
        if self._index is None:
            self._index = TomlIndex(self.text)
        return self._index.locate(loc)

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
    """The file's bytes; a missing file is exit 66, naming `what` it should have been."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MissingInput("err.missing_file", what=Word(f"err.what.{what}"), path=path) from None
    except IsADirectoryError:
        raise MissingInput("err.missing_file", what=Word(f"err.what.{what}"), path=path) from None


def parse_toml(path: Path, raw: bytes) -> Parsed:
    """Decode (UTF-8, a leading BOM tolerated) and parse; NFC-normalise every string."""
    parsed = Parsed(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        parsed.problems.append(
            Problem(path, line, col, "not_utf8", {"byte": f"0x{raw[exc.start]:02X}"})
        )
        return parsed
    # Windows Notepad saves UTF-8 with a byte-order mark; it carries no meaning in TOML.
    parsed.text = text.removeprefix(BOM)
    import tomli

    try:
        data = tomli.loads(parsed.text)
    except tomli.TOMLDecodeError as exc:
        parsed.problems.append(
            Problem(path, exc.lineno, exc.colno, "toml_syntax", {"detail": exc.msg})
        )
        return parsed
    parsed.data = _nfc(data)
    return parsed


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
}

# Discriminated unions insert the tag into error locations: drop it to find the key.
_UNION_TAGS = {"date", "quarter", "ongoing", "on_request", "none", "submission", "void",
               "extension", "task"}


def validation_problems(parsed: Parsed, error: ValidationError, lang: Lang) -> list[Problem]:
    """One located problem per pydantic error."""
    problems = []
    for err in error.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        loc = _drop_union_tag(loc)
        text = err["msg"]
        if lang == "vi" and err["type"] in _VI_ERRORS:
            text = _VI_ERRORS[err["type"]]
        if err["type"] == "literal_error":
            ctx = err.get("ctx") or {}
            text = f"{text} ({ctx.get('expected', '')})" if lang == "en" else (
                f"giá trị không hợp lệ; cần {ctx.get('expected', '')}"
            )
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


def locate_in(path: Path, loc: Loc, key: str, params: dict[str, Any]) -> Problem:
    """A problem found after parsing, located by reading the file again."""
    parsed = Parsed(path, text=path.read_bytes().decode("utf-8").removeprefix(BOM))
    return parsed.problem(loc, key, **params)
