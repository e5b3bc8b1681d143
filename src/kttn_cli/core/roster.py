"""Reading old records through a plan that changed (docs/architecture.md, "Plans that change").

Records keep the ids they were written with. When the plan renames a milestone
(`renamed_from`) or replaces a unit (`replaces`), this module says what an old id means
now:

- a milestone id listed in another milestone's `renamed_from` is that milestone;
- a unit the plan no longer lists, replaced by exactly one unit, is that unit (a rename;
  followed along a chain of renames);
- a unit replaced by several units (a collective placeholder — "the committee's members"
  — replaced by the real members) stays itself: its records are that placeholder's
  history, shown as such, and are not handed to any one member;
- a unit the plan still lists stays itself: a unit with a life span keeps its own
  records, and its successors (`heirs`) take over only what falls after its life.

Every walk along `replaces` remembers where it has been: a plan that makes two units
replace each other is reported by `core.checks`, and never loops here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from kttn_cli.core.model import Plan


@dataclass(frozen=True, slots=True)
class UnitReading:
    unit_id: str
    history: bool  # a placeholder replaced by several units: its own past, not theirs


@dataclass(frozen=True)
class Roster:
    """The plan's mappings from old ids to current ones."""

    milestone_aliases: dict[str, str]
    successors: dict[str, tuple[str, ...]]  # unit id → the units that replace it
    predecessors: dict[str, tuple[str, ...]]  # unit id → the units it replaces

    @classmethod
    def of(cls, plan: Plan) -> Roster:
        aliases: dict[str, str] = {}
        for milestone in plan.milestones:
            for old in milestone.renamed_from:
                aliases.setdefault(old, milestone.id)
        successors: dict[str, list[str]] = {}
        predecessors: dict[str, tuple[str, ...]] = {}
        for unit in plan.units:
            before = tuple(old for old in unit.replaces if old != unit.id)
            if before:
                predecessors[unit.id] = before
            for old in before:
                successors.setdefault(old, []).append(unit.id)
        return cls(aliases, {k: tuple(v) for k, v in successors.items()}, predecessors)

    def milestone(self, plan: Plan, milestone_id: str) -> str | None:
        """The current id of a milestone a record names, or None if nothing knows it."""
        if plan.has_milestone(milestone_id):
            return milestone_id
        return self.milestone_aliases.get(milestone_id)

    def unit(self, plan: Plan, unit_id: str) -> UnitReading | None:
        """What a unit id a record names stands for now, or None if nothing knows it."""
        seen: set[str] = set()
        current = unit_id
        while current not in seen:
            seen.add(current)
            after = self.successors.get(current, ())
            if plan.has_unit(current):
                return UnitReading(current, history=len(after) > 1)
            if len(after) > 1:
                return UnitReading(current, history=True)
            if not after:
                return None
            current = after[0]
        return None  # a cycle of renames that reaches no unit of the plan

    def heirs(self, plan: Plan, unit_id: str, day: date) -> Iterator[str]:
        """The units that take over `unit_id`'s share due on `day`: its successors that
        exist on that day, or, for a successor that does not, that successor's own heirs
        (B replaced A and ended too; C replaced B)."""
        seen = {unit_id}
        waiting = list(self.successors.get(unit_id, ()))
        while waiting:
            current = waiting.pop(0)
            if current in seen:
                continue
            seen.add(current)
            if plan.has_unit(current) and plan.unit(current).active_on(day):
                yield current
            else:
                waiting.extend(self.successors.get(current, ()))

    def related(self, unit_id: str) -> set[str]:
        """The units `unit_id` took over from and the units that took over from it, along
        whole chains (not its siblings: the other members replacing the same
        placeholder)."""
        found: set[str] = set()
        for links in (self.predecessors, self.successors):
            waiting = [unit_id]
            while waiting:
                for other in links.get(waiting.pop(), ()):
                    if other not in found and other != unit_id:
                        found.add(other)
                        waiting.append(other)
        return found

    def cycles(self) -> list[list[str]]:
        """Each chain of `replaces` that comes back to where it started, once (iterative
        depth-first search, as `core.checks` does for inputs)."""
        found: list[list[str]] = []
        state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
        for start in self.predecessors:
            if start in state:
                continue
            path = [start]
            state[start] = 1
            stack = [iter(self.predecessors.get(start, ()))]
            while stack:
                step = next(stack[-1], None)
                if step is None:
                    state[path.pop()] = 2
                    stack.pop()
                elif state.get(step) == 1:
                    found.append([*path[path.index(step) :], step])
                elif step not in state:
                    state[step] = 1
                    path.append(step)
                    stack.append(iter(self.predecessors.get(step, ())))
        return found
