"""Write a plan and a ledger of N realistic records for the benchmark (issue 6).

    python bench/generate.py --records N --out DIR [--plan PLAN | --units U --milestones M]

`DIR/plan.toml` is a copy of PLAN (default: the bundled plan), or a synthetic plan of U
units and M milestones, each milestone owed by every unit. `DIR/ledger.toml` holds N
records in the ledger format kttn writes (`ledger_file.serialise`), in recording order:
submissions, most of them before or near the deadline, some replaced (a void and a new
submission, as `kttn submit --replace` records them), some voided outright, some
deadline extensions, and, when the plan has item II.7, a few ad-hoc tasks. The same
arguments and `--seed` give the same bytes. `kttn check` accepts both files.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kttn_cli.core.model import Plan
from kttn_cli.core.status import AD_HOC_TASK_ID, EMPTY_LEDGER, obligations
from kttn_cli.storage.ledger_file import HEADER, serialise
from kttn_cli.storage.plan_file import BUNDLED_PLAN, check_plan

CLERKS = ("nguyen.thi.lan", "tran.van.minh", "le.thu.ha")
NOTES = (
    "Nhận bản giấy, đã vào sổ công văn đến",
    "Gửi qua hệ thống điều hành tác nghiệp",
    "Bổ sung số liệu theo yêu cầu của Ban Tổ chức Tỉnh ủy",
    "Bản scan qua thư điện tử",
)
VOID_REASONS = ("Nhập nhầm đơn vị", "Nhập nhầm ngày nhận", "Đơn vị rút báo cáo để sửa")
EXTEND_REASONS = (
    "Theo đề nghị của đơn vị, Thường trực BCĐ đồng ý gia hạn",
    "Ý kiến chỉ đạo của đồng chí Trưởng Ban Chỉ đạo",
)
REPLACED_REASON = "thay bằng báo cáo mới (--replace)"
VN = timedelta(hours=7)

# Each step picks an obligation at random: an open one gets a submission (or, now and
# then, an extension); a submitted one gets a correction: replaced (a void and a new
# submission, as `kttn submit --replace` records it) or, less often, voided outright.
P_AD_HOC = 0.002
MAX_AD_HOC = 20  # a few a year: they add milestones (dashboard rows), not just records
P_EXTEND = 0.15
VOID_SHARE = 0.25
NEVER_SUBMITTED = 0.12  # dated obligations left open, so `overdue` has rows


@dataclass
class Slot:
    """One obligation as the generator tracks it."""

    milestone: str
    unit: str
    due: date | None
    submission: str | None = None  # id of the active submission
    extended: bool = False


@dataclass
class Ledger:
    records: list[dict[str, Any]] = field(default_factory=list)

    def add(self, at: datetime, body: dict[str, Any]) -> str:
        ident = f"r{len(self.records) + 1}"
        self.records.append(
            {
                "id": ident,
                "type": body.pop("type"),
                "recorded_at": at,
                "recorded_by": body.pop("recorded_by"),
                **body,
            }
        )
        return ident


def synthetic_plan(units: int, milestones: int) -> str:
    """A plan of `units` district-style units and `milestones` reporting milestones owed
    by all of them (five milestones a task), dated through 2024 and early 2025."""
    out = [
        "schema_version = 1\n",
        "[plan]",
        'id = "bench-synthetic"',
        'number = "99-KH/BCĐ"',
        f'title = "Kế hoạch tổng hợp thử nghiệm: {units} đơn vị, {milestones} mốc"',
        "issued_on = 2024-01-15",
        'place = "Hưng Yên"',
        'issuer = "Ban Chỉ đạo tỉnh (dữ liệu thử nghiệm của bench/generate.py)"',
        "warn_days = 7\n",
        "[plan.signer]",
        'name = "Nguyễn Văn A"',
        'title = "PHÓ TRƯỞNG BAN THƯỜNG TRỰC"\n',
    ]
    unit_ids = [f"dv-{i:03d}" for i in range(1, units + 1)]
    for i, ident in enumerate(unit_ids, start=1):
        out += [
            "[[units]]",
            f'id = "{ident}"',
            f'name = "Đảng ủy đơn vị số {i}"',
            f'short = "Đơn vị {i}"',
            f'kind = "{"standing_office" if i == 1 else "district_committee"}"\n',
        ]
    members = ", ".join(f'"{u}"' for u in unit_ids)
    out += ["[[groups]]", 'id = "tat-ca"', 'name = "Tất cả các đơn vị"', f"members = [{members}]\n"]
    start = date(2024, 2, 1)
    for m in range(milestones):
        if m % 5 == 0:
            n = m // 5 + 1
            out += [
                "[[tasks]]",
                f'id = "T.{n}"',
                'section = "T"',
                f'title = "Nhiệm vụ báo cáo số {n}"',
                f'text = "Các đơn vị xây dựng báo cáo số {n}, gửi về Ban Tổ chức Tỉnh ủy."',
                f'source = "Mục T, điểm {n}"\n',
            ]
        n = m + 1
        if m % 10 == 9:
            due = '{ kind = "ongoing" }'
            due_text = "Thực hiện thường xuyên"
        elif m % 10 == 4:
            quarter = (m // 10) % 4 + 1
            due = f'{{ kind = "quarter", quarter = {quarter}, year = 2024 }}'
            due_text = f"Trong Quý {('I', 'II', 'III', 'IV')[quarter - 1]}/2024"
        else:
            day = start + timedelta(days=(m * 383) // max(milestones, 1))
            due = f'{{ kind = "date", date = {day.isoformat()} }}'
            due_text = f"Xong trước ngày {day:%d/%m/%Y}"
        out += [
            "[[tasks.milestones]]",
            f'id = "M{n:03d}"',
            f'title = "Báo cáo định kỳ số {n}"',
            f"due = {due}",
            f'due_text = "{due_text}"',
            'assignees = ["tat-ca"]',
            f'recipient = "{unit_ids[0]}"',
            f'source = "Mục T, điểm {m // 5 + 1}"\n',
        ]
    out += [
        "[[tasks]]",
        f'id = "{AD_HOC_TASK_ID}"',
        'section = "II"',
        'title = "Nhiệm vụ đột xuất"',
        'text = "Nhiệm vụ đột xuất do cấp trên giao."',
        'source = "Mục II, điểm 7"\n',
    ]
    return "\n".join(out)


def load_plan(path: Path) -> Plan:
    result = check_plan(path, "en")
    if result.data is None:
        problems = "\n".join(p.format("en") for p in result.problems)
        sys.exit(f"generate.py: {path} is not a valid plan:\n{problems}")
    return Plan.from_dict(result.data)


def generate(plan: Plan, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` records for `plan`, in the order a clerk would have recorded them."""
    rng = random.Random(seed)
    slots = [Slot(o.milestone.id, o.unit_id, o.due) for o in obligations(plan, EMPTY_LEDGER)]
    if not slots:
        sys.exit("generate.py: the plan has no obligations")
    dues = [s.due for s in slots if s.due]
    first = plan.info.issued_on
    last = max([*dues, first + timedelta(days=300)]) + timedelta(days=45)
    open_forever = {id(s) for s in slots if s.due and rng.random() < NEVER_SUBMITTED}
    has_ad_hoc = any(t.id == AD_HOC_TASK_ID for t in plan.tasks)
    units = [u.id for u in plan.units]
    start = datetime.combine(first, time(1), UTC)  # 08:00 in Vietnam
    span = (last - first).days * 86400
    ledger = Ledger()
    ad_hoc = 0
    while len(ledger.records) < count:
        # Recording time moves forward evenly through the plan's year(s).
        progress = len(ledger.records) / count
        at = start + timedelta(seconds=int(span * progress))
        today = (at + VN).date()
        who = rng.choice(CLERKS)
        roll = rng.random()
        if has_ad_hoc and roll < P_AD_HOC and ad_hoc < MAX_AD_HOC:
            ad_hoc += 1
            milestone = f"{AD_HOC_TASK_ID}-bench-{ad_hoc}"
            owners = rng.sample(units, k=min(len(units), rng.randint(1, 3)))
            due = today + timedelta(days=rng.randint(10, 40))
            ledger.add(
                at,
                {
                    "type": "task",
                    "recorded_by": who,
                    "milestone": milestone,
                    "title": f"Nhiệm vụ đột xuất số {ad_hoc}",
                    "due": due,
                    "units": owners,
                    "assigned_by": f"Công văn số {100 + ad_hoc}-CV/TU",
                },
            )
            slots.extend(Slot(milestone, u, due) for u in owners)
            continue
        slot = rng.choice(slots)
        if slot.submission is None:
            if roll < P_AD_HOC + P_EXTEND and slot.due and not slot.extended:
                slot.extended = True
                ledger.add(
                    at,
                    {
                        "type": "extension",
                        "recorded_by": who,
                        "milestone": slot.milestone,
                        "unit": slot.unit,
                        "to": slot.due + timedelta(days=rng.choice((7, 10, 15, 30))),
                        "reason": rng.choice(EXTEND_REASONS),
                    },
                )
            elif id(slot) not in open_forever:
                slot.submission = ledger.add(at, submission(rng, slot, today, who, first))
            continue
        # Already submitted: a correction, as a clerk records it.
        if rng.random() < VOID_SHARE:
            ledger.add(
                at,
                {
                    "type": "void",
                    "recorded_by": who,
                    "target": slot.submission,
                    "reason": rng.choice(VOID_REASONS),
                },
            )
            slot.submission = None
            continue
        ledger.add(
            at,
            {
                "type": "void",
                "recorded_by": who,
                "target": slot.submission,
                "reason": REPLACED_REASON,
            },
        )
        slot.submission = None
        if len(ledger.records) < count:
            slot.submission = ledger.add(at, submission(rng, slot, today, who, first))
    return ledger.records


