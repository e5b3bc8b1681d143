"""`kttn schema` and the committed schema file that the bundled plan points to."""

from __future__ import annotations

import json

from conftest import invoke
from kttn_cli.storage.plan_file import BUNDLED_PLAN, BUNDLED_SCHEMA

REGENERATE = "kttn schema > src/kttn_cli/data/plan.schema.json"


def test_committed_schema_equals_the_models_schema() -> None:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    assert result.stdout == BUNDLED_SCHEMA.read_text(encoding="utf-8"), (
        f"the plan models changed: regenerate the committed schema with `{REGENERATE}`"
    )


def test_schema_is_json_schema_of_the_plan_format() -> None:
    schema = json.loads(invoke("schema").stdout)
    assert schema["title"] == "kttn plan"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "schema_version",
        "plan",
        "calendar",
        "units",
        "groups",
        "tasks",
    }
    assert set(schema["required"]) == {"schema_version", "plan", "units", "tasks"}
    kinds = {
        kind
        for variant in ("DateDue", "QuarterDue", "OpenDue")
        for kind in _enum(schema["$defs"][variant]["properties"]["kind"])
    }
    assert kinds == {"date", "quarter", "ongoing", "on_request", "none"}


def _enum(prop: dict[str, object]) -> list[str]:
    if "const" in prop:
        return [str(prop["const"])]
    values = prop["enum"]
    assert isinstance(values, list)
    return [str(v) for v in values]


def test_bundled_plan_points_to_the_committed_schema() -> None:
    first = BUNDLED_PLAN.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == "#:schema ./plan.schema.json"
    target = (BUNDLED_PLAN.parent / first.removeprefix("#:schema ").strip()).resolve()
    assert target == BUNDLED_SCHEMA.resolve()
    assert target.is_file()
