"""Start-up guards (issue 6): what each path imports, the validated-content cache, shell
completion, and the benchmark's generator.

Timing lives in bench/ only; these tests check the causes of slowness that can be seen
without a clock: the modules a run imports (`sys.modules` after a real run of `main()` in
a fresh interpreter), whether data is read at all, and that a cache hit is a true hit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

GENERATE = ROOT / "bench" / "generate.py"
AS_OF = "2024-12-01"

# Machinery no read-only command needs (DESIGN §1: cron mails `kttn overdue`).
NEVER = ("smtplib", "icalendar", "holidays", "dateutil")
# What a cache hit must not need: validation, TOML, locking, the platformdirs lookup,
# and importlib.metadata's e-mail parser (pulled in by pydantic's plugin loader).
NOT_ON_HIT = (
    *NEVER,
    "pydantic",
    "pydantic_core",
    "tomli",
    "tomllib",
    "filelock",
    "platformdirs",
    "email",
)
NO_DATA = (
    *NOT_ON_HIT,
    "kttn_cli.storage.cache",
    "kttn_cli.storage.plan_file",
    "kttn_cli.storage.ledger_file",
)

RUN_MAIN = """
import json, sys
report = sys.argv[1]
sys.argv = ["kttn", *sys.argv[2:]]
from kttn_cli.cli.app import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
with open(report, "w", encoding="utf-8") as handle:
    json.dump({"code": code, "modules": sorted(sys.modules)}, handle)
"""


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plan and a 400-record ledger from bench/generate.py (made once)."""
    out = tmp_path_factory.mktemp("bench-data")
    subprocess.run(
        [sys.executable, str(GENERATE), "--records", "400", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture
def data(generated: Path, tmp_path: Path) -> Path:
    """A private copy of the generated plan and ledger."""
    target = tmp_path / "files"
    shutil.copytree(generated, target)
    return target


def files(data: Path) -> tuple[str, ...]:
    return ("--plan", str(data / "plan.toml"), "--ledger", str(data / "ledger.toml"))


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, list[str]]:
    """Run `main()` with these arguments in a fresh interpreter: exit code, stdout,
    stderr and every module it imported."""
    report = Path(os.environ["HOME"]) / "modules.json"
    full_env = {**os.environ, "KTTN_TODAY": AS_OF, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", RUN_MAIN, str(report), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )
    assert report.exists(), proc.stderr
    result = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    return int(result["code"] or 0), proc.stdout, proc.stderr, result["modules"]


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names)]


def cache_entries() -> list[Path]:
    root = Path(os.environ["XDG_CACHE_HOME"]) / "kttn"
    return sorted(root.glob("*.json")) if root.exists() else []


# --- what each path imports --------------------------------------------------------------

READ_COMMANDS = [
    (("overdue", "--format", "plain"), ("rich",)),  # the cron path: no Rich either
    (("overdue", "--format", "json"), ("rich",)),
    (("overdue", "--format", "csv"), ("rich",)),
    (("export", "--format", "json"), ("rich",)),
    (("export", "--format", "csv"), ("rich",)),
    (("upcoming", "--format", "plain", "--days", "30"), ("rich",)),
    (("status",), ()),
    (("board",), ()),
    (("upcoming",), ()),
    (("tasks",), ()),
    (("log",), ()),
]


@pytest.mark.parametrize(("args", "also_not"), READ_COMMANDS, ids=lambda v: " ".join(v))
def test_read_commands_on_a_cache_hit_import_no_heavy_machinery(
    data: Path, args: tuple[str, ...], also_not: tuple[str, ...]
) -> None:
    first = run(*args, *files(data))
    assert first[0] == 0, first[2]
    assert cache_entries(), "the first run stores the validated plan and ledger"
    code, out, err, modules = run(*args, *files(data))
    assert code == 0, err
    assert out == first[1]
    assert loaded(modules, (*NOT_ON_HIT, *also_not)) == []


def test_the_cron_path_on_a_cache_miss_still_needs_no_mail_rich_or_lock(data: Path) -> None:
    code, _, err, modules = run("overdue", "--format", "plain", *files(data))
    assert code == 0, err
    assert "pydantic" in modules  # a miss validates in full
    assert loaded(modules, (*NEVER, "rich", "filelock")) == []


@pytest.mark.parametrize(
    "args",
    [("--help",), ("-h",), ("overdue", "--help"), ("status", "--help"), ("--version",)],
    ids=" ".join,
)
def test_help_and_version_read_no_data(args: tuple[str, ...]) -> None:
    code, out, err, modules = run(*args, env={"KTTN_PLAN": "/nonexistent/plan.toml"})
    assert code == 0, err
    assert out
    assert loaded(modules, NO_DATA) == []
    assert not cache_entries()


