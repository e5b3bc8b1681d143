"""Settings, resolved once per run: option > environment > settings file > default.

Every setting kttn has is listed here once, with its environment variable and its key in
the settings file; `kttn config` shows each value and where it came from. Nothing below
the CLI reads the environment (docs/architecture.md, "Settings").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kttn_cli.errors import ConfigError, ConfigProblems
from kttn_cli.i18n import N_, Nn_

Source = Literal["option", "env", "file", "default"]
CONFIG_ENV = "KTTN_CONFIG"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    env: str | None
    file_key: str | None  # dotted key in the settings file
    option: str | None  # the command-line flag that overrides it
    help: str  # English source text


SETTINGS: tuple[Setting, ...] = (
    Setting("plan", "KTTN_PLAN", "plan", "--plan", N_("plan file or registered plan id")),
    Setting("ledger", "KTTN_LEDGER", None, "--ledger", N_("ledger file")),
    Setting("data_dir", "KTTN_DATA_DIR", "data_dir", None, N_("where ledgers are kept")),
    Setting("lang", "KTTN_LANG", "lang", "--lang", N_("language: vi or en")),
    Setting("today", "KTTN_TODAY", None, "--as-of", N_("the date to judge as of")),
    Setting("warn_days", "KTTN_WARN_DAYS", "warn_days", None, N_("warning window in days")),
    Setting("pager", "KTTN_PAGER", "pager", None, N_("pager for long output")),
    Setting(
        "lock_timeout",
        "KTTN_LOCK_TIMEOUT",
        "lock_timeout",
        None,
        N_("seconds to wait for the ledger's lock"),
    ),
    Setting("user", "KTTN_USER", "user", None, N_("the name records are written by")),
    Setting(
        "contacts", "KTTN_CONTACTS", "contacts", "--contacts", N_("contacts file for reminders")
    ),
    Setting("smtp_host", "KTTN_SMTP_HOST", "smtp.host", None, N_("SMTP server")),
    Setting("smtp_port", "KTTN_SMTP_PORT", "smtp.port", None, N_("SMTP port")),
    Setting("smtp_tls", "KTTN_SMTP_TLS", "smtp.tls", None, N_("starttls, ssl or none")),
    Setting("smtp_user", "KTTN_SMTP_USER", "smtp.user", None, N_("SMTP login name")),
    Setting(
        "smtp_password_file",
        "KTTN_SMTP_PASSWORD_FILE",
        "smtp.password_file",
        None,
        N_("file holding the SMTP password"),
    ),
    Setting(
        "smtp_password", "KTTN_SMTP_PASSWORD", None, None, N_("SMTP password (environment only)")
    ),
    Setting(
        "smtp_timeout", "KTTN_SMTP_TIMEOUT", "smtp.timeout", None, N_("SMTP timeout in seconds")
    ),
    Setting("smtp_sender", "KTTN_MAIL_FROM", "smtp.from", None, N_("sender of reminders")),
    Setting(
        "documents_office",
        None,
        "documents.office",
        "--office",
        N_("the issuing office's header in documents, line by line"),
    ),
    Setting(
        "documents_symbol",
        None,
        "documents.symbol",
        None,
        N_("the office's abbreviation in document numbers"),
    ),
    Setting("documents_place", None, "documents.place", "--place", N_("the place in documents")),
    Setting("documents_signer", None, "documents.signer", "--signer", N_("who signs documents")),
    Setting(
        "documents_signer_title",
        None,
        "documents.signer_title",
        "--signer-title",
        N_("the signer's authority and title, line by line"),
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}
SECRET = frozenset({"smtp_password"})


@dataclass(frozen=True, slots=True)
class Value:
    value: Any
    source: Source
    where: str = ""  # the variable, the file:line, or the option


def config_path(env: Mapping[str, str]) -> Path:
    """The settings file: KTTN_CONFIG, else `config.toml` in the platform's config dir."""
    given = env.get(CONFIG_ENV)
    if given:
        return Path(given).expanduser().absolute()
    from kttn_cli.cli.places import config_dir

    return Path(config_dir(env)) / "config.toml"


