"""The register of the plans an office uses (`plans.toml` in the data directory).

`kttn init` registers the plan it writes; `kttn plans add/remove` edit the register
(never the plan files); `--plan ID` finds a plan here; `--all-plans` covers them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kttn_cli.errors import DataError
from kttn_cli.i18n import N_

FILE_NAME = "plans.toml"


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    path: Path


class Registry:
    def __init__(self, data_dir: Path) -> None:
        self.file = data_dir / FILE_NAME

    def entries(self) -> list[Entry]:
        if not self.file.exists():
            return []
        from kttn_cli.storage.files import read_data_file
        from kttn_cli.storage.toml_files import parse

        parsed = parse(self.file, read_data_file(self.file, "registry"), "registry")
        data = parsed.data
        plans = data.get("plans") if isinstance(data, dict) else None
        if parsed.problems or not isinstance(plans, list):
            raise DataError(
                N_("the plan register {path} cannot be read; fix or remove it"), path=self.file
            )
        out = []
        for item in plans:
            if (
                isinstance(item, dict)
                and isinstance(item.get("id"), str)
                and isinstance(item.get("path"), str)
            ):
                out.append(Entry(item["id"], Path(item["path"])))
        return out

    def path_of(self, plan_id: str) -> Path | None:
        return next((e.path for e in self.entries() if e.id == plan_id), None)

    def add(self, plan_id: str, path: Path) -> bool:
        """Register (or move) a plan; False when it was already registered there."""
        path = Path(os.path.abspath(path))
        entries = self.entries()
        if any(e.id == plan_id and e.path == path for e in entries):
            return False
        kept = [e for e in entries if e.id != plan_id]
        self._write([*kept, Entry(plan_id, path)])
        return True

    def remove(self, plan_id: str) -> bool:
        entries = self.entries()
        kept = [e for e in entries if e.id != plan_id]
        if len(kept) == len(entries):
            return False
        self._write(kept)
        return True

    def _write(self, entries: list[Entry]) -> None:
        import tomli_w

        from kttn_cli.storage.atomic import replace_file

        header = "# Các kế hoạch kttn theo dõi / plans kttn tracks: `kttn plans`\n"
        body = tomli_w.dumps({"plans": [{"id": e.id, "path": str(e.path)} for e in entries]})
        self.file.parent.mkdir(parents=True, exist_ok=True)
        replace_file(self.file, (header + body).encode("utf-8"), mode=0o644)