def test_root_help_lists_every_command() -> None:
    from typer.main import get_command

    from kttn_cli.cli.app import app

    group: Any = get_command(app)
    code, out, err, _ = run("--help", env={"COLUMNS": "200"})
    assert code == 0, err
    first_words = [line.strip("│ ").split(" ")[0] for line in out.splitlines()]
    assert [w for w in first_words if w in group.commands] == list(group.commands)


# --- the validated-content cache ---------------------------------------------------------

CACHED_COMMANDS = [("overdue", "--format", "plain"), ("status",), ("export", "--format", "json")]


@pytest.mark.parametrize("args", CACHED_COMMANDS, ids=" ".join)
def test_a_hit_prints_what_a_miss_prints(data: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    miss = run(*args, *files(data))
    hit = run(*args, *files(data))
    unwritable = tmp_path / "not-a-dir"
    unwritable.write_text("a file where the cache directory should be\n")
    never = run(*args, *files(data), env={"XDG_CACHE_HOME": str(unwritable / "x")})
    assert miss[0] == hit[0] == never[0] == 0, (miss[2], hit[2], never[2])
    assert miss[1] == hit[1] == never[1]
    assert "pydantic" in miss[3] and "pydantic" not in hit[3] and "pydantic" in never[3]


def test_an_unwritable_cache_directory_fails_nothing(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    for _ in range(2):
        code, out, err, _ = run(
            "overdue", "--format", "plain", *files(data), env={"XDG_CACHE_HOME": str(blocker)}
        )
        assert code == 0, err
        assert err == ""
        assert out


def truncated_ledger(text: str, keep: int) -> str:
    """The ledger as it was after its first `keep` records (it is append-only)."""
    parts = text.split("\n[[records]]\n")
    return "\n[[records]]\n".join(parts[: keep + 1])


def test_a_changed_ledger_is_read_again(data: Path) -> None:
    ledger = data / "ledger.toml"
    full = ledger.read_text(encoding="utf-8")
    ledger.write_text(truncated_ledger(full, 60), encoding="utf-8")
    early = run("export", "--format", "json", *files(data))
    ledger.write_text(full, encoding="utf-8")
    late = run("export", "--format", "json", *files(data))
    assert early[0] == late[0] == 0
    assert early[1] != late[1]
    ledger.write_text(truncated_ledger(full, 60), encoding="utf-8")
    again = run("export", "--format", "json", *files(data))
    assert again[1] == early[1]


def test_a_changed_plan_is_read_again(data: Path) -> None:
    plan = data / "plan.toml"
    before = run("status", *files(data))
    text = plan.read_text(encoding="utf-8")
    assert text.count('number = "01-KH/BCĐ"') == 1
    plan.write_text(text.replace('number = "01-KH/BCĐ"', 'number = "02-KH/BCĐ"'), "utf-8")
    after = run("status", *files(data))
    assert before[0] == after[0] == 0
    assert "01-KH/BCĐ" in before[1] and "02-KH/BCĐ" in after[1]
    assert "pydantic" in after[3], "a changed plan is validated again"


def test_an_invalid_ledger_is_never_cached(data: Path) -> None:
    ledger = data / "ledger.toml"
    ledger.write_text(ledger.read_text(encoding="utf-8") + '\n[[records]]\nid = "x"\n', "utf-8")
    for _ in range(2):
        code, _, err, _ = run("overdue", "--format", "plain", *files(data))
        assert code == 65, err
    assert [p.name for p in cache_entries() if p.name.startswith("ledger-")] == []


def replace_with_directory(entry: Path) -> None:
    entry.unlink()
    entry.mkdir()


def damage_flip(entry: Path) -> None:
    raw = bytearray(entry.read_bytes())
    middle = raw.index(b"\n") + (len(raw) - raw.index(b"\n")) // 2
    raw[middle] = ord("7") if raw[middle] != ord("7") else ord("8")
    entry.write_bytes(bytes(raw))


DAMAGE: dict[str, Callable[[Path], object]] = {
    "garbage": lambda p: p.write_bytes(b"\x00\xff not json \n{{{"),
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "flipped byte": damage_flip,
    "header only": lambda p: p.write_bytes(p.read_bytes().split(b"\n")[0] + b"\n"),
    "a directory": replace_with_directory,
}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_cache_entry_is_ignored(data: Path, how: str) -> None:
    clean = run("overdue", "--format", "plain", *files(data))
    entries = cache_entries()
    assert len(entries) == 2  # the plan and the ledger
    for entry in entries:
        DAMAGE[how](entry)
    damaged = run("overdue", "--format", "plain", *files(data))
    assert damaged[0] == 0, damaged[2]
    assert damaged[1] == clean[1]
    assert damaged[2] == ""
    if how != "a directory":
        healed = run("overdue", "--format", "plain", *files(data))
        assert healed[1] == clean[1]
        assert "pydantic" not in healed[3], "the damaged entry was replaced by a good one"


def test_the_ledger_entry_depends_on_the_plan_it_was_checked_against(data: Path) -> None:
    from kttn_cli.storage import cache

    raw = (data / "ledger.toml").read_bytes()
    assert cache.content_key("ledger", raw, "plan-a") != cache.content_key("ledger", raw, "plan-b")


def test_ledger_records_come_back_equal_from_the_cache(data: Path) -> None:
    from typing import get_args

    from kttn_cli.core.model import LedgerRecord
    from kttn_cli.storage import cache
    from kttn_cli.storage.ledger_file import load_ledger

    path = data / "ledger.toml"
    raw = path.read_bytes()
    kinds = get_args(LedgerRecord)
    ledger = load_ledger(path, "kh-01-bcd-2024", "en")  # a miss: validates and stores
    assert cache.load_records("ledger", path, raw, kinds, "kh-01-bcd-2024") == list(ledger.records)
    assert load_ledger(path, "kh-01-bcd-2024", "en") == ledger  # a hit
    # Rows written for other classes (another version of kttn's model) are a miss.
    assert cache.load_records("ledger", path, raw, kinds[::-1], "kh-01-bcd-2024") is None


@dataclass(frozen=True, slots=True)
class Odd:
    id: str
    amounts: list[float]


def test_values_the_rows_cannot_carry_are_not_cached(tmp_path: Path) -> None:
    from kttn_cli.storage import cache

    source = tmp_path / "odd.toml"
    cache.store_records("odd", source, b"x", [Odd("a", [1.5])], (Odd,))
    assert not cache.entry_path("odd", source).exists()
    assert cache.load_records("odd", source, b"x", (Odd,)) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "   ", "/srv/cache", "relative/cache"])
