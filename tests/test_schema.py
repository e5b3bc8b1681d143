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
