"""Write a plan and a ledger of N realistic records for the benchmark (issue 12, item 6).

    python bench/generate.py --records N --out DIR [--plan PLAN | --units U --milestones M]
                             [--seed S]

`DIR/plan.toml` is a copy of PLAN (default: the bundled plan), or a synthetic plan
(format 2) of U units and M milestones, each milestone owed by every unit through one
group, most of them dated ("xong trước", "trước", "chậm nhất", "vào ngày" and quarters),
a few undated. `DIR/ledger.toml` holds N records in kttn's own layout: core record
objects (`kttn_cli.core.model`) written by `ledger_file.new_file` + `serialise`, the
write path's own functions, in recording order:

- submissions, received on the day they are recorded or a few days before;
- corrections: a void and a new submission (as `kttn submit --replace` records them), or
  now and then a void alone (a record withdrawn);
- extensions, each later than the deadline in force and never on an obligation with a
  submission in force (the rules of `kttn extend` without --force);
- days fixed for undated milestones (`kttn schedule`), a few;
- ad-hoc tasks (`kttn task add`, ids `<item>-1`, `<item>-2`, …) when the plan has an item
  for them (the bundled plan's II.7), at most 20.

Every date (recorded, received, extended to, fixed, due) lies between the plan's first
day and 2024-12-01. About 12% of dated obligations are never submitted, so `overdue` has
rows. Each record is applied to a `core.obligations.Book` as it is made, the same code
kttn reads a ledger with: a record kttn would report as a problem stops the generator.
The same arguments and `--seed` give the same bytes; `kttn check` accepts both files.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from kttn_cli.core.deadlines import working_day_shift
from kttn_cli.core.model import (
    OPEN_KINDS,
    AdHocTask,
    Extension,
    LedgerRecord,
    Plan,
    Schedule,
    Submission,
    Void,
)
from kttn_cli.core.obligations import Book, Shift, ad_hoc_item, obligations
from kttn_cli.storage.ledger_file import new_file, serialise
from kttn_cli.storage.loader import check_plan
from kttn_cli.storage.paths import BUNDLED_PLAN

LAST_DAY = date(2024, 12, 1)  # no date in the ledger is later (bench/run.py's KTTN_TODAY)
VN = timedelta(hours=7)
CLERKS = ("nguyen.thi.lan", "tran.van.minh", "le.thu.ha")
NOTES = (
    "Nhận bản giấy, đã vào sổ công văn đến",
    "Gửi qua hệ thống điều hành tác nghiệp",
    "Bổ sung số liệu theo yêu cầu của Ban Tổ chức Tỉnh ủy",
    "Bản scan qua thư điện tử",
)
VOID_REASONS = ("Nhập nhầm đơn vị", "Nhập nhầm ngày nhận", "Đơn vị rút báo cáo để sửa")
REPLACED = "replaced by a new submission (--replace)"  # what `kttn submit --replace` writes
EXTEND_REASONS = (
    "Theo đề nghị của đơn vị, Thường trực BCĐ đồng ý gia hạn",
    "Ý kiến chỉ đạo của đồng chí Trưởng Ban Chỉ đạo",
)
SCHEDULE_REASON = "Thông báo kết luận của Thường trực Ban Chỉ đạo"
SIGNS = ("HU", "TU", "ĐU", "ĐUK", "BCĐ")

# Each step picks an obligation at random: an open one gets a submission (now and then an
# extension instead); a submitted one gets a correction.
P_AD_HOC = 0.01
MAX_AD_HOC = 20  # a few a year: each adds a milestone (a dashboard row), not just records
P_SCHEDULE = 0.002
P_EXTEND = 0.12
MAX_EXTENSIONS = 2  # per obligation
VOID_ALONE = 0.2  # share of corrections that only withdraw
NEVER_SUBMITTED = 0.12  # of dated obligations: left open, so `overdue` has rows


@dataclass
class Slot:
    """One obligation as the generator tracks it."""

    milestone: str
    unit: str
    planned: date | None  # the plan's last day (or the day fixed), before extensions
    never: bool  # never submitted
    extended_to: date | None = None
    extensions: int = 0
    submission: str | None = None  # id of the submission in force

    @property
    def due(self) -> date | None:
        """The deadline in force: the newest extension wins over the plan's day."""
        return self.extended_to or self.planned


# --- the synthetic plan -------------------------------------------------------------------

