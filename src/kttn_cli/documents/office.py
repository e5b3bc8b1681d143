"""What an office document needs that the plan and the ledger do not say.

The issuing office's header, the abbreviation in its document numbers, the place, the
signer of *this* document and its own number come from the command line or the
`[documents]` table of the settings file. What is not given is left as the dotted blank
that drafts use ("…………"), for the clerk to fill in: nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kttn_cli.i18n import _

# The blank of a draft: what the clerk fills in by hand.
BLANK = "…………"


@dataclass(frozen=True, slots=True)
class Office:
    """The issuing office and the signer, as far as they are known."""

    # The header block, line by line: the body above the office first (printed upright),
    # the office itself last (printed bold), e.g. ("TỈNH ỦY …", "BAN TỔ CHỨC").
    header: tuple[str, ...] = ()
    symbol: str = ""  # the office's abbreviation in numbers: 12-BC/«symbol»
    place: str = ""  # the place in the place-and-date line
    signer: str = ""  # the signer's name
    signer_title: tuple[str, ...] = ()  # e.g. ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")

    def header_lines(self) -> tuple[str, ...]:
        """The header in capitals (the format's rule), or a blank for the office."""
        return tuple(line.upper() for line in self.header) or (BLANK,)

    def number(self, kind: str, given: str | None = None) -> str:
        """`Số 12-BC/BTCTU`: the number given, else blanks where it is unknown.

        `kind` is the document type's abbreviation (BC: báo cáo, CV: công văn).
        """
        if given:
            return _("No. {number}").format(number=given)
        return _("No. {number}").format(number=f"{BLANK}-{kind}/{self.symbol or BLANK}")

    def place_and_date(self, day: date, fallback_place: str = "") -> str:
        """`«place», ngày 05 tháng 7 năm 2024`.

        The day is written with two digits below 10, the month with two digits only for
        January and February (the format's rule for this line).
        """
        place = self.place or fallback_place or BLANK
        return _("{place}, {day}/{month}/{year}").format(
            place=place,
            day=f"{day.day:02d}",
            month=f"{day.month:02d}" if day.month < 3 else str(day.month),
            year=f"{day.year:04d}",
        )

    def signature_titles(self) -> tuple[str, ...]:
        return tuple(line.upper() for line in self.signer_title) or (BLANK,)

    def signature_name(self) -> str:
        return self.signer or BLANK