def test_the_cache_directory_is_platformdirs_own_on_linux(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from platformdirs import user_cache_path

    from kttn_cli.storage.cache import cache_dir

    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache_dir() == user_cache_path("kttn", appauthor=False)


# --- shell completion --------------------------------------------------------------------


def complete(words: str, cword: int, shell: str = "bash") -> tuple[str, list[str]]:
    env = {
        "_KTTN_COMPLETE": f"complete_{shell}",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
        "_TYPER_COMPLETE_ARGS": words,
    }
    code, out, err, modules = run(env=env)
    assert code == 0, err
    return out, modules


def test_completion_offers_commands_options_and_choices_without_reading_data() -> None:
    out, modules = complete("kttn ov", 1)
    assert out.split() == ["overdue"]
    assert loaded(modules, (*NO_DATA, "rich")) == []
    out, _ = complete("kttn overdue --fo", 2)
    assert "--format" in out.split()
    out, _ = complete("kttn overdue --format ", 3)
    assert out.split() == ["table", "plain", "csv", "json"]
    out, _ = complete("kttn task ", 2)
    assert "add" in out.split()


def test_zsh_completion_answers() -> None:
    out, _ = complete("kttn ov", 1, shell="zsh")
    assert "overdue" in out


# Typer finds the user's shell from the process tree; its own tests name the shell
# instead, with this switch. `kttn --install-completion` run from zsh writes the zsh files.
NAMED_SHELL = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}


@pytest.mark.parametrize(
    ("shell", "script", "rc_file", "line"),
    [
        ("bash", ".bash_completions/kttn.sh", ".bashrc", "source "),
        ("zsh", ".zfunc/_kttn", ".zshrc", "fpath+=~/.zfunc"),
        ("fish", ".config/fish/completions/kttn.fish", None, None),
    ],
)
def test_install_completion_writes_the_shell_script(
    shell: str, script: str, rc_file: str | None, line: str | None
) -> None:
    home = Path(os.environ["HOME"])
    code, _, err, modules = run("--install-completion", shell, env=NAMED_SHELL)
    assert code == 0, err
    assert f"_KTTN_COMPLETE=complete_{shell}" in (home / script).read_text(encoding="utf-8")
    if rc_file and line:
        assert line in (home / rc_file).read_text(encoding="utf-8")
    assert loaded(modules, NO_DATA) == []


def test_show_completion_prints_the_script() -> None:
    code, out, err, modules = run("--show-completion", "bash", env=NAMED_SHELL)
    assert code == 0, err
    assert "_KTTN_COMPLETE=complete_bash" in out
    assert loaded(modules, NO_DATA) == []


# --- main() imports only the command it runs -----------------------------------------------


