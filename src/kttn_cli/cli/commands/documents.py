"""The office's own documents: report (the synthesis annex), letters (reminders), and the
workbook that `board` and `export` write with --format xlsx.

The document libraries (python-docx, xlsxwriter) are imported inside the functions that
write a document, never when this module is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kttn_cli.cli.options import STATE, UNITS
from kttn_cli.cli.session import Session
from kttn_cli.cli.spec import Param, command
from kttn_cli.core.status import Judged
from kttn_cli.errors import CannotWrite, UsageError, os_reason
from kttn_cli.i18n import N_, _, n_

if TYPE_CHECKING:
    from kttn_cli.core.model import Milestone
    from kttn_cli.documents.office import Office

NUMBER = Param(
    "number",
    "--number",
    metavar=N_("NUMBER"),
    help=N_("This report's own number and symbol, e.g. 125-BC/BTCTU (default: left blank)."),
)
OFFICE = Param(
    "office",
    "--office",
    kind="list",
    metavar=N_("LINE"),
    help=N_(
        "A line of the issuing office's header, the body above it first; repeatable "
        "(default: the settings file's [documents] office, else left blank)."
    ),
)
SIGNER = Param(
    "signer",
    "--signer",
    metavar=N_("NAME"),
    help=N_("Who signs (default: the settings file's [documents] signer, else left blank)."),
)
SIGNER_TITLE = Param(
    "signer_title",
    "--signer-title",
    kind="list",
    metavar=N_("LINE"),
    help=N_(
        "A line of the signer's authority and title (K/T, T/M, the office held); "
        "repeatable (default: the settings file's [documents] signer_title, else left "
        "blank)."
    ),
)
PLACE = Param(
    "place",
    "--place",
    metavar=N_("PLACE"),
    help=N_("The place in the place-and-date line (default: the settings file, else the plan's)."),
)
DOCUMENT_OUTPUT = Param(
    "output",
    "--output",
    "-o",
    metavar=N_("FILE"),
    complete="file",
    help=N_("Write the document to this file (atomically)."),
)
OFFICE_PARAMS = (OFFICE, SIGNER, SIGNER_TITLE, PLACE)


@command(
    "report",
    Param(
        "milestone",
        required=True,
        metavar=N_("MILESTONE"),
        complete="milestone",
        help=N_("A milestone that consolidates others (one with inputs)."),
    ),
    DOCUMENT_OUTPUT,
    NUMBER,
    *OFFICE_PARAMS,
    *STATE,
    examples=(
        (
            "kttn report III.3-bc-6-thang --as-of 2024-07-05 --output phu-luc.docx",
            N_("The annex of the 6-month synthesis report, as of 5 July 2024."),
        ),
        (
            "kttn report III.3-bc-6-thang --number 125-BC/BTCTU --signer 'Nguyễn Văn A' "
            "--output phu-luc.docx",
            N_("With this report's number and its signer."),
        ),
    ),
)
def report(
    s: Session,
    *,
    milestone: str,
    output: str | None,
    number: str | None,
    office: list[str] | None,
    signer: str | None,
    signer_title: list[str] | None,
    place: str | None,
) -> None:
    """The annex of a synthesis report, as a Word document (.docx).

    MILESTONE consolidates other reports: for each of its inputs, the annex has a
    summary paragraph to paste into the report and a numbered table of every unit (date
    received, number and symbol, status, days late, extension); then the progress of
    the plan's tasks.

    It follows the Party's document format (guide 36-HD/VPTW of 2018). What kttn does
    not know (this report's number, the issuing office, the signer) comes from the
    options or the [documents] table of the settings file, and is otherwise left as
    dotted blanks to fill in.
    """
    from kttn_cli.cli.lookup import find_milestone

    refuse_terminal(output, "docx")
    plan = s.plan
    target = plan.milestone(find_milestone(plan, milestone))
    if not target.inputs:
        consolidating = [m.id for m in plan.milestones if m.inputs]
        raise UsageError(
            N_("{milestone} consolidates no other milestone; choose one of: {choices}"),
            milestone=target.id,
            choices=", ".join(consolidating) or "—",
        )
    details = office_of(s, office, signer, signer_title, place)
    given_number = _text(number) if number else None
    from kttn_cli.cli.output import warn_problems
    from kttn_cli.documents.annex import annex_docx

    warn_problems(s)
    data = annex_docx(plan, s.judged, target, s.as_of, details, given_number)
    deliver(s, data, output, "docx")


@command(
    "letters",
    Param(
        "output",
        "--output",
        "-o",
        required=True,
        metavar=N_("DIRECTORY"),
        complete="file",
        help=N_("The directory to write the letters to (made if missing)."),
    ),
    UNITS,
    *OFFICE_PARAMS,
    *STATE,
    examples=(
        (
            "kttn letters --output don-doc --as-of 2024-07-05",
            N_("A letter to each unit with overdue or due-soon items."),
        ),
        ('kttn letters --output don-doc --unit "van lam"', N_("Only to one unit.")),
    ),
)
def letters(
    s: Session,
    *,
    output: str,
    units: list[str] | None,
    office: list[str] | None,
    signer: str | None,
    signer_title: list[str] | None,
    place: str | None,
) -> None:
    """Reminder letters in Word (.docx), one per unit with overdue or due-soon items.

    Each letter is addressed to the unit and lists the items with the plan's reference,
    the words of their deadline, where they stand and where they go.

    The standing office itself gets no letter unless named with --unit. The letters
    follow the format of `kttn report`, with the same options and settings; each file is
    named after the unit's id.
    """
    from kttn_cli.cli.output import warn_problems
    from kttn_cli.core.dates import show_date
    from kttn_cli.documents.letters import chased_units, letter_docx, writes_to

    plan = s.plan
    chased = chased_units(plan, s.judged)
    if units:
        from kttn_cli.cli.lookup import find_unit

        wanted = {find_unit(plan, u) for u in units}
        chased = {u: items for u, items in chased.items() if u in wanted}
    else:
        chased = {u: items for u, items in chased.items() if writes_to(plan, u)}
    warn_problems(s)
    if not chased:
        s.terminal.write(
            _("Nothing to chase as of {date}: no unit has overdue or due-soon items.").format(
                date=show_date(s.as_of)
            )
            + "\n"
        )
        return
    details = office_of(s, office, signer, signer_title, place)
    directory = Path(output)
    _make_directory(directory)
    from kttn_cli.storage.atomic import write_output

    lines = []
    for unit_id, items in chased.items():
        path = directory / f"{unit_id}.docx"
        write_output(path, letter_docx(plan, unit_id, items, s.as_of, details))
        count = n_("{count} item", "{count} items", len(items)).format(count=len(items))
        lines.append(f"{path}  {plan.unit_name(unit_id)}: {count}\n")
    s.terminal.write("".join(lines))


def write_workbook(
    s: Session, judged: Sequence[Judged], grid: Sequence[Milestone], output: str | None
) -> None:
    """The board workbook of `judged` (`board` and `export` with --format xlsx)."""
    from kttn_cli.cli.output import warn_problems
    from kttn_cli.documents.workbook import workbook_xlsx

    refuse_terminal(output, "xlsx")
    warn_problems(s)
    deliver(s, workbook_xlsx(s.plan, judged, s.as_of, grid), output, "xlsx")


def refuse_terminal(output: str | None, kind: str) -> None:
    """A document goes to --output, or to stdout when it is not a terminal: a binary
    file is no use on a screen (exit 2, before any work)."""
    if output is not None and output != "-":
        return
    stdout = sys.stdout
    if stdout is not None and stdout.isatty():
        raise UsageError(
            N_("a {kind} file cannot be shown on a terminal: use --output FILE"), kind=kind
        )


def deliver(s: Session, data: bytes, output: str | None, kind: str) -> None:
    """Write a document to --output, else to stdout (not a terminal)."""
    if output is None or output == "-":
        refuse_terminal(output, kind)
        s.terminal.write_bytes(data)
        return
    from kttn_cli.storage.atomic import write_output

    write_output(Path(output), data)


def office_of(
    s: Session,
    office: list[str] | None,
    signer: str | None,
    signer_title: list[str] | None,
    place: str | None,
) -> Office:
    """The office's details: each option, else the settings file's [documents] table."""
    from kttn_cli.documents.office import Office

    def setting(name: str) -> Any:
        return s.settings.value(f"documents_{name}")

    return Office(
        header=_lines(office) or _lines(setting("office")),
        symbol=_text(str(setting("symbol") or "")),
        place=_text(place or str(setting("place") or "")),
        signer=_text(signer or str(setting("signer") or "")),
        signer_title=_lines(signer_title) or _lines(setting("signer_title")),
    )


def _text(value: str) -> str:
    from kttn_cli.core.text import nfc

    return " ".join(nfc(value).split())


def _lines(value: object) -> tuple[str, ...]:
    """Lines from an option given several times, or a settings value (one line or a
    list of lines)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return tuple(line for line in (_text(str(item)) for item in items) if line)


def _make_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=directory, reason="Not a directory"
        ) from None
    except OSError as exc:
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=directory, reason=os_reason(exc)
        ) from None
