"""Field types shared by every file format."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64),
    Field(description="ASCII identifier: letters, digits, '.', '_' and '-'"),
]
Text = Annotated[str, StringConstraints(min_length=1)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")]


class Strict(BaseModel):
    """No unknown keys, no type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
