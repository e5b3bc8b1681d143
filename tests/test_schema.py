"""`kttn schema` and the committed schema file that the bundled plan points to."""

from __future__ import annotations

import json

from helpers import BUNDLED_PLAN, kttn, ok

SCHEMA = BUNDLED_PLAN.parent / "plan.schema.json"
REGENERATE = "kttn schema > data/plan.schema.json"


def test_committed_schema_equals_the_models_schema() -> None:
    assert ok(kttn("schema")).out == SCHEMA.read_text(encoding="utf-8"), (
        f"the plan models changed: regenerate the committed schema with `{REGENERATE}`"
    )


def test_schema_is_json_schema_of_the_plan_format() -> None:
    schema = json.loads(ok(kttn("schema")).out)
    assert schema["title"] == "kttn plan"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "schema_version",
        "plan",
        "deadline_rules",
        "units",
        "groups",
        "tasks",
    }
    assert set(schema["required"]) == {"schema_version", "plan", "units", "tasks"}


def test_bundled_plan_points_to_the_committed_schema() -> None:
    first = BUNDLED_PLAN.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == "#:schema ./plan.schema.json"
    assert (BUNDLED_PLAN.parent / "plan.schema.json").is_file()


# --- the rules a write checks its new records against (storage/new_records.py) ----------

import datetime as dt  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from kttn_cli.core import model as core  # noqa: E402
from kttn_cli.schema.ledger import LedgerFile, record_rules  # noqa: E402
from kttn_cli.storage import new_records  # noqa: E402

AT = dt.datetime(2024, 6, 28, 2, 30, tzinfo=dt.UTC)
STAMP = {"recorded_at": AT, "recorded_by": "lan"}
RECORDS = [
    core.Submission(id="r1", **STAMP, milestone="M.1", unit="van-lam", on=dt.date(2024, 6, 28)),
    core.Submission(
        id="r2",
        **STAMP,
        milestone="M.1",
        unit="van-lam",
        on=dt.date(2024, 6, 28),
        reference="45-BC/HU",
        note="bản ký số",
    ),
    core.Void(id="r3", **STAMP, target="r1", reason="nhầm đơn vị"),
    core.Extension(
        id="r4", **STAMP, milestone="M.1", unit="van-lam", to=dt.date(2024, 7, 5), reason="BTV"
    ),
    core.Extension(
        id="r5",
        **STAMP,
        milestone="M.1",
        unit="van-lam",
        to=dt.date(2024, 7, 9),
        reason="BTV",
        after_submission=True,
    ),
    core.Schedule(id="r6", **STAMP, milestone="M.2", on=dt.date(2024, 8, 1), reason="Thường trực"),
    core.AdHocTask(
        id="r7",
        **STAMP,
        milestone="II.7-1",
        title="Báo cáo nhanh",
        due=dt.date(2024, 9, 1),
        units=("van-lam", "btctu"),
        assigned_by="1-CV/TU",
        recipient="office",
    ),
]


def test_the_rules_file_is_derived_from_the_models() -> None:
    committed = json.loads(new_records.RULES_FILE.read_text(encoding="utf-8"))
    assert committed == record_rules(), "run python scripts/ledger_rules.py"
    assert set(committed) == {type(r).__name__ for r in RECORDS}  # every record type


def pydantic_codes(table: dict[str, Any]) -> set[str]:
    try:
        LedgerFile.model_validate({"schema_version": 1, "plan": "p", "records": [table]})
    except ValidationError as exc:
        return {error["type"] for error in exc.errors()}
    return set()


def mutations(record: core.LedgerRecord) -> list[tuple[str, dict[str, Any]]]:
    """The record's table, then one key changed, removed or added at a time."""
    table = new_records.table(record)
    out = [("as made", table)]
    bad_values = {
        str: ["", " ", "a\n", "x" * 65, "bad id!", 1, None],
        dt.date: [AT, "2024-06-28", None],
        dt.datetime: [AT.date(), "2024-06-28T02:30:00Z"],
        bool: ["yes", 1],
        tuple: [[], ["bad id!"], "van-lam", [1]],
    }
    for name, value in table.items():
        kind = type(value) if not isinstance(value, list) else tuple
        for bad in bad_values.get(kind, []):
            out.append((f"{name}={bad!r}", {**table, name: bad}))
        out.append((f"without {name}", {k: v for k, v in table.items() if k != name}))
    out.append(("an unknown key", {**table, "extra": "x"}))
    out.append(("an unknown type", {**table, "type": "receipt"}))
    return out


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.id)
def test_a_write_refuses_what_the_file_models_refuse(record: core.LedgerRecord) -> None:
    """The write path's check (no pydantic) and the reader's models agree on every
    record kttn can make and on each single change to it: valid for both, or refused by
    both for the same reason."""
    for what, table in mutations(record):
        expected = pydantic_codes(table)
        found = {p.code.removeprefix("schema.") for p in new_records.problems([table], 0)}
        assert bool(found) == bool(expected), (what, found, expected)
        assert found <= expected | {"date_type"}, (what, found, expected)


def test_the_table_written_keeps_the_models_key_order_and_leaves_out_empty_keys() -> None:
    table = new_records.table(RECORDS[0])
    assert list(table) == ["id", "recorded_at", "recorded_by", "type", "milestone", "unit", "on"]
    assert list(new_records.table(RECORDS[4]))[-1] == "after_submission"
    assert "after_submission" not in new_records.table(RECORDS[3])
    assert new_records.table(RECORDS[6])["units"] == ["van-lam", "btctu"]
    assert not new_records.problems([new_records.table(r) for r in RECORDS], 0)
