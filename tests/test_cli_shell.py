"""The shell around the core (docs/architecture.md, "Command line", "Speed"): the command
table, help pages with real examples, the memo of parsed command lines, and what the
fast paths must not import."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import SMALL_PLAN, kttn, ledger_gone_for_restore, ok
from kttn_cli.cli.commands import GROUPS, MODULES
from kttn_cli.cli.parser import all_commands


def test_the_command_table_matches_the_declarations() -> None:
    declared = {c.path.split()[0]: c.module.rsplit(".", 1)[1] for c in all_commands()}
    assert declared == MODULES
    for group, children in GROUPS.items():
        assert {c.name for c in all_commands() if c.group == group} == set(children)


def test_every_command_has_help_and_two_or_three_examples() -> None:
    for command in all_commands():
        assert command.help, command.path
        assert 2 <= len(command.examples) <= 3, command.path
        for line, what in command.examples:
            assert line.startswith(f"kttn {command.path}"), line
            assert what


def _example_argv(line: str, tmp_path: Path) -> list[str] | None:
    """An example line as arguments, its output redirect made a file in `tmp_path`."""
    words = shlex.split(line)[1:]
    if ">" in words:
        words = words[: words.index(">")]
    out = []
    for word in words:
        if word.endswith((".xlsx", ".docx", ".ics", ".csv", ".json")):
            word = str(tmp_path / Path(word).name)
        out.append(word)
    return out


def test_the_examples_of_every_help_page_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run in the order of `kttn --help`, on one ledger: every example must succeed
    (an example that needs a record finds it recorded by an earlier one)."""
    monkeypatch.setenv("KTTN_TODAY", "2024-07-05")
    (tmp_path / "plans").mkdir()
    monkeypatch.chdir(tmp_path / "plans")
    # What examples name that a clerk would have: a contacts file, a ledger kept
    # elsewhere (with its backup), a plan file for next year.
    Path("danh-ba.toml").write_text('van-lam = "vanphong@vanlam.example.gov.vn"\n')
    ok(
        kttn(
            "submit",
            "III.2-bc-6-thang",
            "van-lam",
            "--on",
            "2024-06-28",
            "--ledger",
            "so-theo-doi.toml",
        )
    )
    ok(
        kttn(
            "submit",
            "III.2-bc-6-thang",
            "yen-my",
            "--on",
            "2024-06-28",
            "--ledger",
            "so-theo-doi.toml",
        )
    )
    smtp = _smtp_server()
    env = {
        **os.environ,
        "KTTN_SMTP_HOST": "127.0.0.1",
        "KTTN_SMTP_PORT": str(smtp.port),
        "KTTN_SMTP_TLS": "none",
        "KTTN_MAIL_FROM": "Ban Tổ chức Tỉnh ủy <btctu@example.gov.vn>",
    }
    failures = []
    for command in all_commands():
        for line, _ in command.examples:
            argv = _example_argv(line, tmp_path)
            if argv is None:
                continue
            ledger_gone_for_restore(argv)
            result = kttn(*argv, env=env)
            if result.code not in (0, 1):
                failures.append(f"{line}\n{result}")
    smtp.stop()
    assert not failures, "\n\n".join(failures)


def _smtp_server():  # type: ignore[no-untyped-def]
    """A real SMTP server on 127.0.0.1 that accepts everything (for `remind` examples)."""
    import socket

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd's Controller fails with port=0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_a_remembered_command_line_gives_the_same_output_without_typer(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    argv = ["overdue", "--format", "plain", "--plan", str(SMALL_PLAN), "--as-of", "2024-07-01"]
    probe = (
        "import sys, os; from kttn_cli.cli.entry import run_argv; "
        f"code = run_argv({argv!r}, os.environ); "
        "sys.stdout.flush(); "
        "heavy = ('typer', 'pydantic', 'rich'); "
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr); "
        "sys.exit(code)"
    )
    first = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    second = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout and "bc-6-thang" in first.stdout
    assert "'typer'" in first.stderr.splitlines()[-1]  # the first run was parsed by Typer
    assert second.stderr.splitlines()[-1] == "[]", second.stderr  # neither Typer, pydantic nor Rich


def warm_probe(argv: list[str]) -> str:
    """A process that runs `kttn ARGV` and then names the heavy modules it imported."""
    return (
        "import sys, os; from kttn_cli.cli.entry import run_argv; "
        f"code = run_argv({argv!r}, os.environ); "
        "sys.stdout.flush(); "
        "heavy = ('typer', 'pydantic', 'tomli', 'tomllib', 'rich'); "
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr); "
        "sys.exit(code)"
    )


