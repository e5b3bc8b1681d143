"""What every command shares: its settings, and the state they select — the plan, the
ledger, the as-of date — loaded once, on first use (docs/architecture.md, "CLI")."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kttn_cli.cli.settings import Settings, absolute
from kttn_cli.core.dates import VN_TIME, YEARS, has_date_shape, parse_user_date
from kttn_cli.core.model import Plan
from kttn_cli.core.obligations import Obligation, Shift, obligations
from kttn_cli.core.problems import Problem
from kttn_cli.core.status import Judged, judge_all
from kttn_cli.errors import ConfigError, MissingInput, Phrase, UsageError
from kttn_cli.i18n import N_, _
from kttn_cli.storage.loader import State

if TYPE_CHECKING:
    from kttn_cli.cli.interrupts import Guard
    from kttn_cli.cli.replay import Recording
    from kttn_cli.render.terminal import Terminal

DEFAULT_LOCK_TIMEOUT = 10.0


# The clock is read here and nowhere else: everything below `cli` is given the date.


def now_utc() -> datetime:
    """When a ledger record is recorded: now, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def now_in_vietnam() -> datetime:
    """The time now in Vietnam (a reminder's Date header, a calendar's stamp)."""
    return datetime.now(VN_TIME)


def today_in_vietnam() -> date:
    """Today in Vietnam: a server on UTC is a day behind before 07:00 there."""
    return now_in_vietnam().date()


def user_date(text: str, where: str = "") -> date:
    """A date typed by a person, strictly (YYYY-MM-DD or DD/MM/YYYY); exit 2 otherwise."""
    from kttn_cli.core.text import nfc

    day = parse_user_date(nfc(text))
    if day is None and has_date_shape(nfc(text)):
        raise UsageError(
            N_("{value!r}{where} is not a day of the calendar: check the day and the month"),
            value=text,
            where=f" ({where})" if where else "",
        )
    if day is None:
        raise UsageError(
            N_("invalid date {value!r}{where}: use YYYY-MM-DD or DD/MM/YYYY (4-digit year)"),
            value=text,
            where=f" ({where})" if where else "",
        )
    if day.year not in YEARS:
        raise UsageError(
            N_("{value!r}{where}: the year must be between {first} and {last}"),
            value=text,
            where=f" ({where})" if where else "",
            first=YEARS[0],
            last=YEARS[-1],
        )
    return day


