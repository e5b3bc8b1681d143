"""Where the cache and the data are, for the paths that run before anything is imported
(a Tab, the replay of a read): `storage/paths.py`'s answers (platformdirs) computed with
strings and os.path on the platforms whose rule is plain XDG, and asked of
`storage/paths.py` everywhere else (docs/architecture.md, "Speed").
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Strings and os.path here, not pathlib: importing pathlib (fnmatch, urllib.parse…) costs
# a quarter of an empty Python's start-up, and a Tab has three of those in all.
_XDG = ("linux", "freebsd", "openbsd", "netbsd")


def cache_dir(env: Mapping[str, str]) -> str:
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/kttn")
    if sys.platform.startswith(_XDG):
        base = env.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
        return os.path.join(base, "kttn")
    from kttn_cli.storage.paths import user_cache_dir

    return str(user_cache_dir())


def data_dir(env: Mapping[str, str]) -> str:
    given = env.get("KTTN_DATA_DIR", "")
    if given:
        # Not normalised: `link/..` is for the file system to resolve (cli.settings.absolute).
        path = os.path.expanduser(given)
        return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
    if sys.platform.startswith(_XDG):
        base = env.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return os.path.join(base, "kttn")
    from kttn_cli.storage.paths import user_data_dir

    return str(user_data_dir())


def config_dir(env: Mapping[str, str]) -> str:
    if sys.platform.startswith(_XDG):
        base = env.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return os.path.join(base, "kttn")
    from kttn_cli.storage.paths import user_config_dir

    return str(user_config_dir())
