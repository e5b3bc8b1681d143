"""How commands hand their results to the terminal: pages for people, rows for programs."""

from __future__ import annotations

from collections.abc import Sequence

from kttn_cli.cli.session import Session
from kttn_cli.core.problems import Problem
from kttn_cli.core.status import Judged
from kttn_cli.i18n import _
from kttn_cli.render.terminal import terminal


def show_page(s: Session, page: str, no_pager: bool) -> None:
    """A page for people, paged when it is taller than the screen (unless --no-pager)."""
    s.page(page, no_pager)


def warn_problems(s: Session) -> None:
    """The ledger's problems on stderr, for outputs that have no room for them."""
    s.problems_stated = True
    blocking = [p for p in s.problems if p.blocking]
    if not blocking:
        return
    from kttn_cli.render.problems import problem_line

    for problem in blocking:
        terminal().error(_("warning: {problem}").format(problem=problem_line(problem)))


def header_problems(s: Session) -> tuple[Problem, ...]:
    """The problems a view states in its header (so they are not repeated on stderr)."""
    s.problems_stated = True
    return s.problems


def state_problems(s: Session) -> None:
    """After a command: the ledger's problems on stderr, if it read the state and did not
    state them itself (`show`, `tasks`, `log`, an export to a file): every command says
    that a record points nowhere."""
    if "state" in vars(s) and not s.problems_stated:
        warn_problems(s)


def emit_rows(s: Session, judged: Sequence[Judged], output_format: str) -> None:
    """The rows as JSON or CSV, the document contract of `export`."""
    from kttn_cli import export
    from kttn_cli.core.rows import to_row

    warn_problems(s)
    rows = [to_row(s.plan, j) for j in judged]
    if output_format == "json":
        data = export.json_bytes(s.plan, s.as_of, rows)
    else:
        data = export.csv_bytes(rows)
    terminal().write_bytes(data)
