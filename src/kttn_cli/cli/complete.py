"""Tab completion (work in progress: answers nothing yet)."""

from __future__ import annotations

from collections.abc import Mapping


def answer(words: list[str], env: Mapping[str, str]) -> int:
    return 0


def install(argv: list[str], env: Mapping[str, str]) -> int:
    return 0
