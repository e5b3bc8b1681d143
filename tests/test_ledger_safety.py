"""The ledger's safety rules (DESIGN §5, issue 4 point 4), tested with real processes.

Every command here runs as `python -m kttn_cli` in its own process: concurrent writers,
writers killed with SIGKILL, a damaged ledger, a directory that refuses writes, a lock
held by someone else, a write that fails half-way. The ledger must never lose a record
whose command said it was recorded, and a ledger kttn cannot read is left as it is.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke

TODAY = "2024-07-10"
PLAN_ID = "kh-01-bcd-2024"
M = "III.2-bc-6-thang"
# The 11 district-level committees and the assigned bodies: all owe the III.2 reports.
UNITS = [
    "tp-hung-yen", "tx-my-hao", "van-lam", "van-giang", "yen-my", "khoai-chau", "an-thi",
    "kim-dong", "phu-cu", "tien-lu", "dukcq-dn", "don-vi-duoc-phan-cong",
]  # fmt: skip
MILESTONES = ["III.2-ke-hoach", "III.2-bc-6-thang", "III.2-bc-nam", "III.2-phan-anh"]


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ledger in its own directory, named by KTTN_LEDGER for every process."""
    directory = tmp_path / "office"
    directory.mkdir()
    path = directory / "ledger.toml"
    monkeypatch.setenv("KTTN_LEDGER", str(path))
    monkeypatch.setenv("KTTN_TODAY", TODAY)
    monkeypatch.setenv("KTTN_USER", "clerk")
    monkeypatch.setenv("KTTN_LANG", "en")
    return path


def kttn_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "kttn_cli", *args]