def read_file(path: Path) -> dict[str, tuple[Any, str]]:
    """The settings file's values by setting name, each with `FILE:LINE`; exit 78 with
    `FILE:LINE:COL` for a file that is not valid (a typo must not be ignored)."""
    if not path.exists():
        return {}
    from kttn_cli.errors import KttnError
    from kttn_cli.storage.files import read_data_file
    from kttn_cli.storage.toml_files import parse, schema_problems

    try:
        raw = read_data_file(path, "settings")
    except KttnError as exc:  # a directory, a device: the same words, exit 78
        raise ConfigError(N_("{detail}"), detail=exc.phrase) from None
    parsed = parse(path, raw, "settings")
    problems = parsed.problems
    model = None
    if parsed.data is not None:
        from pydantic import ValidationError

        from kttn_cli.schema.settings import SettingsFile

        try:
            model = SettingsFile.model_validate(parsed.data)
        except ValidationError as exc:
            problems = schema_problems(parsed, exc, frozenset(), SettingsFile)
    if model is None:
        raise ConfigProblems(
            problems,
            Nn_(
                "the settings file has {count} problem, first: {first}",
                "the settings file has {count} problems, first: {first}",
            ),
            count=len(problems),
        )
    out: dict[str, tuple[Any, str]] = {}
    base = path.parent
    for name, value in model.flat().items():
        setting = BY_NAME[name]
        key = tuple((setting.file_key or name).split("."))
        line, _ = parsed.index.locate(key)
        if name in ("plan", "data_dir", "contacts", "smtp_password_file") and isinstance(
            value, str
        ):
            value = _relative_to(base, name, value)
        out[name] = (value, f"{path}:{line}")
    return out


def _relative_to(base: Path, name: str, value: str) -> str:
    """A relative path in the settings file is relative to the file, not to wherever kttn
    runs. Only `plan` may instead be a plan id (no slash, not ending in .toml)."""
    if name == "plan" and "/" not in value and not value.endswith(".toml"):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path))


class Settings:
    """The settings in force for one run."""

    def __init__(
        self,
        env: Mapping[str, str],
        options: Mapping[str, Any],
        file_path: Path | None = None,
    ) -> None:
        self.env = env
        self.options = options  # setting name → the value given on the command line
        self.file_path = file_path
        self._file: Mapping[str, tuple[Any, str]] | None = None

    @classmethod
    def from_environment(cls, env: Mapping[str, str], options: Mapping[str, Any]) -> Settings:
        return cls(env, options, config_path(env))

    @property
    def file(self) -> Mapping[str, tuple[Any, str]]:
        if self._file is None:
            self._file = read_file(self.file_path) if self.file_path else {}
        return self._file

    def get(self, name: str) -> Value:
        setting = BY_NAME[name]
        given = self.options.get(name)
        if given is not None and given != []:
            return Value(given, "option", setting.option or "")
        if setting.env:
            text = self.env.get(setting.env, "")
            # An empty variable is an unset one (a cron line `KTTN_TODAY=`).
            if text != "":
                return Value(text, "env", setting.env)
        if name in self.file:
            value, where = self.file[name]
            return Value(value, "file", where)
        return Value(None, "default")

    def value(self, name: str) -> Any:
        return self.get(name).value

    def config_error(self, name: str, value: object, hint: str) -> ConfigError:
        """A bad value, named by where it came from (exit 78); `hint` is a message marked
        with N_(), translated when shown."""
        from kttn_cli.errors import Phrase

        found = self.get(name)
        return ConfigError(
            N_("invalid {name}={value!r}: {hint}"),
            name=found.where or name,
            value=value,
            hint=Phrase(hint),
        )


def absolute(path_text: str) -> Path:
    """A path from the environment or the command line, made absolute once: joined to
    the working directory, not normalised (`link/..` is where the link's target's parent
    is, which only the file system knows; cutting it out by text names another file)."""
    path = os.path.expanduser(path_text)
    return Path(path if os.path.isabs(path) else os.path.join(os.getcwd(), path))
