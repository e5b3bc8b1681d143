"""The ledger file format: what kttn writes and accepts back (pydantic, strict)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: Id
    recorded_at: dt.datetime
    recorded_by: Text


class SubmissionRecord(_Record):
    type: Literal["submission"]
    milestone: Id
    unit: Id
    on: dt.date
    reference: str | None = None
    note: str | None = None


class VoidRecord(_Record):
    type: Literal["void"]
    target: Id
    reason: Text


class ExtensionRecord(_Record):
    type: Literal["extension"]
    milestone: Id
    unit: Id
    to: dt.date
    reason: Text


class TaskRecord(_Record):
    type: Literal["task"]
    milestone: Id
    title: Text
    due: dt.date | None = None
    units: list[Id] = Field(min_length=1)
    assigned_by: Text
    recipient: Id | None = None


AnyRecord = Annotated[
    SubmissionRecord | VoidRecord | ExtensionRecord | TaskRecord, Field(discriminator="type")
]


class LedgerFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    schema_version: Literal[1]
    plan: Id
    records: list[AnyRecord] = Field(default_factory=list)
