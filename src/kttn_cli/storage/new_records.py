"""The records a write adds, as the tables written to the ledger, checked first
(docs/architecture.md, "Data safety").

A record that the file models would refuse must never reach the ledger: every later
read would stop on it. The models are pydantic classes (`schema.ledger`), and importing
pydantic is a third of a write's time; so a write checks its records against the rules
derived from those models (`schema.ledger.record_rules`, JSON Schema), kept in
`schema/ledger_records.json` — a test regenerates them and fails when the copy differs.
The rules use a handful of JSON Schema's keywords; an unknown one is a refusal, never a
pass. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

from kttn_cli.core.model import LedgerRecord
from kttn_cli.core.problems import Loc, Problem

RULES_FILE = Path(__file__).resolve().parent.parent / "schema" / "ledger_records.json"
KNOWN = frozenset(
    {"type", "format", "pattern", "minLength", "maxLength", "minItems", "items", "anyOf", "const"}
)


@cache
def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return rules


def table(record: LedgerRecord) -> dict[str, Any]:
    """The record as written: its keys in the model's order, `type` its tag; keys
    without a value (None) and flags that are off are left out, to keep the file
    readable. A field the model does not have is kept (last), for `problems` to refuse."""
    rule = _rules()[type(record).__name__]
    values = {field.name: getattr(record, field.name) for field in fields(record)}
    out: dict[str, Any] = {}
    for name in [*rule["properties"], *values]:
        value = rule["tag"] if name == "type" else values.pop(name, None)
        if value is None or value is False:
            continue
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def problems(tables: Sequence[dict[str, Any]], first_index: int) -> list[Problem]:
    """What the file models would refuse in these tables (records `first_index`, …)."""
    found: list[Problem] = []
    by_tag = {rule["tag"]: rule for rule in _rules().values()}
    for offset, data in enumerate(tables):
        where: Loc = ("records", first_index + offset)
        if "type" not in data:
            found.append(Problem("schema.union_tag_not_found", "ledger", where, {"key": "type"}))
            continue
        rule = by_tag.get(data["type"])
        if rule is None:
            args = {"tag": str(data.get("type")), "expected": ", ".join(sorted(by_tag))}
            found.append(Problem("schema.union_tag_invalid", "ledger", (*where, "type"), args))
            continue
        for key in rule["required"]:
            if key not in data:
                found.append(Problem("schema.missing", "ledger", (*where, key)))
        for key, value in data.items():
            schema = rule["properties"].get(key)
            if schema is None:
                found.append(Problem("schema.extra_forbidden", "ledger", (*where, key)))
                continue
            refused = _refusal(schema, value)
            if refused is not None:
                code, args = refused
                found.append(Problem(f"schema.{code}", "ledger", (*where, key), args))
    return found


Refusal = tuple[str, dict[str, Any]]  # pydantic's error type, the values its message quotes


def _refusal(schema: dict[str, Any], value: Any) -> Refusal | None:
    """Why a strict model refuses `value` (pydantic's error type), or None: it is valid."""
    unknown = schema.keys() - KNOWN
    if unknown:
        return "unchecked_rule", {}
    if "anyOf" in schema:
        refusals = [_refusal(option, value) for option in schema["anyOf"]]
        return None if None in refusals else refusals[0]
    if "const" in schema and value != schema["const"]:
        return "literal_error", {"expected": repr(schema["const"])}
    code = _type_refusal(schema, value)
    if code == "string_too_long":
        return code, {"limit": schema["maxLength"]}
    return None if code is None else (code, {})


def _type_refusal(schema: dict[str, Any], value: Any) -> str | None:
    kind = schema.get("type")
    if kind == "null":
        return None if value is None else "none_required"
    if kind == "boolean":
        return None if isinstance(value, bool) else "bool_type"
    if kind == "array":
        if not isinstance(value, list):
            return "list_type"
        if len(value) < schema.get("minItems", 0):
            return "too_short"
        item: dict[str, Any] = schema.get("items", {})
        refused = (_refusal(item, element) for element in value)
        return next((r[0] for r in refused if r is not None), None)
    if kind == "string":
        form = schema.get("format")
        if form == "date-time":
            return None if isinstance(value, dt.datetime) else "datetime_type"
        if form == "date":
            ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
            return None if ok else "date_type"
        if form is not None or not isinstance(value, str):
            return "string_type"
        if len(value) < schema.get("minLength", 0):
            return "string_too_short"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return "string_too_long"
        # The models' patterns are anchored (^…$); fullmatch also refuses a final newline,
        # as pydantic's regex engine does.
        if "pattern" in schema and not re.fullmatch(schema["pattern"], value):
            return "string_pattern_mismatch"
        return None
    return "unchecked_rule"
