"""Load and check plan files. The tool never writes a plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kttn_cli.core.model import Plan
from kttn_cli.errors import DataError
from kttn_cli.i18n import Lang
from kttn_cli.storage.documents import (
    Problem,
    in_file_order,
    parse_toml,
    read_raw,
    validation_problems,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_PLAN = DATA_DIR / "plan_2024.toml"
BUNDLED_SCHEMA = DATA_DIR / "plan.schema.json"


@dataclass(slots=True)
class PlanCheck:
    """A plan file's validated content (as plain data), or every problem found."""

    data: dict[str, Any] | None
    problems: list[Problem]


def check_plan(path: Path, lang: Lang) -> PlanCheck:
    """Read, parse, validate shape and meaning; collect every problem."""
    raw = read_raw(path, "plan")
    return check_plan_bytes(path, raw, lang)


def check_plan_bytes(path: Path, raw: bytes, lang: Lang) -> PlanCheck:
    """Like `check_plan`, for bytes already read (problems are reported against `path`)."""
    from pydantic import ValidationError

    from kttn_cli.storage.plan_schema import PlanFile, semantic_problems

    parsed = parse_toml(path, raw)
    if parsed.data is None:
        return PlanCheck(None, parsed.problems)
    try:
        model = PlanFile.model_validate(parsed.data)
    except ValidationError as exc:
        # Report meaning problems along with shape problems, except where the shape check
        # already points (a malformed value is not also "unknown").
        shape = validation_problems(parsed, exc, lang)
        taken = {p.where for p in shape}
        meaning = [
            parsed.problem(loc, key, **params)
            for loc, key, params in semantic_problems(parsed.data)
        ]
        extra = [p for p in meaning if p.where not in taken]
        return PlanCheck(None, in_file_order(shape + extra))
    problems = [parsed.problem(loc, key, **params) for loc, key, params in semantic_problems(model)]
    if problems:
        return PlanCheck(None, in_file_order(problems))
    return PlanCheck(model.model_dump(), [])


def load_plan(path: Path, lang: Lang) -> Plan:
    """The plan at `path`, validated; exit 65 (with a pointer to `kttn check`) if invalid.

    A plan validated before (same bytes, same kttn rules) comes from the cache, without
    pydantic or TOML parsing (storage/cache.py).
    """
    from kttn_cli.storage import cache

    raw = read_raw(path, "plan")
    cached = cache.load("plan", path, raw)
    if isinstance(cached, dict):
        try:
            return Plan.from_dict(cached)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an entry that decodes but does not fit: validate the file instead
    result = check_plan_bytes(path, raw, lang)
    if result.data is None:
        raise DataError(
            "err.invalid_plan", count=len(result.problems), first=result.problems[0].format(lang)
        )
    cache.store("plan", path, raw, result.data)
    return Plan.from_dict(result.data)