DATE_WORDS = (
    ("xong trước", "Xong trước ngày {d}"),
    ("trước", "Gửi về Ban Tổ chức Tỉnh ủy trước ngày {d}"),
    ("chậm nhất", "Chậm nhất ngày {d}"),
    ("vào ngày", "Tổ chức vào ngày {d}"),
)
ROMAN = ("I", "II", "III", "IV")


def synthetic_plan(units: int, milestones: int) -> str:
    """A plan of `units` district-style units and `milestones` reporting milestones owed
    by all of them through one group (five milestones a task): eight in ten dated
    between February and mid-November 2024 with the plan's words before the date, one in
    ten a quarter, one in ten undated."""
    q = '"'
    out = [
        "# Synthetic plan written by bench/generate.py (benchmark data, not a real plan).",
        "schema_version = 2",
        "",
        "[plan]",
        'id = "bench-synthetic"',
        'number = "99-KH/BCĐ"',
        f'title = "Kế hoạch thử nghiệm hiệu năng: {units} đơn vị, {milestones} mốc báo cáo"',
        "issued_on = 2024-01-15",
        'place = "Hưng Yên"',
        'issuer = "Ban Chỉ đạo tỉnh"',
        'header = ["TỈNH ỦY HƯNG YÊN", "BAN CHỈ ĐẠO TỈNH"]',
        "warn_days = 7",
        "",
        "[plan.signer]",
        'name = "Nguyễn Văn A"',
        'title = "PHÓ TRƯỞNG BAN THƯỜNG TRỰC"',
        "",
        "[deadline_rules]",
        'before = "exclusive"',
        "shift_to_working_day = false",
        "",
    ]
    unit_ids = [f"dv-{i:03d}" for i in range(1, units + 1)]
    for i, ident in enumerate(unit_ids, start=1):
        kind = "standing_office" if i == 1 else "district_committee"
        out += [
            "[[units]]",
            f'id = "{ident}"',
            f'name = "Đảng ủy đơn vị số {i}"',
            f'short = "Đơn vị {i}"',
            f'kind = "{kind}"',
            "",
        ]
    members = ", ".join(f"{q}{u}{q}" for u in unit_ids)
    out += ["[[groups]]", 'id = "tat-ca"', 'name = "Tất cả các đơn vị"', f"members = [{members}]"]
    first, span = date(2024, 2, 1), (date(2024, 11, 15) - date(2024, 2, 1)).days
    for m in range(milestones):
        if m % 5 == 0:
            n = m // 5 + 1
            out += [
                "",
                "[[tasks]]",
                f'id = "T.{n}"',
                'section = "T"',
                f'title = "Nhiệm vụ báo cáo số {n}"',
                f'text = "Các đơn vị xây dựng báo cáo số {n}, gửi về Ban Tổ chức Tỉnh ủy."',
                f'source = "Mục T, điểm {n}"',
            ]
        if m % 10 == 9:
            due, words = '{ kind = "ongoing" }', "Thực hiện thường xuyên"
        elif m % 10 == 4:
            quarter = (m // 10) % 3 + 1  # I–III: over before the end of the data
            due = f'{{ kind = "quarter", quarter = {quarter}, year = 2024, qualifier = "trong" }}'
            words = f"Thực hiện trong Quý {ROMAN[quarter - 1]}/2024"
        else:
            day = first + timedelta(days=(m * span) // max(milestones - 1, 1))
            qualifier, text = DATE_WORDS[m % len(DATE_WORDS)]
            due = f'{{ kind = "date", date = {day.isoformat()}, qualifier = "{qualifier}" }}'
            words = text.format(d=f"{day:%d/%m/%Y}")
        out += [
            "",
            "[[tasks.milestones]]",
            f'id = "M{m + 1:03d}"',
            f'title = "Báo cáo định kỳ số {m + 1}"',
            f"due = {due}",
            f'due_text = "{words}"',
            'assignees = ["tat-ca"]',
            f'recipients = ["{unit_ids[0]}"]',
            f'source = "Mục T, điểm {m // 5 + 1}"',
        ]
    return "\n".join(out) + "\n"


# --- the ledger -----------------------------------------------------------------------------


def load_plan(path: Path) -> Plan:
    """The plan as kttn reads it (the loader's own check); exit 1 if kttn would refuse it."""
    plan, problems = check_plan(path, path.read_bytes())
    if plan is None:
        lines = "\n".join(f"  {p.code} at {p.where} ({p.path}:{p.line})" for p in problems)
        sys.exit(f"generate.py: {path} is not a valid plan:\n{lines}")
    return plan


def plan_shift(plan: Plan) -> Shift | None:
    """The working-day shift kttn applies to this plan (cli/session.py), if any."""
    if not plan.rules.shift_to_working_day:
        return None
    from kttn_cli.storage.holidays import vietnam_holidays

    return working_day_shift(plan.rules, vietnam_holidays())


class Generator:
    def __init__(self, plan: Plan, count: int, seed: int) -> None:
        self.plan = plan
        self.count = count
        self.rng = random.Random(seed)
        self.shift = plan_shift(plan)
        self.first = plan.info.records_from
        if self.first > LAST_DAY:
            sys.exit(f"generate.py: the plan starts after {LAST_DAY}; no record fits")
        self.book = Book()
        self.records: list[LedgerRecord] = []
        self.slots: dict[tuple[str, str], Slot] = {}
        self.order: list[Slot] = []  # slots in creation order, for a reproducible choice
        self.scheduled: set[str] = set()
        self.item = ad_hoc_item(plan)
        self.ad_hoc = 0
        self.refresh()
        if not self.order:
            sys.exit("generate.py: the plan has no obligations")

    def refresh(self) -> None:
        """Slots for every obligation (new ad-hoc tasks included), and each one's day by
        the plan or the schedule, from kttn's own `obligations`."""
        for o in obligations(self.plan, self.book, self.shift):
            key = (o.milestone.id, o.unit_id)
            slot = self.slots.get(key)
            if slot is None:
                never = o.planned is not None and self.rng.random() < NEVER_SUBMITTED
                slot = Slot(o.milestone.id, o.unit_id, o.planned, never)
                self.slots[key] = slot
                self.order.append(slot)
            slot.planned = o.planned

    def add(self, record: LedgerRecord) -> str:
        problems = self.book.add(self.plan, [record])
        if problems:
            sys.exit(f"generate.py: bug: kttn would refuse {record}: {problems}")
        self.records.append(record)
        return record.id

    def next_id(self) -> str:
        return f"r{len(self.records) + 1}"

    def run(self) -> list[LedgerRecord]:
        start = datetime.combine(self.first, time(8), UTC) - VN  # 08:00 in Vietnam
        end = datetime.combine(LAST_DAY, time(17), UTC) - VN
        span = int((end - start).total_seconds())
        rng = self.rng
        while len(self.records) < self.count:
            # Recording time moves forward evenly from the plan's first day to LAST_DAY.
            at = start + timedelta(seconds=span * len(self.records) // max(self.count, 1))
            today = (at + VN).date()
            who = rng.choice(CLERKS)
            roll = rng.random()
            if roll < P_AD_HOC:
                if self.item is not None and self.ad_hoc < MAX_AD_HOC:
                    self.ad_hoc_task(at, today, who)
                    continue
            elif roll < P_AD_HOC + P_SCHEDULE and self.schedule(at, today, who):
                continue
            slot = rng.choice(self.order)
            if slot.submission is None:
                due = slot.due
                if (
                    rng.random() < P_EXTEND
                    and due is not None
                    and slot.extensions < MAX_EXTENSIONS
                    and due < LAST_DAY
                ):
                    self.extend(slot, at, who, due)
                elif not slot.never:
                    slot.submission = self.add(self.submission(slot, at, today, who))
                continue
            # A correction, as a clerk records it.
            alone = rng.random() < VOID_ALONE
            reason = rng.choice(VOID_REASONS) if alone else REPLACED
            self.add(Void(self.next_id(), at, who, target=slot.submission, reason=reason))
            slot.submission = None
            if not alone and len(self.records) < self.count:
                slot.submission = self.add(self.submission(slot, at, today, who))
        return self.records

    def submission(self, slot: Slot, at: datetime, today: date, who: str) -> Submission:
        """Received the day it is recorded or a few days before, often with a number."""
        rng = self.rng
        received = max(self.first, today - timedelta(days=rng.choice((0, 0, 1, 2, 3, 7))))
        reference = None
        if rng.random() < 0.8:
            reference = f"{rng.randint(1, 400)}-BC/{rng.choice(SIGNS)}"
        note = rng.choice(NOTES) if rng.random() < 0.15 else None
        return Submission(
            self.next_id(),
            at,
            who,
            milestone=slot.milestone,
            unit=slot.unit,
            on=received,
            reference=reference,
            note=note,
        )

    def extend(self, slot: Slot, at: datetime, who: str, due: date) -> None:
        """Later than the deadline in force, never after LAST_DAY."""
        to = min(due + timedelta(days=self.rng.choice((7, 10, 15, 30))), LAST_DAY)
        reason = self.rng.choice(EXTEND_REASONS)
        self.add(Extension(self.next_id(), at, who, slot.milestone, slot.unit, to, reason))
        slot.extended_to = to
        slot.extensions += 1

    def schedule(self, at: datetime, today: date, who: str) -> bool:
        """Fix a day for an undated milestone of the plan (one day each, at most)."""
        open_ones = [
            m.id
            for m in self.plan.milestones
            if m.deadline.kind in OPEN_KINDS and m.id not in self.scheduled
        ]
        if not open_ones:
            return False
        milestone = self.rng.choice(open_ones)
        day = min(today + timedelta(days=self.rng.randint(10, 40)), LAST_DAY)
        self.add(Schedule(self.next_id(), at, who, milestone, day, SCHEDULE_REASON))
        self.scheduled.add(milestone)
        self.refresh()
        return True

    def ad_hoc_task(self, at: datetime, today: date, who: str) -> None:
        """`kttn task add`: the next free `<item>-N`, one to three units or a group."""
        assert self.item is not None
        full = self.book.plan_with_tasks(self.plan)
        number = 1
        while full.has_milestone(f"{self.item.id}-{number}") or full.has_task(
            f"{self.item.id}-{number}"
        ):
            number += 1
        self.ad_hoc += 1
        names = [u.id for u in self.plan.units] + [g.id for g in self.plan.groups]
        owners = tuple(self.rng.sample(names, k=min(len(names), self.rng.randint(1, 3))))
        due = min(today + timedelta(days=self.rng.randint(10, 40)), LAST_DAY)
        self.add(
            AdHocTask(
                self.next_id(),
                at,
                who,
                milestone=f"{self.item.id}-{number}",
                title=f"Báo cáo nhanh theo yêu cầu số {self.ad_hoc}",
                due=due,
                units=owners,
                assigned_by=f"{100 + self.ad_hoc}-CV/TU",
            )
        )
        self.refresh()


def generate(plan: Plan, count: int, seed: int) -> list[LedgerRecord]:
    """`count` records for `plan`, in the order a clerk would have recorded them."""
    return Generator(plan, count, seed).run()


def ledger_bytes(plan: Plan, records: list[LedgerRecord]) -> bytes:
    """The ledger file exactly as kttn's write path lays it out."""
    return new_file(plan.info.id) + serialise(records, Path("ledger.toml"))


def main(argv: list[str] | None = None) -> None:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--records", type=int, required=True, help="number of ledger records")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--plan", type=Path, help="plan to copy [default: the bundled plan]")
    parser.add_argument("--units", type=int, help="synthetic plan: number of units")
    parser.add_argument("--milestones", type=int, help="synthetic plan: number of milestones")
    parser.add_argument("--seed", type=int, default=6, help="random seed [default: 6]")
    args = parser.parse_args(argv)
    synthetic = args.units is not None or args.milestones is not None
    if synthetic and args.plan is not None:
        parser.error("give --plan or --units/--milestones, not both")
    if synthetic and not (args.units and args.milestones and args.units > 0):
        parser.error("a synthetic plan needs both --units and --milestones (both > 0)")
    if args.records < 0:
        parser.error("--records must be >= 0")
    args.out.mkdir(parents=True, exist_ok=True)
    plan_out = args.out / "plan.toml"
    if synthetic:
        plan_out.write_text(synthetic_plan(args.units, args.milestones), encoding="utf-8")
    else:
        shutil.copyfile(args.plan or BUNDLED_PLAN, plan_out)
    plan = load_plan(plan_out)
    records = generate(plan, args.records, args.seed)
    ledger_out = args.out / "ledger.toml"
    ledger_out.write_bytes(ledger_bytes(plan, records))
    kinds: dict[str, int] = {}
    for r in records:
        kinds[type(r).__name__] = kinds.get(type(r).__name__, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(
        f"{plan_out}: {len(plan.units)} units, {len(plan.milestones)} milestones\n"
        f"{ledger_out}: {len(records)} records ({summary})"
    )


if __name__ == "__main__":
    main()
