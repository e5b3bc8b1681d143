"""Build hook: compile the message catalogs (`.po`, which translators edit) into the
`.mo` files gettext reads, with Babel. Runs for every build, editable installs included,
so a catalog is never edited or committed in compiled form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        for po in sorted((root / "src" / "kttn_cli" / "locale").glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as handle:
                catalog = read_po(handle)
            mo = po.with_suffix(".mo")
            with mo.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            if version != "editable":
                # Compiled catalogs are not in git (.gitignore); put them in the wheel.
                build_data["force_include"][str(mo)] = str(mo.relative_to(root / "src"))
