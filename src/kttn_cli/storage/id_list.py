"""The id list that shell completion reads (`cli/complete.py`): the plan's milestone,
unit, task and group ids with their names, and the newest record ids in force.

Every command that loads a state leaves it in the user's cache directory, one entry per
plan file (the last few plans used), rewritten only when it changed. A Tab reads it
with the standard library alone, without loading the plan. Best effort, like every
cache: a failure here never stops a command; completion then offers no ids.
"""

from __future__ import annotations

import json
import os

from kttn_cli.storage.cache_file import open_regular

# Not `from typing import TYPE_CHECKING`: completion reads this module on every Tab.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from kttn_cli.storage.loader import State

FILE_NAME = "completion-ids.json"
FORMAT = 1
MAX_PLANS = 8  # plans kept, the most recently used last
MAX_RECORDS = 200  # record ids offered to `kttn void`, the newest ones


def file_in(cache_dir: Path | str) -> str:
    # os.path, not pathlib: completion reads this on every Tab (cli/complete.py).
    return os.path.join(cache_dir, FILE_NAME)  # noqa: PTH118


def entry_of(state: State) -> dict[str, Any]:
    """What completion needs of one plan (its ad-hoc tasks included), as JSON values."""
    from itertools import islice

    plan = state.book.plan_with_tasks(state.plan)
    # The newest first, without copying a ledger's worth of ids.
    newest = islice(reversed(state.book.in_force.items()), MAX_RECORDS)
    return {
        "id": plan.info.id,
        "milestones": [[m.id, m.short or m.title] for m in plan.milestones],
        "units": [[u.id, u.name, u.short or ""] for u in plan.units],
        "tasks": [[t.id, t.title] for t in plan.tasks],
        "groups": [[g.id, g.name] for g in plan.groups],
        "records": [[ident, *place] for ident, place in newest],
    }


def remember(cache_dir: Path, plan_path: Path, state: State, *, default: bool) -> None:
    """Keep the state's ids for completion, if they differ from what is kept.

    `default`: the plan is the one kttn uses when neither --plan nor KTTN_PLAN names one
    (the settings file's, or the bundled plan); completion falls back to it.
    """
    try:
        key = os.path.realpath(plan_path)
        entry = entry_of(state)
        target = file_in(cache_dir)
        data = read(target) or {"format": FORMAT, "plans": {}}
        plans: dict[str, Any] = data["plans"]
        if (
            plans.get(key) == entry
            and data.get("last") == key
            and (not default or data.get("default") == key)
        ):
            return
        plans.pop(key, None)
        plans[key] = entry
        if default:
            data["default"] = key
        data["last"] = key
        keep = {key, data.get("default")}
        while len(plans) > MAX_PLANS:
            oldest = next(k for k in plans if k not in keep)
            del plans[oldest]
        _write(target, data)
    except Exception:  # best effort: never fail a command for completion
        return


def read(path: str) -> dict[str, Any] | None:
    """The id list, or None when it is missing, damaged or of another format."""
    try:
        with open_regular(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("plans"), dict)
    ):
        return None
    return data


def _write(name: str, data: dict[str, Any]) -> None:
    from kttn_cli.storage.cache_file import write_cache_file

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_cache_file(name, text.encode("utf-8"))