class Session:
    """Settings in force and the state they select, for one command."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], date] = today_in_vietnam,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self.guard: Guard | None = None  # set by the error boundary around a command
        self.writes = False  # a command that writes may create the ledger it names
        self.unconfirmed = False  # a committed write whose confirmation was not shown
        self.problems_stated = False  # the ledger's problems were shown (header, stderr)
        self.recording: Recording | None = None  # a run kept for replay (cli/replay.py)

    @classmethod
    def for_command(cls, env: Mapping[str, str], options: Mapping[str, Any]) -> Session:
        return cls(Settings.from_environment(env, options))

    # --- where things are ---------------------------------------------------------------

    @cached_property
    def cache_dir(self) -> Path:
        # The rule of storage/paths.py, without importing platformdirs where it is plain
        # XDG (cli/places.py): every command asks.
        from kttn_cli.cli.places import cache_dir

        return Path(cache_dir(self.settings.env))

    @cached_property
    def data_dir(self) -> Path:
        """KTTN_DATA_DIR (made absolute once: never relative to where kttn runs later),
        else the platform's user data directory."""
        given = self.settings.value("data_dir")
        if given:
            return absolute(str(given))
        from kttn_cli.cli.places import data_dir

        return Path(data_dir(self.settings.env))

    @cached_property
    def plan_path(self) -> Path:
        """--plan, KTTN_PLAN or the settings file (a path, the id of a registered plan
        or the bundled plan's id), else the default plan (`storage.registry.default_plan`)."""
        from kttn_cli.storage.paths import BUNDLED_PLAN

        given = self.settings.value("plan")
        if not given:
            from kttn_cli.storage.registry import default_plan

            return default_plan(self.data_dir)
        text = str(given)
        looks_like_id = "/" not in text and not text.endswith(".toml")
        if looks_like_id and not Path(text).exists():
            from kttn_cli.storage.registry import Registry, bundled_plan_id

            found = Registry(self.data_dir).path_of(text)
            if found is None and text == bundled_plan_id():
                return BUNDLED_PLAN  # registered copies with its id come first (--same-id)
            if found is None:
                raise MissingInput(
                    N_(
                        "no plan file {value!r}, and no registered plan with that id "
                        "(see `kttn plans`)"
                    ),
                    value=text,
                )
            return found
        return absolute(text)

    @cached_property
    def plan_id(self) -> str:
        return self.state.plan.info.id

    @cached_property
    def ledger_named(self) -> bool:
        """Whether --ledger or KTTN_LEDGER named the ledger (a typo must not start an
        empty ledger that shows everything overdue)."""
        return bool(self.settings.value("ledger"))

    @cached_property
    def ledger_path(self) -> Path:
        given = self.settings.value("ledger")
        if given:
            return absolute(str(given))
        from kttn_cli.storage.loader import plan_identity
        from kttn_cli.storage.paths import default_ledger

        return default_ledger(self.data_dir, plan_identity(self.plan_path, self.cache_dir))

    # --- what is in them ----------------------------------------------------------------

    @cached_property
    def state(self) -> State:
        from kttn_cli.storage.loader import ledger_presence, load

        path = self.ledger_path
        if self.ledger_named and not ledger_presence(path) and not self.writes:
            raise MissingInput(N_("{what} not found: {path}"), what=Phrase(N_("ledger")), path=path)
        if self.recording is not None:
            self.recording.before_reading(self.inputs())
        state = load(self.plan_path, path, self.cache_dir)
        self._keep_ids(state)
        return state

    @cached_property
    def plan_file(self) -> Plan:
        """The plan file's plan alone (no ad-hoc tasks), from its own small cache entry:
        what a write checks before it takes the lock, without reading the ledger's state
        (the write reads that under the lock)."""
        from kttn_cli.storage.loader import load_plan

        if "state" in self.__dict__:
            return self.state.plan
        return load_plan(self.plan_path, self.cache_dir)[0]

    def inputs(self) -> list[str]:
        """The files this command's state was read from or chosen by (what a replay of
        its output checks, cli/replay.py): the settings file, the register of plans, a
        file in the working directory named like the plan's id, the plan, the ledger
        and its backup."""
        from kttn_cli.cli.settings import config_path
        from kttn_cli.storage.loader import backup_path
        from kttn_cli.storage.registry import Registry

        registry = Registry(self.data_dir)
        files = [config_path(self.settings.env), registry.file]
        given = self.settings.value("plan")
        if given:
            files.append(absolute(str(given)))
        elif registry.file.exists():
            # The default plan is the registered copy of the bundled plan when that file
            # is there, else the bundled plan: the copy's absence chose too.
            from kttn_cli.storage.registry import bundled_plan_id

            copy = registry.path_of(bundled_plan_id())
            if copy is not None:
                files.append(copy)
        files += [self.plan_path, self.ledger_path, backup_path(self.ledger_path)]
        return [os.fspath(f) for f in files]

    def _keep_ids(self, state: State) -> None:
        """The ids shell completion offers (cli/complete.py), kept when they change."""
        from kttn_cli.storage.id_list import remember

        default = self.settings.get("plan").source in ("file", "default")
        remember(self.cache_dir, self.plan_path, state, default=default)

    @property
    def plan(self) -> Plan:
        """The plan with its ad-hoc tasks."""
        return self.state.book.plan_with_tasks(self.state.plan)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.state.problems

    @cached_property
    def today(self) -> date:
        return self._clock()

    @cached_property
    def as_of(self) -> date:
        """--as-of (exit 2 when it is not a date), KTTN_TODAY (exit 78, naming the
        variable), else today in Vietnam."""
        found = self.settings.get("today")
        if found.value is None:
            return self.today
        if found.source == "option":
            return user_date(str(found.value), "--as-of")
        day = parse_user_date(str(found.value).strip())
        if day is None or day.year not in YEARS:
            raise ConfigError(
                N_("invalid {name}={value!r}: use YYYY-MM-DD or DD/MM/YYYY (4-digit year)"),
                name=found.where,
                value=found.value,
            )
        return day

    @cached_property
    def warn_days(self) -> int:
        """The warning window: KTTN_WARN_DAYS or the settings file, else the plan's."""
        found = self.settings.get("warn_days")
        if found.value is None:
            return self.state.plan.warn_days
        text = str(found.value).strip()
        if not text.isdigit() or int(text) > 366:
            raise self.settings.config_error(
                "warn_days", found.value, N_("a number of days, 0–366")
            )
        return int(text)

    @cached_property
    def lock_timeout(self) -> float:
        found = self.settings.get("lock_timeout")
        if found.value is None:
            return DEFAULT_LOCK_TIMEOUT
        try:
            seconds = float(str(found.value).strip())
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= 3600:
            raise self.settings.config_error(
                "lock_timeout", found.value, N_("seconds, 0 or more (0: do not wait), at most 3600")
            )
        return seconds

    @cached_property
    def shift(self) -> Shift | None:
        # The plan file's rules: a write asks for them under its lock, where reading the
        # ledger's state again would cost as much as the write.
        rules = self.plan_file.rules
        if not rules.shift_to_working_day:
            return None
        from kttn_cli.core.deadlines import working_day_shift
        from kttn_cli.storage.holidays import vietnam_holidays

        return working_day_shift(rules, vietnam_holidays())

    @cached_property
    def obligations(self) -> list[Obligation]:
        return obligations(self.state.plan, self.state.book, self.shift)

    @cached_property
    def judged(self) -> list[Judged]:
        return judge_all(self.obligations, self.as_of, self.warn_days)

    def refresh(self, state: State) -> None:
        """After a write: the state it left, and what follows from it."""
        self.__dict__["state"] = state
        self._keep_ids(state)
        for name in ("obligations", "judged"):
            self.__dict__.pop(name, None)

    def committed(self) -> None:
        """Called at a write's commit point: interrupts wait until it is confirmed."""
        if self.guard is not None:
            self.guard.commit()

    # --- talking to the person ------------------------------------------------------------

    @property
    def terminal(self) -> Terminal:
        from kttn_cli.render.terminal import terminal

        return terminal()

    def warn(self, message: str) -> None:
        self.terminal.error(message)

    def page(self, text: str, no_pager: bool = False) -> None:
        """A page for people, paged when it is taller than the screen."""
        term = self.terminal
        term.pager_allowed = not no_pager
        term.pager_command = self.settings.value("pager")
        term.page(text)

    def confirm(self, lines: list[str]) -> None:
        """The lines confirming a committed write. If they cannot be shown (stdout
        closed or full), the write stands: stderr says so and the exit code stays 0."""
        for line in lines:
            if not self.terminal.confirm(line):
                self.unconfirmed = True
                self.warn(
                    _(
                        "the records were written, but their confirmation could not be "
                        "printed; see `kttn log`"
                    )
                )
                return

    @cached_property
    def recorded_by(self) -> str:
        """Who records: KTTN_USER (or the settings file), else the login name."""
        given = self.settings.value("user")
        if given:
            return str(given).strip()
        import getpass

        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return "unknown"
