"""The ledger's records, resolved: what is in force after voids, and what comes next.

The ledger is append-only: a correction is a new record (a void, a replacement, an
extension), so the records in force are "every record not voided, voids aside".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from kttn_cli.core.model import AdHocTask, LedgerRecord, Void

RECORD_ID_PREFIX = "r"


@dataclass(frozen=True)
class Ledger:
    records: tuple[LedgerRecord, ...]

    # Not slotted, so that results can be cached on the instance: one command asks for
    # the records in force several times.
    @cached_property
    def voided(self) -> dict[str, str]:
        """Withdrawn record id → the id of the void that withdrew it (the first one)."""
        out: dict[str, str] = {}
        for record in self.records:
            if isinstance(record, Void):
                out.setdefault(record.target, record.id)
        return out

    @cached_property
    def active(self) -> tuple[LedgerRecord, ...]:
        """The records in force: no voids, nothing voided; in ledger order."""
        voided = self.voided
        return tuple(r for r in self.records if r.id not in voided and not isinstance(r, Void))

    @cached_property
    def ad_hoc_tasks(self) -> tuple[AdHocTask, ...]:
        """Ad-hoc tasks in force, in the order they were recorded."""
        return tuple(r for r in self.active if isinstance(r, AdHocTask))

    def next_ids(self, count: int) -> list[str]:
        """Short sequential ids (`r1`, `r2`, …) after the highest one in the ledger.

        Chosen under the ledger's lock, so an id is never given twice; an id a person
        typed by hand in another form can never equal one of these.
        """
        highest = 0
        for record in self.records:
            ident = record.id
            if ident.startswith(RECORD_ID_PREFIX) and ident[1:].isdigit():
                highest = max(highest, int(ident[1:]))
        return [f"{RECORD_ID_PREFIX}{highest + i}" for i in range(1, count + 1)]


EMPTY_LEDGER = Ledger(records=())
