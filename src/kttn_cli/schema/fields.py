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
    """No unknown keys, no type coercion, immutable. Validators are built on first use
    (`defer_build`): a write validates one or two record models, and need not build the
    others (measured with bench/: `submit` at 10k 2.38–2.44× floor B against 2.50–2.52×)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)