def test_after_a_write_the_next_reads_are_warm(tmp_path: Path) -> None:
    """The state a write leaves in the cache serves the next read (and the read after
    that): neither reparses the ledger (no TOML reader) nor revalidates it (no pydantic),
    and the output is what a full read gives."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    plan = ["--plan", str(SMALL_PLAN), "--as-of", "2024-07-01"]
    argv = ["status", *plan]
    ok(kttn(*argv))  # Typer reads this command line once, before there is a ledger
    for unit in ("van-lam", "van-giang"):
        ok(kttn("submit", "bc-6-thang", unit, "--on", "2024-06-28", *plan))
    runs = [
        subprocess.run(
            [sys.executable, "-c", warm_probe(argv)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "'pydantic'" not in run.stderr.splitlines()[-1], run.stderr
        assert "'tomli'" not in run.stderr.splitlines()[-1], run.stderr
    # The same page as a read that finds no cache at all.
    cold = {**env, "XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    ledger = ok(kttn("paths", *plan)).out
    assert ".ledger.toml" in ledger
    for entry in Path(os.environ["KTTN_DATA_DIR"]).glob(".*.state"):
        entry.unlink()
    full = subprocess.run(
        [sys.executable, "-c", warm_probe(argv)], capture_output=True, text=True, env=cold
    )
    assert "'tomli'" in full.stderr.splitlines()[-1], full.stderr  # it did read the ledger
    assert full.stdout == runs[0].stdout == runs[1].stdout


def test_a_write_after_a_write_imports_no_file_model_and_no_toml_reader() -> None:
    """A write starts from the state the last write left (its entry and the journal of
    writes, docs/architecture.md "Speed") and checks its new records against the rules
    derived from the file models: it imports neither pydantic nor a TOML reader, and
    what it writes is what a full read accepts."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    plan = ["--plan", str(SMALL_PLAN), "--as-of", "2024-07-01"]
    # Each write is first typed with other words (Typer parses that shape once, and the
    # memo answers the second), then timed by what it imports.
    pairs = [
        (["submit", "bc-6-thang", "van-lam", "--on", "2024-06-28"],
         ["submit", "phan-anh", "van-giang", "--on", "2024-06-29"]),
        (["submit", "bc-6-thang", "van-lam", "--on", "2024-06-30", "--replace"],
         ["submit", "phan-anh", "van-giang", "--on", "2024-06-30", "--replace"]),
        (["extend", "tong-hop", "office", "--to", "2024-10-15", "--reason", "BTV"],
         ["extend", "tong-hop", "office", "--to", "2024-10-20", "--reason", "BTV đồng ý"]),
    ]  # fmt: skip
    for typed, probed in pairs:
        ok(kttn(*typed, *plan))
        run = subprocess.run(
            [sys.executable, "-c", warm_probe([*probed, *plan])],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        heavy = run.stderr.splitlines()[-1]
        assert "'pydantic'" not in heavy and "'tomli'" not in heavy, (probed, run.stderr)
    ok(kttn("check", *plan))
    rows = json.loads(ok(kttn("log", "--format", "json", *plan)).out)
    assert [r["type"] for r in rows] == [
        *("submission", "submission", "void", "submission", "void", "submission"),
        *("extension", "extension"),
    ]


def test_the_version_and_a_completion_import_nothing_heavy() -> None:
    for argv in (["--version"], ["__complete", "bash", "2", "kttn", "sub"]):
        probe = (
            "import sys, os; from kttn_cli.cli.entry import run_argv; "
            f"run_argv({argv!r}, os.environ); "
            "heavy = ('typer', 'pydantic', 'rich'); "
            "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        )
        assert done.stderr.splitlines()[-1] == "[]", (argv, done.stderr)


def test_a_memo_entry_is_never_used_by_another_kttn(tmp_path: Path) -> None:
    """The memo belongs to one version of the package: a changed fingerprint is a miss."""
    from kttn_cli.cli import memo
    from kttn_cli.cli.parser import parse

    cache = tmp_path / "cache"
    parsed = parse(["status"])
    memo.remember(cache, ["status"], "old", spec_of(parsed.path), parsed.values)
    assert memo.lookup(cache, ["status"], "old") == (parsed.path, parsed.values)
    assert memo.lookup(cache, ["status"], "new") is None
    assert memo.lookup(cache, ["status", "-u", "x"], "old") is None


def spec_of(path: str) -> Any:
    from kttn_cli.cli.parser import spec_of as declared

    return declared(path)


# Command lines as a clerk types them; the memo records each one's shape.
RECORDED = [
    ["submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-25", "--ref", "12-BC/HU"],
    ["submit", "bc-6-thang", "van-lam", "yen-my", "--on", "2024-06-25", "--replace"],
    ["extend", "III.2-bc-6-thang", "van-lam", "--to", "2024-07-10", "--reason", "BTV đồng ý"],
    ["status", "--unit", "van-lam", "--as-of", "2024-07-01"],
    ["overdue", "--format", "plain", "--as-of", "2024-07-01"],
    ["task", "add", "--title", "Báo cáo đột xuất", "--by", "25-CV/TU", "-u", "cap-huyen"],
    ["void", "r-0001", "--reason", "nhầm"],
    ["plans", "add", "ke-hoach.toml"],
    ["log", "--format", "json"],
]
# Words a new line may put anywhere: other text, option names, help flags, words that
# also appear elsewhere in the line, a choice, a flag's value as text.
OTHER_WORDS = [
    "yen-my",
    "van-giang",
    "2024-07-01",
    "01/07/2024",
    "",
    " ",
    "III.3-bc-nam",
    "--on",
    "--ref",
    "-h",
    "--help",
    "-",
    "--",
    "--unit=x",
    "True",
    "plain",
    "json",
    "table",
    "status",
    "submit",
    "add",
    "r-0002",
    "Văn Lâm",
    "cap-huyen",
    "nhầm",
    "--replace",
]


@given(
    recorded=st.sampled_from(RECORDED),
    changes=st.lists(
        st.tuples(st.integers(min_value=0, max_value=9), st.sampled_from(OTHER_WORDS)),
        max_size=3,
    ),
)
@settings(max_examples=300, deadline=None)
def test_the_memo_never_disagrees_with_the_parser(
    recorded: list[str], changes: list[tuple[int, str]]
) -> None:
    """Whatever line is looked up after a recorded one, a hit is exactly what Typer reads
    from that line (never a value where Typer would find an option, an error or help)."""
    import tempfile

    from kttn_cli.cli import memo
    from kttn_cli.cli.parser import HelpShown, parse
    from kttn_cli.errors import KttnError

    argv = list(recorded)
    for position, word in changes:
        argv[position % len(argv)] = word
    with tempfile.TemporaryDirectory() as cache:
        parsed = parse(recorded)
        memo.remember(Path(cache), recorded, "f", spec_of(parsed.path), parsed.values)
        hit = memo.lookup(Path(cache), argv, "f")
    if hit is None:
        return
    try:
        expected = parse(argv)
    except (HelpShown, KttnError) as exc:
        raise AssertionError(f"{argv}: the memo answered {hit}, the parser {exc!r}") from None
    assert hit == (expected.path, expected.values), argv


def test_a_second_submit_with_other_words_skips_typer() -> None:
    """The clerk's next `submit` (another milestone, unit, date, number) is read from the
    memo: the process imports no Typer, and the record is what Typer would have read."""
    plan = ["--plan", str(SMALL_PLAN)]
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", "--ref", "1-BC/HU", *plan))
    argv = ["submit", "tong-hop", "office", "--on", "2024-07-03", "--ref", "2-BC/HU", *plan]
    run = subprocess.run(
        [sys.executable, "-c", warm_probe(argv)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "'typer'" not in run.stderr.splitlines()[-1], run.stderr
    rows = json.loads(ok(kttn("log", "--format", "json", *plan)).out)
    last = rows[-1]
    assert (last["milestone"], last["unit"], last["on"], last["reference"]) == (
        "tong-hop",
        "office",
        "2024-07-03",
        "2-BC/HU",
    ), last


def test_machine_output_is_identical_for_identical_inputs() -> None:
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-28", "--plan", str(SMALL_PLAN)))
    runs = {
        kttn("export", "--format", "json", "--plan", str(SMALL_PLAN), "--as-of", "2024-07-01").out
        for _ in range(3)
    }
    assert len(runs) == 1
    doc = json.loads(runs.pop())
    assert doc["plan"]["before_rule"] == "exclusive"