def run(
    *args: str,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """kttn in a real process, with the test's environment plus `env`."""
    return subprocess.run(
        kttn_argv(*args),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
        timeout=60,
        check=False,
    )


def run_all(commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once, then wait for all of them."""
    procs = [
        subprocess.Popen(kttn_argv(*c), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    done = []
    for command, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=60)
        done.append(subprocess.CompletedProcess(command, proc.returncode, out, err))
    return done


def records(path: Path) -> list[dict[str, Any]]:
    result = run("log", "--format", "json", "--ledger", str(path))
    assert result.returncode == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def state(path: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in the ledger's directory but the lock: its bytes and modification time
    (any temporary file left behind shows up too)."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(path.parent.iterdir())
        if p.is_file() and not p.name.endswith(".lock")
    }


def submit(*args: str) -> None:
    result = run("submit", *args)
    assert result.returncode == 0, result.stderr


# ── concurrent writers ──────────────────────────────────────────────────────────────


def test_eight_concurrent_submit_processes_lose_nothing(ledger: Path) -> None:
    """8 processes race for the lock at once; each records 2 obligations of its own."""
    from filelock import FileLock

    workers = UNITS[:8]
    script = (
        "import subprocess, sys\n"
        "for milestone in sys.argv[2:]:\n"
        "    r = subprocess.run([sys.executable, '-m', 'kttn_cli', 'submit', milestone,\n"
        "                        sys.argv[1], '--on', '2024-07-01'], capture_output=True)\n"
        "    sys.stderr.buffer.write(r.stderr)\n"
        "    if r.returncode:\n"
        "        sys.exit(r.returncode)\n"
    )
    env = {**os.environ, "KTTN_LOCK_TIMEOUT": "60"}
    # Hold the lock while they start, so that all eight are waiting on it together.
    with FileLock(f"{ledger}.lock"):
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, unit, *MILESTONES[:2]],
                env=env,
                stderr=subprocess.PIPE,
            )
            for unit in workers
        ]
        time.sleep(1.0)
    for unit, proc in zip(workers, procs, strict=True):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (unit, err)

    found = records(ledger)
    ids = [r["id"] for r in found]
    assert len(ids) == 16
    assert sorted(ids, key=lambda i: int(i[1:])) == [f"r{n}" for n in range(1, 17)]
    assert sorted((r["milestone"], r["unit"]) for r in found) == sorted(
        (m, u) for m in MILESTONES[:2] for u in workers
    )
    assert run("check").returncode == 0


# ── a writer killed at random moments ───────────────────────────────────────────────


def test_writer_killed_at_random_moments_never_damages_the_ledger(ledger: Path) -> None:
    seed = int(os.environ.get("KTTN_TEST_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    obligations = [(m, u) for m in MILESTONES for u in UNITS]
    rng.shuffle(obligations)
    submit(*obligations[0], "--on", "2024-07-01")  # so that there is a file to damage
    start = time.monotonic()
    submit(*obligations[1], "--on", "2024-07-01")
    runtime = time.monotonic() - start  # to spread the kills over a whole run
    confirmed = {obligations[0], obligations[1]}
    killed = 0
    for milestone, unit in obligations[2:32]:
        proc = subprocess.Popen(
            kttn_argv("submit", milestone, unit, "--on", "2024-07-01", "--note", "x" * 2000),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0, runtime * 1.2))
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
        if proc.returncode == 0:
            confirmed.add((milestone, unit))
        else:
            assert proc.returncode == -signal.SIGKILL, err
            killed += 1
        check = invoke("check")
        assert check.exit_code == 0, f"seed {seed}: {check.stdout}{check.stderr}"
    assert killed > 0, f"seed {seed}: no process was killed before it finished"
    recorded = {(r["milestone"], r["unit"]) for r in records(ledger)}
    assert confirmed <= recorded, f"seed {seed}"
    # What a writer killed between mkstemp and rename leaves behind (rare at random).
    (ledger.parent / ".ledger.toml.k1ll3d.tmp").write_bytes(ledger.read_bytes()[:100])
    # The lock of a killed writer died with it: the next command gets it at once.
    result = run("void", "r1", "--reason", "x", env={"KTTN_LOCK_TIMEOUT": "5"})
    assert result.returncode == 0, result.stderr
    # That write also cleared the temporary files of the writers killed before renaming.
    assert sorted(p.name for p in ledger.parent.iterdir()) == [
        "ledger.toml",
        "ledger.toml.bak",
        "ledger.toml.lock",
    ]


# ── a ledger kttn cannot read ───────────────────────────────────────────────────────

GOOD = f"""\
# Written by kttn
schema_version = 1
plan = "{PLAN_ID}"

[[records]]
id = "r1"
recorded_at = 2024-07-01 02:00:00+00:00
recorded_by = "clerk"
type = "submission"
milestone = "III.2-bc-6-thang"
unit = "van-lam"
on = 2024-06-28
reference = "12-BC/HU"
"""

DAMAGED = {
    # case: (content, line, column of the first problem)
    "truncated": (GOOD[: GOOD.index("recorded_by") + 14], 8, 15),
    "empty": ("", 1, 1),
    "invalid_toml": (GOOD.replace("[[records]]", "[[records]"), 5, 10),
    "wrong_type": (GOOD.replace("on = 2024-06-28", 'on = "28/06/2024"'), 12, 1),
    "unknown_key": (GOOD + 'colour = "red"\n', 14, 1),
    "wrong_plan": (GOOD.replace(f'plan = "{PLAN_ID}"', 'plan = "kh-2025"'), 3, 1),
    "not_utf8": (GOOD.replace("12-BC/HU", "12-BC/H\udcff"), 13, 21),
}

EVERY_COMMAND = [
    ["status"],
    ["board"],
    ["overdue", "--format", "json"],
    ["upcoming"],
    ["log"],
    ["export", "--format", "json"],
    ["submit", M, "van-giang", "--on", "2024-07-01"],
    ["void", "r1", "--reason", "x"],
    ["extend", M, "kim-dong", "--to", "2024-07-20", "--reason", "x"],
    ["task", "add", "--title", "T", "--by", "25-CV/TU", "-u", "btctu"],
]


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_every_command_refuses_an_unreadable_ledger_and_leaves_it_untouched(
    case: str, ledger: Path
) -> None:
    content, line, col = DAMAGED[case]
    ledger.write_bytes(content.encode("utf-8", "surrogateescape"))
    before = state(ledger)
    where = f"{ledger}:{line}:{col}: "

    check = run("check")
    assert check.returncode == 65, check.stdout + check.stderr
    assert check.stdout.startswith(where), check.stdout

    for result in run_all(EVERY_COMMAND):
        assert result.returncode == 65, (result.args, result.stdout, result.stderr)
        assert result.stdout == "", result.args
        assert re.fullmatch(
            rf"kttn: the ledger has \d+ problems?, first: {re.escape(where)}.+ — the file was "
            r"left as it is; run `kttn check` to see them all\n",
            result.stderr,
        ), (result.args, result.stderr)
    assert state(ledger) == before


# ── a directory that refuses writes ─────────────────────────────────────────────────

PR_CAPBSET_DROP = 24
# CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: what lets root ignore file modes.
ROOT_OVERRIDES = (1, 2, 3)


def _without_root_overrides() -> None:
    """In the child, before exec: give up the capabilities that let root write anywhere.

    Dropped from the bounding set, they are gone after exec too, so the kttn process,
    still uid 0, is held to the directory's mode like anybody else.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in ROOT_OVERRIDES:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def read_only(ledger: Path) -> Iterator[Callable[[], None] | None]:
    """Make the ledger's directory read-only (555) for kttn processes; yield the
    preexec_fn that subprocesses need for that to hold (root ignores the mode)."""
    directory = ledger.parent
    preexec = _without_root_overrides if os.geteuid() == 0 else None
    directory.chmod(0o555)
    try:
        try:
            probe = subprocess.run(
                [sys.executable, "-c", f"open({str(directory / 'probe')!r}, 'w')"],
                preexec_fn=preexec,
                capture_output=True,
                check=False,
            ).returncode
        except subprocess.SubprocessError:  # prctl refused: no CAP_SETPCAP
            probe = 0
        if probe == 0:
            pytest.skip("no way to make a directory read-only for this user here")
        yield preexec
    finally:
        directory.chmod(0o755)


@pytest.mark.parametrize("lock_file", ["kept", "absent"])
def test_a_read_only_directory_is_exit_73_and_nothing_is_lost(
    ledger: Path, lock_file: str, request: pytest.FixtureRequest
) -> None:
    submit(M, "van-lam", "--on", "2024-06-28")
    if lock_file == "absent":
        Path(f"{ledger}.lock").unlink()
    before = state(ledger)
    preexec = request.getfixturevalue("read_only")
    for command in (
        ["submit", M, "van-giang", "--on", "2024-07-01"],
        ["void", "r1", "--reason", "x"],
        ["extend", M, "kim-dong", "--to", "2024-07-20", "--reason", "x"],
        ["task", "add", "--title", "T", "--by", "25-CV/TU", "-u", "btctu"],
    ):
        result = run(*command, preexec_fn=preexec)
        assert result.returncode == 73, (command, result.stdout, result.stderr)
        assert re.fullmatch(rf"kttn: cannot write {re.escape(str(ledger))}: .+\n", result.stderr)
        assert result.stdout == ""
        # Reading still works, and shows everything recorded so far.
        result = run("log", "--format", "json", preexec_fn=preexec)
        assert [r["id"] for r in json.loads(result.stdout)] == ["r1"]
    assert state(ledger) == before


# ── a lock held by someone else ─────────────────────────────────────────────────────


def test_a_lock_held_past_the_timeout_is_exit_75_and_the_ledger_unchanged(ledger: Path) -> None:
    from filelock import FileLock

    submit(M, "van-lam", "--on", "2024-06-28")
    before = state(ledger)
    env = {"KTTN_LOCK_TIMEOUT": "0.5"}
    with FileLock(f"{ledger}.lock"):
        for command in (
            ["submit", M, "van-giang", "--on", "2024-07-01"],
            ["void", "r1", "--reason", "x"],
            ["extend", M, "kim-dong", "--to", "2024-07-20", "--reason", "x"],
            ["task", "add", "--title", "T", "--by", "25-CV/TU", "-u", "btctu"],
        ):
            result = run(*command, env=env)
            assert result.returncode == 75, (command, result.stdout, result.stderr)
            assert result.stderr == (
                f"kttn: ledger {ledger} is locked by another process for over 0.5 s; try again\n"
            )
        # Readers do not wait for the lock.
        assert run("status", env=env).returncode == 0
        assert state(ledger) == before
    submit(M, "van-giang", "--on", "2024-07-01")


# ── the backup and the write path ───────────────────────────────────────────────────


def test_the_backup_holds_the_previous_version(ledger: Path) -> None:
    backup = Path(f"{ledger}.bak")
    submit(M, "van-lam", "--on", "2024-06-28")
    assert not backup.exists()  # nothing before the first write
    first = ledger.read_bytes()
    submit(M, "van-giang", "--on", "2024-07-01")
    assert backup.read_bytes() == first
    second = ledger.read_bytes()
    assert second.startswith(first)  # append-only: old bytes + new records
    result = run("void", "r1", "--reason", "x")
    assert result.returncode == 0, result.stderr
    assert backup.read_bytes() == second
    # The backup is a ledger kttn can read: restoring it is a copy.
    assert run("check", "--ledger", str(backup)).returncode == 0
    assert [r["id"] for r in records(backup)] == ["r1", "r2"]
    # Only the ledger, its backup and its lock are left: no temporary files.
    assert sorted(p.name for p in ledger.parent.iterdir()) == [
        "ledger.toml",
        "ledger.toml.bak",
        "ledger.toml.lock",
    ]


def test_a_write_that_fails_half_way_leaves_the_ledger_whole(ledger: Path) -> None:
    """The disk fills up while the new version is written (RLIMIT_FSIZE in the child)."""
    submit(M, "van-lam", "--on", "2024-06-28")
    before = state(ledger)
    limit = len(ledger.read_bytes()) + 100  # room for part of the new version only

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run(
        "submit", M, "van-giang", "--on", "2024-07-01", "--note", "x" * 1000,
        preexec_fn=small_disk,
    )  # fmt: skip
    assert result.returncode == 73, result.stdout + result.stderr
    assert state(ledger) == before
    assert [r["id"] for r in records(ledger)] == ["r1"]


def test_a_failing_serialisation_never_writes(ledger: Path) -> None:
    """PITFALLS: tomli_w failing after the file was opened left a 0-byte ledger. kttn
    builds and validates the whole content before it opens anything."""
    from kttn_cli.errors import DataError
    from kttn_cli.storage.ledger_file import append

    submit(M, "van-lam", "--on", "2024-06-28")
    before = state(ledger)

    def unserialisable(_: object) -> list[dict[str, Any]]:
        return [{"id": "r2", "type": "void", "target": "r1", "reason": {1, 2}}]

    def invalid(_: object) -> list[dict[str, Any]]:
        return [{"id": "r2", "type": "void", "target": "r1"}]  # no reason, no when/who

    with pytest.raises(TypeError):
        append(ledger, PLAN_ID, "en", unserialisable)
    assert state(ledger) == before
    with pytest.raises(DataError) as refused:
        append(ledger, PLAN_ID, "en", invalid)
    assert refused.value.key == "err.refused_write"
    assert state(ledger) == before
    assert [r["id"] for r in records(ledger)] == ["r1"]


@pytest.mark.parametrize("value", ["abc", "-1", "nan"])
def test_a_bad_lock_timeout_setting_is_exit_78(ledger: Path, value: str) -> None:
    submit(M, "van-lam", "--on", "2024-06-28")
    before = state(ledger)
    result = run("submit", M, "van-giang", "--on", "2024-07-01", env={"KTTN_LOCK_TIMEOUT": value})
    assert result.returncode == 78, result.stderr
    assert result.stderr == (
        f"kttn: invalid KTTN_LOCK_TIMEOUT={value!r}: use a number of seconds above 0\n"
    )
    assert state(ledger) == before
