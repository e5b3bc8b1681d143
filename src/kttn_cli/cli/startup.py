"""Keeping start-up fast: option values without pydantic.

Typer (0.29) converts every non-flag option and argument through a pydantic
`TypeAdapter`, built on first use. For `kttn overdue --format plain` that imports
pydantic and its plugin loader (importlib.metadata, email) and builds an adapter per
option: measured 164 ms against 85 ms without, on a floor of 92 (issue 6, bench/).

The options kttn declares are plain: `str`, `int`, `Path`, a `StrEnum`, lists of those.
`FastCommand` gives each such parameter a converter that handles the ordinary value
itself, through Typer's own helpers for choices and paths (no pydantic there), and hands
anything else (a bad value, a type it does not know) to Typer's own converter, so error
messages and behaviour stay Typer's. If Typer's internals change shape, nothing is
replaced and Typer works as it always does; tests/test_startup_guards.py notices that
pydantic is back on the fast paths.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import typer.core

try:
    from typer._coercion import build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path

    KNOWN_TYPER = True
except ImportError:  # pragma: no cover - another Typer: keep its own conversion
    KNOWN_TYPER = False


class _Unhandled(Exception):
    """The value is not an ordinary one: let Typer convert it."""


class FastConversion:
    """Stands in for Typer's `RuntimeParam` of one parameter (same `coerce` signature)."""

    def __init__(self, descriptor: Any) -> None:
        self.descriptor = descriptor
        self.info = descriptor.parameter_info
        self._typer: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        try:
            if multi:
                if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
                    raise _Unhandled
                item = _item_type(self.descriptor.annotation)
                return [self._one(item, v, param, ctx) for v in value]
            return self._one(self.descriptor.annotation, value, param, ctx)
        except _Unhandled:
            if self._typer is None:
                self._typer = build_runtime_param(self.descriptor)
            return self._typer.coerce(value, param=param, ctx=ctx)

    def _one(self, annotation: Any, value: Any, param: Any, ctx: Any) -> Any:
        info = self.info
        if info.parser is not None or getattr(info, "click_type", None) is not None:
            raise _Unhandled
        if annotation is str:
            if type(value) is str:
                return value
        elif annotation is int:
            if type(value) is str and value.isascii() and value.isdigit():
                number = int(value)
            elif type(value) is int:
                number = value
            else:
                raise _Unhandled
            if (
                info.clamp
                or (info.min is not None and number < info.min)
                or (info.max is not None and number > info.max)
            ):
                raise _Unhandled
            return number
        elif isinstance(annotation, type) and issubclass(annotation, Enum):
            try:
                return coerce_cli_choice(
                    value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx
                )
            except ValueError:
                raise _Unhandled from None
        elif (
            isinstance(annotation, type)
            and issubclass(annotation, Path)
            and info.path_type is None
            and not info.allow_dash
        ):
            if type(value) is str:
                value = annotation(value)
            if isinstance(value, annotation):
                # Typer's own checks (exists, readable, …); with a Path it needs no pydantic.
                return coerce_cli_path(value, info, path_type=annotation, param=param, ctx=ctx)
        raise _Unhandled


def _item_type(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if getattr(annotation, "__origin__", None) is list and args and len(args) == 1:
        return args[0]
    raise _Unhandled


def speed_up(params: list[Any]) -> None:
    """Give each Typer parameter the fast converter, where Typer is the one we know."""
    if not KNOWN_TYPER:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue
        if getattr(descriptor, "file_annotation", None) is not None:
            continue
        param._runtime_param = FastConversion(descriptor)


class FastCommand(typer.core.TyperCommand):
    """A Typer command whose options are converted without pydantic (see module doc)."""

    def get_params(self, ctx: Any) -> list[Any]:
        # Typer adds the help option (and, on the group, completion options) late: this
        # is where every parameter that will be parsed is seen.
        params: list[Any] = super().get_params(ctx)
        speed_up(params)
        return params


class FastGroup(typer.core.TyperGroup):
    """A Typer group whose own options are converted without pydantic."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        speed_up(params)
        return params
