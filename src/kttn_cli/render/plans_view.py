"""The register of plans for people (`kttn plans`): one row per plan, with its ledger and
what it holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from rich.table import Table
from rich.text import Text

from kttn_cli.i18n import _, n_
from kttn_cli.render import describe
from kttn_cli.render.status_views import paragraph, t
from kttn_cli.render.terminal import rendered, terminal


class PlanLine(Protocol):
    """What the CLI knows of one plan (`cli.commands.plans.PlanLine`)."""

    @property
    def id(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def bundled(self) -> bool: ...
    @property
    def ledger(self) -> Path | None: ...
    @property
    def records(self) -> int | None: ...
    @property
    def overdue(self) -> int | None: ...
    @property
    def problems(self) -> int: ...
    @property
    def unconfirmed(self) -> int: ...
    @property
    def error(self) -> str | None: ...
    @property
    def file_id(self) -> str | None: ...


def render_plans(lines: Sequence[PlanLine], as_of: date, registered: bool) -> str:
    """A table of the plans: id, plan file, ledger, records, overdue as of `as_of`."""
    out = terminal().console()
    paragraph(out, Text(describe.as_of_line(as_of)))
    if not registered:
        paragraph(
            out,
            Text(
                _(
                    "No registered plans; `kttn init FILE` or `kttn plans add FILE` adds one. "
                    "Until then kttn uses the bundled plan."
                ),
                style="dim",
            ),
        )
    table = Table(expand=True)
    table.add_column(_("Id"), no_wrap=True)
    table.add_column(_("Plan file and ledger"), overflow="fold", ratio=1)
    table.add_column(_("Records"), justify="right")
    table.add_column(_("Overdue"), justify="right")
    for line in lines:
        files = t(str(line.path))
        notes = []
        if line.bundled:
            notes.append(_("(bundled plan)"))
        if line.file_id:
            notes.append(_("its file now says id {id}").format(id=line.file_id))
        if line.error:
            notes.append(line.error)
        else:
            files.append("\n")
            ledger = str(line.ledger) if line.ledger else ""
            files.append_text(t(ledger, "dim"))
            if line.records is None:
                notes.append(_("(not created yet)"))
        if line.problems:
            notes.append(
                n_(
                    "the ledger has {count} problem (`kttn check`)",
                    "the ledger has {count} problems (`kttn check`)",
                    line.problems,
                ).format(count=line.problems)
            )
        if line.unconfirmed:
            notes.append(
                n_(
                    "{count} date to confirm",
                    "{count} dates to confirm",
                    line.unconfirmed,
                ).format(count=line.unconfirmed)
            )
        for note in notes:
            files.append("\n")
            files.append_text(t(note, "red" if note == line.error else "dim"))
        table.add_row(
            t(line.id or "—", "bold"),
            files,
            t("—" if line.records is None else str(line.records)),
            t(
                "—" if line.overdue is None else str(line.overdue),
                "bold red" if line.overdue else "",
            ),
        )
    out.print(table)
    return rendered(out)
