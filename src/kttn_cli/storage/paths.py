"""Where kttn keeps its files: the platform's directories, unless settings say otherwise.

Functions here are given every setting they need; none reads the environment (the CLI's
`Session` resolves settings once, docs/architecture.md "Settings").
"""

from __future__ import annotations

from pathlib import Path

APP = "kttn"
_PACKAGE = Path(__file__).resolve().parent.parent
# The bundled plan lives in the repository's `data/`; the build copies it into the
# package (pyproject.toml, force-include), where an installed kttn finds it. A source
# checkout (an editable install) reads it where it lives.
_INSTALLED = _PACKAGE / "data"
DATA = _INSTALLED if (_INSTALLED / "plan_2024.toml").exists() else _PACKAGE.parent.parent / "data"
BUNDLED_PLAN = DATA / "plan_2024.toml"
BUNDLED_SCHEMA = DATA / "plan.schema.json"


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


def user_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP, appauthor=False)


def default_ledger(data_dir: Path, plan_id: str) -> Path:
    """One ledger per plan id in the data directory."""
    return data_dir / f"{plan_id}.ledger.toml"
