"""Find a unit, milestone or task from what a person typed (docs/architecture.md,
"Command line").

An id matches exactly (any case), then an id the plan says was replaced or renamed
(`replaces`, `renamed_from`: what the ledger and the clerk's memory still use); otherwise
the query is folded (no diacritics, any case,
NFC or NFD) and compared with each candidate's names: an exact folded match wins, then
candidates whose id and names contain every typed word. One match is used; several or none is
an error that lists the candidates or the closest names.
"""

from __future__ import annotations

from dataclasses import dataclass

from kttn_cli.core.text import fold


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    names: tuple[str, ...]  # shown name first
    former_ids: tuple[str, ...] = ()  # ids it took over from (`replaces`, `renamed_from`)

    @property
    def label(self) -> str:
        return f"{self.id} ({self.names[0]})" if self.names else self.id


@dataclass(frozen=True, slots=True)
class Resolution:
    match: Candidate | None
    ambiguous: tuple[Candidate, ...] = ()
    closest: tuple[Candidate, ...] = ()


def _contains_all(candidate: Candidate, words: list[str]) -> bool:
    """Every typed word appears in the candidate's id or names (`bc 6 thang huyen`)."""
    haystack = " ".join(fold(n) for n in (candidate.id, *candidate.names))
    return all(word in haystack for word in words)


def resolve(query: str, candidates: list[Candidate]) -> Resolution:
    key = fold(query)
    if not key:
        return Resolution(None)
    by_id = [c for c in candidates if fold(c.id) == key]
    if len(by_id) == 1:
        return Resolution(by_id[0])
    former = [c for c in candidates if any(fold(i) == key for i in c.former_ids)]
    if len(former) == 1:
        return Resolution(former[0])
    if former:  # a placeholder replaced by several units
        return Resolution(None, ambiguous=tuple(former))
    exact = [c for c in candidates if any(fold(n) == key for n in c.names)]
    if len(exact) == 1:
        return Resolution(exact[0])
    if len(exact) > 1:
        return Resolution(None, ambiguous=tuple(exact))
    words = key.split()
    partial = [c for c in candidates if _contains_all(c, words)]
    if len(partial) == 1:
        return Resolution(partial[0])
    if partial:
        return Resolution(None, ambiguous=tuple(partial))
    keys = {fold(n): c for c in candidates for n in (c.id, *c.names)}
    import difflib  # only when a name is not found: a suggestion

    close = difflib.get_close_matches(key, list(keys), n=5, cutoff=0.5)
    seen: dict[str, Candidate] = {}
    for k in close:
        seen.setdefault(keys[k].id, keys[k])
    return Resolution(None, closest=tuple(seen.values())[:3])
