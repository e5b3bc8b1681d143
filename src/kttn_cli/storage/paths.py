"""Where the plan, the ledger and kttn's data live (DESIGN §4: option > environment > default)."""

from __future__ import annotations

import os
from pathlib import Path

from kttn_cli.storage.plan_file import BUNDLED_PLAN


def plan_path(option: Path | None) -> Path:
    """`--plan`, else `KTTN_PLAN`, else the bundled plan."""
    if option is not None:
        return option
    env = os.environ.get("KTTN_PLAN")
    return Path(env) if env else BUNDLED_PLAN


def data_dir() -> Path:
    """`KTTN_DATA_DIR`, else the platform's user data directory."""
    env = os.environ.get("KTTN_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("kttn", appauthor=False)


def ledger_path(option: Path | None, plan_id: str) -> Path:
    """`--ledger`, else `KTTN_LEDGER`, else one ledger per plan id in the data directory."""
    if option is not None:
        return option
    env = os.environ.get("KTTN_LEDGER")
    return Path(env) if env else data_dir() / f"{plan_id}.ledger.toml"
