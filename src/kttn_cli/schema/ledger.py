"""The ledger file: what kttn writes and accepts back.

Each record model names its core class and converts itself to it (`to_core`); the
`type` tags come from the models themselves, so a new record type is one model here and
one class in `core.model`. What kttn writes is checked against rules derived from these
models (`record_rules`), kept in `ledger_records.json` for the write path.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Field

from kttn_cli.core import model as core
from kttn_cli.schema.fields import Id, Strict, Text

LEDGER_FORMAT = 1


class RecordModel(Strict):
    core_class: ClassVar[type[core.Record]]

    id: Id
    recorded_at: dt.datetime
    recorded_by: Text

    def to_core(self) -> core.LedgerRecord:
        fields = self.model_dump(exclude={"type"})
        for name, value in fields.items():
            if isinstance(value, list):
                fields[name] = tuple(value)
        record: core.LedgerRecord = self.core_class(**fields)  # type: ignore[assignment]
        return record


class SubmissionRecord(RecordModel):
    core_class = core.Submission
    type: Literal["submission"]
    milestone: Id
    unit: Id
    on: dt.date
    reference: str | None = None
    note: str | None = None


class VoidRecord(RecordModel):
    core_class = core.Void
    type: Literal["void"]
    target: Id
    reason: Text


class ExtensionRecord(RecordModel):
    core_class = core.Extension
    type: Literal["extension"]
    milestone: Id
    unit: Id
    to: dt.date
    reason: Text
    after_submission: bool = False


class ScheduleRecord(RecordModel):
    core_class = core.Schedule
    type: Literal["schedule"]
    milestone: Id
    on: dt.date
    reason: Text


class TaskRecord(RecordModel):
    core_class = core.AdHocTask
    type: Literal["task"]
    milestone: Id
    title: Text
    due: dt.date | None = None
    units: list[Id] = Field(min_length=1)
    assigned_by: Text
    recipient: Id | None = None


AnyRecordModel = SubmissionRecord | VoidRecord | ExtensionRecord | ScheduleRecord | TaskRecord
AnyRecord = Annotated[AnyRecordModel, Field(discriminator="type")]

# The record models by core class and by tag, from the union itself.
MODELS: dict[type[core.Record], type[RecordModel]] = {
    m.core_class: m for m in get_args(AnyRecordModel)
}
TAGS: dict[type[core.Record], str] = {
    m.core_class: get_args(m.model_fields["type"].annotation)[0] for m in get_args(AnyRecordModel)
}


def record_type(record: core.Record) -> str:
    """The `type` tag of a core record (`submission`, `void`, …)."""
    return TAGS[type(record)]


# JSON Schema's annotations, which say nothing about what is valid.
_ANNOTATIONS = frozenset({"title", "description", "default", "examples"})


def _rule(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _rule(v) for k, v in node.items() if k not in _ANNOTATIONS}
    if isinstance(node, list):
        return [_rule(v) for v in node]
    return node


def record_rules() -> dict[str, Any]:
    """What each record must be to be written, by core class: its `type` tag, required
    keys and each key's JSON Schema (the models' own, annotations left out). A write
    checks its new records against the copy in `ledger_records.json`
    (`storage.new_records`), so that it need not import pydantic; a test keeps the copy
    equal to this."""
    rules: dict[str, Any] = {}
    for model in get_args(AnyRecordModel):
        schema = model.model_json_schema()
        rules[model.core_class.__name__] = {
            "tag": TAGS[model.core_class],
            "required": schema["required"],
            "properties": {name: _rule(rule) for name, rule in schema["properties"].items()},
        }
    return rules


class LedgerFile(Strict):
    schema_version: Literal[1]
    plan: Id
    records: list[AnyRecord] = Field(default_factory=list)
