"""What every command shares: its settings (option > environment > default) and the state
they select — the plan, the ledger, the as-of date — loaded once, on first use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated

import typer

from kttn_cli.core.dates import VN_ZONE, parse_user_date
from kttn_cli.core.model import Plan
from kttn_cli.core.status import Judged, Ledger, Shifter, judge_all, with_ad_hoc_tasks
from kttn_cli.errors import UsageError
from kttn_cli.i18n import LANGS, Lang

PlanOption = Annotated[
    Path | None,
    typer.Option(
        "--plan", help="Plan file (env KTTN_PLAN; default: the bundled plan)", show_default=False
    ),
]
LedgerOption = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        help="Ledger file (env KTTN_LEDGER; default: one per plan in KTTN_DATA_DIR)",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Judge as of this date, YYYY-MM-DD or DD/MM/YYYY "
        "(env KTTN_TODAY; default: today in Vietnam)",
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="vi or en (env KTTN_LANG; default: vi)", show_default=False),
]


def pick_lang(option: str | None) -> Lang:
    value = (option or os.environ.get("KTTN_LANG") or "vi").strip().lower()
    for lang in LANGS:
        if value == lang or value.startswith(f"{lang}_") or value.startswith(f"{lang}-"):
            return lang
    raise UsageError("err.bad_lang", value=value)


# The clock is read here and nowhere else: everything below `cli` is given the date.


def now_utc() -> datetime:
    """When a ledger record is recorded: now, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def now_in_vietnam() -> datetime:
    """The time now in Asia/Ho_Chi_Minh (a reminder's Date header)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(VN_ZONE))


def today_in_vietnam() -> date:
    """Today in Asia/Ho_Chi_Minh: a server on UTC is a day behind before 07:00 there."""
    return now_in_vietnam().date()


def user_date(text: str) -> date:
    """A date typed by a person, strictly (DESIGN §4); exit 2 otherwise."""
    from kttn_cli.core.text import nfc

    day = parse_user_date(nfc(text))
    if day is None:
        raise UsageError("err.bad_date", value=text)
    return day


@dataclass
class Session:
    plan_option: Path | None = None
    ledger_option: Path | None = None
    as_of_text: str | None = None
    lang_option: str | None = None

    @cached_property
    def lang(self) -> Lang:
        return pick_lang(self.lang_option)

    @cached_property
    def plan_path(self) -> Path:
        from kttn_cli.storage.paths import plan_path

        return plan_path(self.plan_option)

    @cached_property
    def plan(self) -> Plan:
        from kttn_cli.storage.plan_file import load_plan

        return load_plan(self.plan_path, self.lang)

    @cached_property
    def ledger_path(self) -> Path:
        from kttn_cli.storage.paths import ledger_path

        return ledger_path(self.ledger_option, self.plan.info.id)

    @cached_property
    def ledger(self) -> Ledger:
        from kttn_cli.storage.ledger_file import load_ledger

        path = self.ledger_path
        # No ledger at the default place is a new, empty one; a ledger named with
        # --ledger/KTTN_LEDGER that is not there is more likely a typo: reading it as
        # empty would show everything overdue (`kttn submit` still creates it).
        if (self.ledger_option or os.environ.get("KTTN_LEDGER")) and not path.exists():
            from kttn_cli.errors import MissingInput, Word

            raise MissingInput("err.missing_file", what=Word("err.what.ledger"), path=path)
        return load_ledger(path, self.plan.info.id, self.lang)

    @cached_property
    def today(self) -> date:
        return today_in_vietnam()

    @cached_property
    def as_of(self) -> date:
        # `--as-of ""` (a script's unset variable) is a bad date, not today; an empty
        # KTTN_TODAY is unset, as for any environment variable.
        if self.as_of_text is not None:
            return user_date(self.as_of_text)
        text = os.environ.get("KTTN_TODAY")
        return user_date(text) if text else self.today

    @cached_property
    def full_plan(self) -> Plan:
        """The plan with the ledger's ad-hoc tasks (II.7) added."""
        return with_ad_hoc_tasks(self.plan, self.ledger)

    @cached_property
    def shift(self) -> Shifter | None:
        rules = self.plan.calendar
        if not rules.shift_to_working_day:
            return None
        from kttn_cli.core.status import next_working_day
        from kttn_cli.storage.holidays import vietnam_holidays

        return next_working_day(vietnam_holidays(), rules.days_off, rules.working_days)

    @cached_property
    def judged(self) -> list[Judged]:
        return judge_all(self.plan, self.ledger, self.as_of, self.shift)