def test_command_modules_name_where_every_command_is_defined() -> None:
    from typer.main import get_command

    from kttn_cli.cli import app as app_module

    group: Any = get_command(app_module.app)
    assert set(group.commands) == set(app_module.COMMAND_MODULES)
    for name, command in group.commands.items():
        module = app_module.COMMAND_MODULES[name]
        subcommands = getattr(command, "commands", None)
        callbacks = (
            [c.callback for c in subcommands.values()] if subcommands else [command.callback]
        )
        for callback in callbacks:
            assert callback.__module__ == f"kttn_cli.cli.{module}", name


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["overdue", "--format", "plain"], "overdue"),
        (["--debug", "status"], "status"),
        (["task", "add", "--help"], "task"),
        (["export", "--format", "json"], "export"),
        ([], None),
        (["--help"], None),
        (["-h", "overdue"], None),
        (["--version"], None),
        (["no-such-command"], None),
    ],
)
def test_command_for(argv: list[str], expected: str | None) -> None:
    from kttn_cli.cli.app import command_for

    assert command_for(argv) == expected


def test_a_lazy_run_imports_only_its_command_module(data: Path) -> None:
    code, _, err, modules = run("overdue", "--format", "plain", *files(data))
    assert code == 0, err
    assert loaded(modules, ("kttn_cli.cli",)) == [
        "kttn_cli.cli",
        "kttn_cli.cli.app",
        "kttn_cli.cli.session",
        "kttn_cli.cli.startup",
        "kttn_cli.cli.views",
    ]


# --- option values converted without pydantic, exactly as Typer converts them -------------


def typer_params() -> Iterator[tuple[str, Any, Any]]:
    from typer.main import get_command

    from kttn_cli.cli.app import app

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
        for param in command.params:
            yield path, command, param
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    yield from walk(get_command(app), "kttn")


def sample_values(param: Any) -> list[Any]:
    from enum import Enum

    annotation = param.type_descriptor.annotation
    multi = param.multiple or param.nargs == -1
    item = annotation.__args__[0] if multi else annotation
    if item is bool:
        return []
    if isinstance(item, type) and issubclass(item, Enum):
        values: list[Any] = [c.value for c in item] + ["NO-SUCH", next(iter(item))]
    elif item is int:
        values = ["0", "7", "366", "400", "-1", "x", " 5", "٣"]
    elif item is str:
        values = ["abc", "Văn Lâm", ""]
    elif isinstance(item, type) and issubclass(item, Path):
        values = ["/nonexistent/file.toml", str(ROOT / "pyproject.toml"), str(ROOT)]
    else:
        raise AssertionError(f"an option type the fast converter has not met: {item!r}")
    return [(v, v) for v in values] if multi else values


def test_fast_conversion_matches_typer_for_every_option_and_value() -> None:
    from typer._click import Context
    from typer._coercion import build_runtime_param

    from kttn_cli.cli.startup import KNOWN_TYPER, FastConversion

    assert KNOWN_TYPER, "Typer's internals changed: options go through pydantic again"
    checked = 0
    for path, command, param in typer_params():
        ctx = Context(command)
        for value in sample_values(param):
            outcomes = []
            for converter in (
                FastConversion(param.type_descriptor),
                build_runtime_param(param.type_descriptor),
            ):
                try:
                    outcomes.append(("ok", converter.coerce(value, param=param, ctx=ctx)))
                except Exception as exc:  # the same error, with the same message
                    outcomes.append((type(exc).__name__, str(exc)))
            assert outcomes[0] == outcomes[1], (path, param.name, value)
            checked += 1
    assert checked > 100


# --- the benchmark's generator -----------------------------------------------------------


@pytest.mark.parametrize(
    "shape", [(), ("--units", "7", "--milestones", "12")], ids=["bundled", "synthetic"]
)
def test_generated_files_pass_kttn_check(tmp_path: Path, shape: tuple[str, ...]) -> None:
    out = tmp_path / "gen"
    subprocess.run(
        [sys.executable, str(GENERATE), "--records", "250", "--out", str(out), *shape],
        check=True,
        capture_output=True,
    )
    text = (out / "ledger.toml").read_text(encoding="utf-8")
    assert text.count("\n[[records]]\n") == 250
    for kind in ("submission", "void", "extension"):
        assert f'type = "{kind}"' in text, kind
    code, out_text, err, _ = run(
        "check", "--plan", str(out / "plan.toml"), "--ledger", str(out / "ledger.toml")
    )
    assert code == 0, out_text + err


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    texts = []
    for name in ("a", "b"):
        subprocess.run(
            [
                sys.executable,
                str(GENERATE),
                "--records",
                "120",
                "--units",
                "4",
                "--milestones",
                "6",
                "--out",
                str(tmp_path / name),
            ],
            check=True,
            capture_output=True,
        )
        texts.append((tmp_path / name / "ledger.toml").read_bytes())
    assert texts[0] == texts[1]
