"""Bring the message catalog up to date with the code (docs/architecture.md, "Language").

    python scripts/catalog.py            # extract, then update locale/vi/.../kttn.po
    python scripts/catalog.py --check    # exit 1 if the catalog is not up to date
    python scripts/catalog.py --fold     # also fold the fragments in and remove them

Messages are the strings in `_()`, `N_()`, `n_()`/`Nn_()` calls and the docstrings of
the commands (`@command`), which are their help pages. New messages enter `kttn.po`
untranslated; messages no longer in the code leave it. Translate in Poedit (or any PO
editor), then reinstall (`pip install -e .`): the build compiles the catalog.
Translations written elsewhere in PO format (`locale/vi/fragments/*.po`, one per piece
of work in progress) are merged in; `--fold` removes the fragments once merged.
"""

from __future__ import annotations

import ast
import sys
from datetime import UTC, datetime
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "kttn_cli"
CATALOG = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "kttn.po"
FRAGMENTS = PACKAGE / "locale" / "vi" / "fragments"
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2), "Nn_": (1, 2)}
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def command_docstrings(path: Path) -> Iterator[tuple[int, str]]:
    """The docstrings of functions declared with `@command(...)`, as `inspect.cleandoc`
    (and `cli.spec.cleandoc`) gives them."""
    import inspect

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Name)
                and decorator.func.id == "command"
            ):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    yield node.lineno, inspect.cleandoc(doc)


def extract() -> Catalog:
    """Every message of the code, as a template catalog."""
    template = Catalog(project="kttn", domain="kttn")
    for filename, lineno, message, comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        location = (f"src/kttn_cli/{filename}", lineno)
        template.add(message, locations=[location], auto_comments=comments)
    for path in sorted(PACKAGE.rglob("commands/*.py")):
        for lineno, doc in command_docstrings(path):
            template.add(doc, locations=[(str(path.relative_to(ROOT)), lineno)])
    return template


def load() -> Catalog:
    if not CATALOG.exists():
        return Catalog(locale="vi", project="kttn", domain="kttn")
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="vi")


def updated() -> Catalog:
    catalog = load()
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    for fragment in sorted(FRAGMENTS.glob("*.po")) if FRAGMENTS.exists() else []:
        with fragment.open("rb") as handle:
            extra = read_po(handle, locale="vi")
        for message in extra:
            if message.id and message.string and message.id in catalog:
                catalog[message.id].string = message.string
    return catalog


def render(catalog: Catalog) -> bytes:
    import io

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, omit_header=False, no_location=True)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    catalog = updated()
    catalog.header_comment = (
        "# Vietnamese messages of kttn. Edit with Poedit; run scripts/catalog.py after\n"
        "# changing messages in the code."
    )
    # A fixed header: the file changes only when messages change (`--check` compares).
    catalog.fuzzy = False
    catalog.version = "1"
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    catalog.last_translator = "kttn developers"
    catalog.language_team = "kttn developers"
    catalog.msgid_bugs_address = ""
    data = render(catalog)
    if "--check" in argv:
        current = CATALOG.read_bytes() if CATALOG.exists() else b""
        if current != data:
            print("kttn.po is not up to date: run python scripts/catalog.py", file=sys.stderr)
            return 1
        return 0
    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    CATALOG.write_bytes(data)
    # The build compiles the catalog too (hatch_build.py); compiling here saves a
    # reinstall while translating.
    from babel.messages.mofile import write_mo

    with CATALOG.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    if "--fold" in argv and FRAGMENTS.exists():
        for fragment in FRAGMENTS.glob("*.po"):
            fragment.unlink()
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{CATALOG.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
