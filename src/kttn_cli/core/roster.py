"""Reading old records through a plan that changed (docs/architecture.md, "Plans that change").

Records keep the ids they were written with. When the plan renames a milestone
(`renamed_from`) or replaces a unit (`replaces`), this module says what an old id means
now:

- a milestone id listed in another milestone's `renamed_from` is that milestone;
- a unit replaced by exactly one unit is that unit (a rename);
- a unit replaced by several units (a collective placeholder — "the committee's members"
  — replaced by the real members) stays itself: its records are that placeholder's
  history, shown as such, and are not handed to any one member.
"""

from __future__ import annotations

from dataclasses import dataclass

from kttn_cli.core.model import Plan


@dataclass(frozen=True, slots=True)
class UnitReading:
    unit_id: str
    history: bool  # a placeholder replaced by several units: its own past, not theirs


@dataclass(frozen=True)
class Roster:
    """The plan's mappings from old ids to current ones."""

    milestone_aliases: dict[str, str]
    successors: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, plan: Plan) -> Roster:
        aliases: dict[str, str] = {}
        for milestone in plan.milestones:
            for old in milestone.renamed_from:
                aliases.setdefault(old, milestone.id)
        successors: dict[str, list[str]] = {}
        for unit in plan.units:
            for old in unit.replaces:
                successors.setdefault(old, []).append(unit.id)
        return cls(aliases, {k: tuple(v) for k, v in successors.items()})

    def milestone(self, plan: Plan, milestone_id: str) -> str | None:
        """The current id of a milestone a record names, or None if nothing knows it."""
        if plan.has_milestone(milestone_id):
            return milestone_id
        return self.milestone_aliases.get(milestone_id)

    def unit(self, plan: Plan, unit_id: str) -> UnitReading | None:
        """What a unit id a record names stands for now, or None if nothing knows it."""
        after = self.successors.get(unit_id, ())
        if plan.has_unit(unit_id):
            return UnitReading(unit_id, history=len(after) > 1)
        if len(after) == 1:
            return self.unit(plan, after[0]) if after[0] != unit_id else None
        if after:
            return UnitReading(unit_id, history=True)
        return None