def submission(
    rng: random.Random, slot: Slot, today: date, who: str, first: date
) -> dict[str, Any]:
    """A submission received a few days before it is recorded, with a document number."""
    received = max(first, today - timedelta(days=rng.choice((0, 0, 1, 2, 3, 7))))
    body: dict[str, Any] = {
        "type": "submission",
        "recorded_by": who,
        "milestone": slot.milestone,
        "unit": slot.unit,
        "on": received,
    }
    if rng.random() < 0.8:
        body["reference"] = f"{rng.randint(1, 400)}-BC/{rng.choice(('HU', 'TU', 'ĐU', 'ĐUK'))}"
    if rng.random() < 0.15:
        body["note"] = rng.choice(NOTES)
    return body


def ledger_text(plan_id: str, records: list[dict[str, Any]]) -> str:
    import tomli_w

    head: str = tomli_w.dumps({"schema_version": 1, "plan": plan_id})
    return HEADER + head + serialise(records)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
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
    if synthetic and not (args.units and args.milestones):
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
    (args.out / "ledger.toml").write_text(ledger_text(plan.info.id, records), encoding="utf-8")
    print(
        f"{plan_out}: {len(plan.units)} units, {len(plan.milestones)} milestones; "
        f"{args.out / 'ledger.toml'}: {len(records)} records"
    )


if __name__ == "__main__":
    main()
