"""The register of the plans an office uses (`plans.toml` in the data directory).

`kttn init` registers the plan it writes; `kttn plans add/remove` edit the register
(never the plan files); `--plan ID` finds a plan here; `--all-plans` covers what
`registered_plans` lists. The register maps a plan id to its file: the id names the
plan's ledger, so two files with one id would share one ledger, and the register refuses
that. Every change is read, made and written under a lock, atomically.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kttn_cli.errors import CannotWrite, DataError, TemporaryFailure, os_reason
from kttn_cli.i18n import N_

FILE_NAME = "plans.toml"
LOCK_TIMEOUT = 10.0
HEADER = (
    "# Các kế hoạch kttn theo dõi: do kttn ghi (`kttn init`, `kttn plans add/remove`).\n"
    "# Plans kttn tracks: written by kttn (`kttn init`, `kttn plans add/remove`).\n"
)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    path: Path


class Registry:
    def __init__(self, data_dir: Path) -> None:
        self.file = data_dir / FILE_NAME

    def entries(self) -> list[Entry]:
        """The registered plans, in the order they were registered."""
        if not self.file.exists():
            return []
        from kttn_cli.storage.files import read_data_file
        from kttn_cli.storage.toml_files import parse

        parsed = parse(self.file, read_data_file(self.file, "registry"), "registry")
        data = parsed.data
        plans = data.get("plans", []) if isinstance(data, dict) else None
        if parsed.problems or not isinstance(plans, list):
            raise DataError(
                N_("the plan register {path} cannot be read; fix or remove it"), path=self.file
            )
        out = []
        for item in plans:
            if not (
                isinstance(item, dict)
                and isinstance(item.get("id"), str)
                and isinstance(item.get("path"), str)
            ):
                raise DataError(
                    N_("the plan register {path} cannot be read; fix or remove it"),
                    path=self.file,
                )
            out.append(Entry(item["id"], Path(item["path"])))
        return out

    def path_of(self, plan_id: str) -> Path | None:
        return next((e.path for e in self.entries() if e.id == plan_id), None)

    def find(self, name: str) -> Entry | None:
        """The entry with this id, else the one for this file."""
        entries = self.entries()
        found = next((e for e in entries if e.id == name), None)
        if found is None:
            path = _absolute(Path(name))
            found = next((e for e in entries if e.path == path), None)
        return found

    def add(self, plan_id: str, path: Path) -> tuple[str, Entry | None]:
        """Register the plan `plan_id` at `path`; what happened, and the entry replaced.

        `"added"`; `"already"` (nothing to do); `"renamed"` (the file was registered
        under another id: its id was changed); `"moved"` (the id was registered for a
        file that no longer exists). Refuses (exit 65) an id registered for another file
        that exists: both would write one ledger.
        """
        path = _absolute(path)
        with self._locked():
            entries = self.entries()
            same_id = next((e for e in entries if e.id == plan_id), None)
            same_file = next((e for e in entries if e.path == path), None)
            if same_id is not None and same_id.path == path:
                return "already", same_id
            if same_id is not None and same_id.path.exists():
                raise DataError(
                    N_(
                        "plan id {id!r} is already registered for {other}; two plan files "
                        "with one id would share one ledger. Give {path} another id (in its "
                        "[plan] table), or forget the other with `kttn plans remove {id}`"
                    ),
                    id=plan_id,
                    other=same_id.path,
                    path=path,
                )
            kept = [e for e in entries if e.id != plan_id and e.path != path]
            self._write([*kept, Entry(plan_id, path)])
            if same_file is not None:
                return "renamed", same_file
            if same_id is not None:
                return "moved", same_id
            return "added", None

    def remove(self, name: str) -> Entry | None:
        """Forget the plan with this id (or registered for this file); the files stay."""
        with self._locked():
            found = self.find(name)
            if found is not None:
                self._write([e for e in self.entries() if e != found])
            return found

    @contextmanager
    def _locked(self) -> Iterator[None]:
        from kttn_cli.storage.lock import LockTimeout, acquire

        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CannotWrite(
                N_("cannot write {path}: {reason}"),
                path=self.file.parent,
                reason=os_reason(exc),
            ) from None
        try:
            lock = acquire(str(self.file.with_name(FILE_NAME + ".lock")), LOCK_TIMEOUT)
        except LockTimeout:
            raise TemporaryFailure(
                N_("the plan register {path} is locked by another kttn; try again"),
                path=self.file,
            ) from None
        except OSError as exc:
            raise CannotWrite(
                N_("cannot write {path}: {reason}"), path=self.file, reason=os_reason(exc)
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _write(self, entries: list[Entry]) -> None:
        import tomli_w

        from kttn_cli.storage.atomic import default_mode, replace_file

        body = tomli_w.dumps(
            {"plans": [{"id": e.id, "path": str(e.path)} for e in entries]}, multiline_strings=False
        )
        replace_file(self.file, (HEADER + body).encode("utf-8"), mode=default_mode())


def _absolute(path: Path) -> Path:
    """The path as given, made absolute and without `..` (links are not followed: the
    register keeps the path the person chose)."""
    return Path(os.path.normpath(path.absolute()))


@functools.cache  # the bundled plan is part of the package: read it once per process
def bundled_plan_id() -> str:
    """The bundled plan's id, read from its `[plan]` table (no validation: the bundled
    plan is checked by its own tests)."""
    import tomli

    from kttn_cli.storage.paths import BUNDLED_PLAN

    with BUNDLED_PLAN.open("rb") as handle:
        data = tomli.load(handle)
    return str(data["plan"]["id"])


def default_plan(data_dir: Path) -> Path:
    """The plan used when none is named: the office's own copy of the bundled plan if
    one is registered with its id (`kttn init --same-id`, made to edit the plan in use:
    it goes on with the same ledger), else the bundled plan. Without a register, one
    `stat` and nothing read."""
    from kttn_cli.storage.paths import BUNDLED_PLAN

    registry = Registry(data_dir)
    if not registry.file.exists():
        return BUNDLED_PLAN
    found = registry.path_of(bundled_plan_id())
    return found if found is not None and found.exists() else BUNDLED_PLAN


def registered_plans(data_dir: Path) -> list[Path]:
    """The plans `--all-plans` covers, in register order: every registered plan (a file
    that is gone is listed too, for the caller to report), and the bundled plan unless a
    registered plan has its id, when nothing is registered or its ledger exists (an
    office that has recorded with it uses it); it comes first, as the default plan."""
    from kttn_cli.storage.paths import BUNDLED_PLAN, default_ledger

    entries = Registry(data_dir).entries()
    paths = [e.path for e in entries]
    bundled_id = bundled_plan_id()
    if BUNDLED_PLAN.resolve() in {p.resolve() for p in paths}:
        return paths
    if all(e.id != bundled_id for e in entries) and (
        not entries or default_ledger(data_dir, bundled_id).exists()
    ):
        return [BUNDLED_PLAN, *paths]
    return paths
