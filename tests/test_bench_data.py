"""The benchmark's data (bench/generate.py) is data kttn accepts and could have written:
`kttn check` passes, the same seed gives the same bytes, and every record follows the
rules the commands apply (dates, extensions, corrections)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from helpers import ROOT, kttn, ok
from kttn_cli.core.model import AdHocTask, Extension, Schedule, Submission, Void
from kttn_cli.core.obligations import Book, obligations
from kttn_cli.storage.loader import check_plan, read_ledger

LAST_DAY = date(2024, 12, 1)
VN = timedelta(hours=7)


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


GENERATE = load_generator()
PLANS = {
    "bundled": [],
    "synthetic": ["--units", "12", "--milestones", "10"],
}


def generated(tmp_path: Path, kind: str, records: int = 1000, seed: int = 6) -> Path:
    out = tmp_path / f"{kind}-{records}-{seed}"
    GENERATE.main(["--records", str(records), "--out", str(out), "--seed", str(seed), *PLANS[kind]])
    return out


@pytest.mark.parametrize("kind", sorted(PLANS))
def test_kttn_check_accepts_1000_generated_records(tmp_path: Path, kind: str) -> None:
    out = generated(tmp_path, kind)
    plan, ledger = out / "plan.toml", out / "ledger.toml"
    result = ok(kttn("check", "--lang", "en", "--plan", str(plan), "--ledger", str(ledger)))
    assert f"{plan}: valid" in result.out, result
    assert f"ledger {ledger}: 1000 records" in result.out, result
    assert result.err == "", result
    # The views read it without a word on stderr: no problem travels with the state.
    shown = ok(
        kttn(
            "overdue",
            "--format",
            "plain",
            "--as-of",
            "2024-12-01",
            "--plan",
            str(plan),
            "--ledger",
            str(ledger),
        )
    )
    assert shown.err == "" and shown.out.count("\n") > 2, shown


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first = generated(tmp_path / "a", "synthetic", 300)
    again = generated(tmp_path / "b", "synthetic", 300)
    other = generated(tmp_path / "c", "synthetic", 300, seed=7)
    for name in ("plan.toml", "ledger.toml"):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    assert (first / "ledger.toml").read_bytes() != (other / "ledger.toml").read_bytes()


@pytest.mark.parametrize("kind", sorted(PLANS))
def test_records_follow_the_rules_of_the_commands(tmp_path: Path, kind: str) -> None:
    out = generated(tmp_path, kind)
    plan, problems = check_plan(out / "plan.toml", (out / "plan.toml").read_bytes())
    assert plan is not None, problems
    ledger, _ = read_ledger(out / "ledger.toml", plan)
    records = ledger.records
    assert [r.id for r in records] == [f"r{i}" for i in range(1, 1001)]
    first = plan.info.records_from
    book = Book()
    kinds: dict[type, int] = {}
    replaced = 0
    previous = None
    for record in records:
        kinds[type(record)] = kinds.get(type(record), 0) + 1
        recorded = (record.recorded_at + VN).date()
        assert first <= recorded <= LAST_DAY, record
        if previous is not None:
            assert record.recorded_at >= previous.recorded_at, record
        for day in (getattr(record, n, None) for n in ("on", "to", "due")):
            if day is not None:
                assert first <= day <= LAST_DAY, record
        if isinstance(record, Submission):
            assert record.on <= recorded, record
            if (
                isinstance(previous, Void)
                and previous.reason == GENERATE.REPLACED
                and previous.recorded_at == record.recorded_at
            ):
                replaced += 1
        if isinstance(record, Extension):
            # `kttn extend` without --force: later than the deadline in force, and only
            # while nothing is delivered (kttn's own obligations, not the generator's).
            (o,) = [
                o
                for o in obligations(plan, book)
                if (o.milestone.id, o.unit_id) == (record.milestone, record.unit)
            ]
            assert o.due is not None and record.to > o.due, (record, o.due)
            assert not o.submissions, record
        if isinstance(record, AdHocTask):
            assert record.milestone.startswith("II.7-"), record
        assert book.add(plan, [record]) == [], record
        previous = record
    assert kinds[Submission] > 300 and kinds[Void] > 50 and kinds[Extension] >= 3, kinds
    assert replaced > 20, replaced
    if kind == "bundled":
        assert kinds.get(AdHocTask, 0) >= 1 and kinds.get(Schedule, 0) >= 1, kinds
    # About 12% of dated obligations never get a submission.
    dated = [o for o in obligations(plan, book) if o.planned is not None]
    submitted = {(r.milestone, r.unit) for r in records if isinstance(r, Submission)}
    never = [o for o in dated if (o.milestone.id, o.unit_id) not in submitted]
    assert 0.04 <= len(never) / len(dated) <= 0.25, (len(never), len(dated))
