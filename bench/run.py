"""Measure whole kttn processes against floors measured in the same run (issue 12, item 6).

    python bench/run.py [--rounds N] [--scenarios NAME ...] [--budget S] [--no-first-run]
                        [--commit REV | --src DIR] [--workdir DIR] [--json FILE]

Every command runs as a real process of the installed `kttn` script, started with
`posix_spawn` and reaped with `os.wait4` (by a small helper process, see SPAWNER): wall
time from spawn to exit and the child's own peak resident set. bench/README.md has the
scenarios, the targets and a recorded run. Two floors run in the same rounds,
interleaved with the commands:

    floor A: python -I -c pass                                   (the interpreter alone)
    floor B: python -c "import typer, pydantic, rich.console, rich.table"  (the imports)

Per scenario: the data is generated once (bench/generate.py, seeded) and checked with
`kttn check`; each run copies it into a fresh directory, so caches start cold. Then:
"first run" (each command once with no cache at all: user cache and the state kept beside
the ledger removed; for information), a warm-up round, and timed rounds. Figures are
medians of the timed rounds; a scenario stops adding rounds after --budget seconds (at
least 3). Every child has a clean environment: its own HOME, XDG_CACHE_HOME,
XDG_CONFIG_HOME and KTTN_DATA_DIR, KTTN_TODAY=2024-12-01, COLUMNS=120, NO_COLOR=1.

Exit status: 0 when every target is met, 1 otherwise (2 when a command fails).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = "2024-12-01"
RECEIVED = "2024-11-28"  # the day every timed submit records
FLOOR_A = (sys.executable, "-I", "-c", "pass")
FLOOR_B_CODE = "import typer, pydantic, rich.console, rich.table"
FLOOR_B = (sys.executable, "-c", FLOOR_B_CODE)
MIB = 1024 * 1024
BUNDLED_LEDGER_NAME = "kh-01-bcd-2024.ledger.toml"  # the bundled plan's default ledger
LANES, PER_LANE = 16, 20  # item 6: 16 processes × 20 submits each

# name → bench/generate.py arguments
DATASETS = {
    "bundled-1k": ("--records", "1000"),
    "synthetic-1k": ("--records", "1000", "--units", "100", "--milestones", "20"),
    "synthetic-10k": ("--records", "10000", "--units", "100", "--milestones", "20"),
    "synthetic-100k": ("--records", "100000", "--units", "100", "--milestones", "20"),
}
SYNTHETIC_UNITS, SYNTHETIC_MILESTONES = 100, 20


# --- processes ------------------------------------------------------------------------------


class CommandFailed(Exception):
    pass


@dataclass
class Sample:
    ms: float
    peak_kib: int
    out_bytes: int = 0


def kttn_script() -> str:
    """The installed `kttn` script beside this Python (what a user runs)."""
    script = Path(sys.executable).parent / "kttn"
    if script.exists():
        return str(script)
    found = shutil.which("kttn")
    if not found:
        raise SystemExit("bench: no installed `kttn` script (pip install -e '.[test]')")
    return found


# The children are started by a small helper process, not by this one: a child started
# with posix_spawn (vfork) or fork inherits its parent's memory high-water mark as its own
# ru_maxrss (Linux records the old address space's peak at exec). Started from this
# runner, `python -c pass` would report the runner's own 25+ MiB (or 200 MiB after it
# reads a large ledger); started from the helper, which imports only os, sys, json and
# time, it reports its own 9 MiB.
SPAWNER = r"""
import json, os, sys, time
FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
for line in sys.stdin:
    lanes = json.loads(line)
    results = [[None] * len(lane) for lane in lanes]
    running = {}
    def start(i, k):
        c = lanes[i][k]
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, c["out"], FLAGS, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, c["err"], FLAGS, 0o600),
        ]
        began = time.perf_counter()
        pid = os.posix_spawn(c["argv"][0], c["argv"], c["env"], file_actions=actions)
        running[pid] = (i, k, began)
    for i, lane in enumerate(lanes):
        if lane:
            start(i, 0)
    while running:
        pid, status, usage = os.wait4(-1, 0)
        ended = time.perf_counter()
        i, k, began = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        results[i][k] = [(ended - began) * 1000, code, usage.ru_maxrss]
        if k + 1 < len(lanes[i]):
            start(i, k + 1)
    sys.stdout.write(json.dumps(results) + "\n")
    sys.stdout.flush()
"""


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    env: dict[str, str]
    out: Path
    err: Path


@dataclass(frozen=True)
class Ended:
    ms: float
    code: int
    peak_kib: int


class Spawner:
    """Runs lanes of commands in the helper: the lanes start together, each runs its
    commands one after the other; wall time spawn → exit, exit code, peak RSS."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", SPAWNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def lanes(self, lanes: list[list[Launch]]) -> list[list[Ended]]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = [
            [{"argv": c.argv, "env": c.env, "out": str(c.out), "err": str(c.err)} for c in lane]
            for lane in lanes
        ]
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("bench: the spawner helper died")
        # ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS.
        scale = 1024 if sys.platform == "darwin" else 1
        return [
            [Ended(ms, code, rss // scale) for ms, code, rss in lane] for lane in json.loads(line)
        ]

    def one(self, launch: Launch) -> Ended:
        return self.lanes([[launch]])[0][0]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


@dataclass(frozen=True)
class Job:
    """One command line, as one user in one environment types it."""

    name: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    expect: str = ""  # stdout must contain it (the command did its work)
    quiet: bool = True  # stderr must be empty
    floor: bool = False
    # Computed every round: an environment variable that changes each round (and that kttn
    # never reads) makes the replay of a read (cli/replay.py) miss, while the state cache
    # and the memo stay warm. What a clerk at a terminal gets (a terminal is never
    # replayed) and what a read costs when its inputs changed.
    computed: bool = False

    def command(self, round_no: int) -> list[str]:
        """The argv of this round (`{pair}`-style placeholders filled by subclasses)."""
        return list(self.argv)


@dataclass(frozen=True)
class SubmitJob(Job):
    """`kttn submit` of a different obligation each time it runs (with --replace, so a
    ledger that already holds one records a correction, as a clerk would)."""

    data: str = ""  # --plan/--ledger directory
    offset: int = 0

    def command(self, round_no: int) -> list[str]:
        milestone, unit = obligation(self.offset + round_no)
        return [
            *self.argv,
            "submit",
            milestone,
            unit,
            "--on",
            RECEIVED,
            "--ref",
            f"{8000 + (self.offset + round_no) % 1000}-BC/HU",
            "--replace",
            *data_args(self.data),
        ]


def obligation(index: int) -> tuple[str, str]:
    """The index-th obligation of the synthetic plan: milestone fastest, then unit."""
    milestone = index % SYNTHETIC_MILESTONES + 1
    unit = (index // SYNTHETIC_MILESTONES) % SYNTHETIC_UNITS + 1
    return f"M{milestone:03d}", f"dv-{unit:03d}"


def data_args(directory: str) -> list[str]:
    return ["--plan", f"{directory}/plan.toml", "--ledger", f"{directory}/ledger.toml"]


class Runner:
    def __init__(self, scratch: Path, spawner: Spawner) -> None:
        self.scratch = scratch
        self.spawner = spawner
        scratch.mkdir(parents=True, exist_ok=True)
        self.out = scratch / "stdout"
        self.err = scratch / "stderr"

    def run(self, job: Job, round_no: int, check_output: bool = True) -> Sample:
        argv = job.command(round_no)
        env = dict(job.env)
        if job.computed:
            env["KTTN_BENCH_ROUND"] = str(round_no)
        ended = self.spawner.one(Launch(argv, env, self.out, self.err))
        stdout = self.out.read_bytes()
        stderr = self.err.read_bytes()
        if (
            ended.code != 0
            or (job.quiet and stderr)
            or (check_output and job.expect and job.expect.encode() not in stdout)
        ):
            raise CommandFailed(
                f"{' '.join(argv)}\n  exit {ended.code}; stderr:\n"
                f"{stderr.decode(errors='replace')[-3000:]}"
                f"\n  stdout (end):\n{stdout.decode(errors='replace')[-800:]}"
            )
        return Sample(ended.ms, ended.peak_kib, len(stdout))


# --- environments and data -----------------------------------------------------------------


def user_env(home: Path) -> dict[str, str]:
    """A clean environment for one user: nothing from the caller but PATH and a locale."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "share"),
        "KTTN_DATA_DIR": str(home / "data"),
        "KTTN_TODAY": AS_OF,
        "KTTN_USER": home.name,
        "COLUMNS": "120",
        "NO_COLOR": "1",
        **({"PYTHONPATH": str(SOURCE.src)} if SOURCE.src is not None else {}),
    }


@dataclass
class Source:
    """Which kttn the children run: the installed one, or a snapshot of one commit
    (`--commit`), put first on their PYTHONPATH."""

    src: Path | None = None
    commit: str | None = None


SOURCE = Source()


def snapshot(rev: str, workdir: Path, log: Callable[[str], None]) -> Source:
    """The tree of commit `rev` (git archive: the repository is not touched), with its
    message catalogs compiled as the build does; kept in the workdir for the next run."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: no commit {rev!r}: {done.stderr.strip()}")
    sha = done.stdout.strip()
    tree = workdir / f"tree-{sha[:12]}"
    if not (tree / "ok").exists():
        log(f"extracting {sha[:12]} into {tree} …")
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", sha],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in (tree / "src" / "kttn_cli" / "locale").glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as handle:
                catalog = read_po(handle)
            with po.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog)
        (tree / "ok").write_text(sha + "\n")
    return Source(tree / "src", sha)


def make_home(path: Path) -> tuple[tuple[str, str], ...]:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return tuple(user_env(path).items())


def generator_stamp(args: tuple[str, ...]) -> dict[str, object]:
    source = (HERE / "generate.py").read_bytes()
    import hashlib

    return {"args": list(args), "generate.py": hashlib.sha256(source).hexdigest()}


def dataset(name: str, workdir: Path, log: Callable[[str], None]) -> Path:
    """The generated files of a dataset, made (and checked by `kttn check`) once per
    version of bench/generate.py."""
    target = workdir / "data" / name
    stamp_file = target / "generated-with.json"
    stamp = generator_stamp(DATASETS[name])
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return target
    shutil.rmtree(target, ignore_errors=True)
    log(f"generating {name} …")
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), *DATASETS[name], "--out", str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"kttn check {name} …")
    home = workdir / "check-home"
    env = dict(make_home(home))
    done = subprocess.run(
        [kttn_script(), "check", "--lang", "en", *data_args(str(target))],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(home, ignore_errors=True)
    for leftover in target.glob(".ledger.toml.*"):
        leftover.unlink()
    if done.returncode != 0:
        raise SystemExit(f"bench: kttn check rejected {target}:\n{done.stdout}{done.stderr}")
    stamp_file.write_text(json.dumps(stamp))
    return target


def copy_data(source: Path, target: Path, ledger_name: str = "ledger.toml") -> Path:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copyfile(source / "plan.toml", target / "plan.toml")
    shutil.copyfile(source / "ledger.toml", target / ledger_name)
    return target


# --- scenarios ------------------------------------------------------------------------------


@dataclass
class Measured:
    name: str
    samples: list[Sample] = field(default_factory=list)
    first_run_ms: float | None = None
    first_run_peak_mib: float | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(s.ms for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(s.peak_kib for s in self.samples) / 1024

    @property
    def out_kib(self) -> float:
        return statistics.median(s.out_bytes for s in self.samples) / 1024


@dataclass
class Target:
    number: int
    text: str
    measured: float
    limit: float
    unit: str = "×"
    info: str = ""

    @property
    def ok(self) -> bool:
        return self.measured <= self.limit

    def row(self) -> str:
        value = f"{self.measured:.2f}{self.unit}" if self.unit == "×" else f"{self.measured:.0f}"
        limit = f"≤ {self.limit:g}{self.unit}" if self.unit == "×" else f"≤ {self.limit:g}"
        return f"| {self.number} | {self.text} | {value} | {limit} | {'yes' if self.ok else 'NO'} |"


@dataclass
class Scenario:
    name: str
    title: str
    jobs: list[Job]
    homes: list[Path]
    ledgers: list[Path]
    rounds_done: int = 0
    measured: dict[str, Measured] = field(default_factory=dict)

    def clear_caches(self) -> None:
        """No cache at all: every user's cache directory, and the state kept beside each
        ledger."""
        for home in self.homes:
            shutil.rmtree(home / "cache", ignore_errors=True)
        for ledger in self.ledgers:
            for entry in ledger.parent.glob(f".{ledger.name}.*.state"):
                entry.unlink()

    def ratio(self, name: str, floor: str) -> float:
        return self.measured[name].median_ms / self.measured[floor].median_ms


def floors(env: tuple[tuple[str, str], ...]) -> list[Job]:
    return [
        Job("floor A", FLOOR_A, env, floor=True),
        Job("floor B", FLOOR_B, env, floor=True),
    ]


def startup_scenario(work: Path, data: Path) -> Scenario:
    """Item 1 and 2: the bundled plan with 1,000 records in the default ledger; every
    command as a user types it (no --plan, no --ledger)."""
    home = work / "home"
    env = make_home(home)
    copy_data(data, home / "data", BUNDLED_LEDGER_NAME)
    kttn = kttn_script()
    jobs = [
        *floors(env),
        Job("overdue --format plain", (kttn, "overdue", "--format", "plain"), env, "01-KH/BCĐ"),
        Job(
            "overdue --format plain, computed",
            (kttn, "overdue", "--format", "plain"),
            env,
            "01-KH/BCĐ",
            computed=True,
        ),
        Job("--version", (kttn, "--version"), env, "kttn "),
        Job(
            "__complete bash 2 kttn submit III.2-",
            (kttn, "__complete", "bash", "2", "kttn", "submit", "III.2-"),
            env,
            "III.2-bc-6-thang",
        ),
        Job("status", (kttn, "status"), env, "01-KH/BCĐ", computed=True),
    ]
    ledger = home / "data" / BUNDLED_LEDGER_NAME
    return Scenario("startup", "bundled plan, 1,000 records", jobs, [home], [ledger])


READS = (
    ("overdue --format plain", ("overdue", "--format", "plain"), "99-KH/BCĐ"),
    ("status", ("status",), "99-KH/BCĐ"),
    ("export --format json", ("export", "--format", "json"), '"obligations"'),
)


def reads_scenario(work: Path, small: Path, large: Path) -> Scenario:
    """Item 3: warm reads at 100,000 records against the same reads at 1,000."""
    home = work / "home"
    env = make_home(home)
    kttn = kttn_script()
    dirs = {"1k": copy_data(small, work / "1k"), "100k": copy_data(large, work / "100k")}
    jobs = floors(env)
    for label, directory in dirs.items():
        for name, args, expect in READS:
            argv = (kttn, *args, *data_args(str(directory)))
            jobs.append(Job(f"{name} @{label}", argv, env, expect, computed=True))
    ledgers = [d / "ledger.toml" for d in dirs.values()]
    return Scenario(
        "reads", "synthetic plan 100 × 20, 1,000 and 100,000 records", jobs, [home], ledgers
    )


def submit_scenario(work: Path, medium: Path, large: Path) -> Scenario:
    """Item 4: one clerk's submit, a different obligation every round."""
    home = work / "home"
    env = make_home(home)
    kttn = kttn_script()
    dirs = {"10k": copy_data(medium, work / "10k"), "100k": copy_data(large, work / "100k")}
    jobs = floors(env)
    for label, directory in dirs.items():
        jobs.append(SubmitJob(f"submit @{label}", (kttn,), env, "M0", data=str(directory)))
    ledgers = [d / "ledger.toml" for d in dirs.values()]
    return Scenario(
        "submit", "synthetic plan 100 × 20, 10,000 and 100,000 records", jobs, [home], ledgers
    )


def shared_scenario(work: Path, large: Path) -> Scenario:
    """Item 5: one user writes, another (own HOME and cache) reads next."""
    writer_home, reader_home = work / "writer", work / "reader"
    writer, reader = make_home(writer_home), make_home(reader_home)
    kttn = kttn_script()
    directory = copy_data(large, work / "100k")
    jobs = [
        *floors(reader),
        SubmitJob("writer: submit", (kttn,), writer, "M0", data=str(directory), offset=500),
        Job(
            "reader: status (first read after the write)",
            (kttn, "status", *data_args(str(directory))),
            reader,
            "99-KH/BCĐ",
        ),
    ]
    return Scenario(
        "shared",
        "synthetic plan 100 × 20, 100,000 records, two users",
        jobs,
        [writer_home, reader_home],
        [directory / "ledger.toml"],
    )


# --- measuring ------------------------------------------------------------------------------


def measure(
    scenario: Scenario,
    runner: Runner,
    rounds: int,
    budget: float,
    first_run: bool,
    log: Callable[[str], None],
) -> None:
    jobs = scenario.jobs
    scenario.measured = {job.name: Measured(job.name) for job in jobs}
    # Round numbers: -2 first run, -1 warm-up, 0… timed (SubmitJob picks its obligation).
    if first_run:
        for job in jobs:
            if job.floor:
                continue
            scenario.clear_caches()
            sample = runner.run(job, -2, check_output=False)
            scenario.measured[job.name].first_run_ms = sample.ms
            scenario.measured[job.name].first_run_peak_mib = sample.peak_kib / 1024
            log(f"  first run: {job.name}: {sample.ms:.0f} ms")
    for job in jobs:  # the warm-up round: it also fills the caches every user would have
        runner.run(job, -1, check_output=False)
    start = time.perf_counter()
    done = 0
    while done < rounds:
        for job in jobs:
            scenario.measured[job.name].samples.append(runner.run(job, done))
        done += 1
        if done >= 3 and time.perf_counter() - start > budget:
            break
    scenario.rounds_done = done
    log(f"  {done} timed rounds in {time.perf_counter() - start:.0f} s")


@dataclass
class Concurrency:
    submits: int
    lanes: int
    ms: list[float]  # every submit, spawn to exit
    ok_ms: list[float]  # the submits that wrote (exit 0)
    timeouts: int
    failures: list[str]
    wall_s: float
    peak_mib: float
    lost: int

    def pct(self, q: float, only_ok: bool = False) -> float:
        """The nearest-rank percentile."""
        ordered = sorted(self.ok_ms if only_ok else self.ms)
        if not ordered:
            return float("nan")
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def concurrency(
    work: Path, medium: Path, spawner: Spawner, log: Callable[[str], None]
) -> Concurrency:
    """Item 6: 16 clerks (own HOME each) start together; each submits 20 obligations in a
    row on a 10,000-record ledger. Latency is spawn to exit of each submit."""
    kttn = kttn_script()
    directory = copy_data(medium, work / "10k")
    homes = [work / f"clerk-{i:02d}" for i in range(LANES)]
    envs = [dict(make_home(h)) for h in homes]
    # Every clerk has used kttn on this plan before: one reads it, the others get a copy of
    # that cache (its entries are keyed by the files, not by the user).
    prime = subprocess.run(
        [kttn, "status", *data_args(str(directory))],
        env=envs[0],
        capture_output=True,
        check=False,
    )
    if prime.returncode != 0:
        raise CommandFailed(prime.stderr.decode(errors="replace"))
    for home in homes[1:]:
        shutil.copytree(homes[0] / "cache", home / "cache", dirs_exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)

    def argv(lane: int, k: int) -> list[str]:
        index = lane * PER_LANE + k
        milestone, unit = obligation(index)
        return [
            kttn,
            "submit",
            milestone,
            unit,
            "--on",
            RECEIVED,
            "--ref",
            f"{90000 + index}-BC/HU",
            "--replace",
            *data_args(str(directory)),
        ]

    lanes = [
        [
            Launch(
                argv(lane, k),
                envs[lane],
                logs / f"{lane:02d}-{k:02d}.out",
                logs / f"{lane:02d}-{k:02d}.err",
            )
            for k in range(PER_LANE)
        ]
        for lane in range(LANES)
    ]
    t0 = time.perf_counter()
    results = spawner.lanes(lanes)
    wall = time.perf_counter() - t0
    ms: list[float] = []
    ok_ms: list[float] = []
    timeouts, failures, peak = 0, [], 0
    for lane, ended_list in enumerate(results):
        for k, ended in enumerate(ended_list):
            ms.append(ended.ms)
            if ended.code == 0:
                ok_ms.append(ended.ms)
            peak = max(peak, ended.peak_kib)
            if ended.code == 75:
                timeouts += 1
            elif ended.code != 0:
                err = lanes[lane][k].err.read_text(errors="replace").strip()
                failures.append(f"clerk {lane} submit {k}: exit {ended.code}: {err[-500:]}")
    # No write lost: every submit that succeeded left its own document number once.
    text = (directory / "ledger.toml").read_text(encoding="utf-8")
    ok_count = LANES * PER_LANE - timeouts - len(failures)
    present = sum(
        text.count(f'reference = "{90000 + i}-BC/HU"\n') == 1 for i in range(LANES * PER_LANE)
    )
    log(f"  {LANES * PER_LANE} submits in {wall:.1f} s")
    return Concurrency(
        LANES * PER_LANE,
        LANES,
        ms,
        ok_ms,
        timeouts,
        failures,
        wall,
        peak / 1024,
        ok_count - present,
    )


# --- the report -----------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / MIB:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    with contextlib.suppress(OSError):
        load = ", load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs{mem}{load}; "
        f"Python {platform.python_version()}"
    )


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ("kttn", "typer", "click", "pydantic", "rich", "tomli", "tomli-w"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} -")
    return ", ".join(parts)


def commit() -> str:
    if SOURCE.commit is not None:
        return f"{SOURCE.commit[:12]} (a snapshot: --commit)"
    if SOURCE.src is not None:
        return f"the package in {SOURCE.src} (--src)"

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "src")
    return head + (" (src has uncommitted changes)" if dirty else "")


def scenario_table(s: Scenario) -> str:
    lines = [
        f"\n[{s.name}] {s.title}: {s.rounds_done} timed rounds, medians",
        "| command | median ms | × floor A | × floor B | peak MiB | stdout KiB | first run ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in s.measured.items():
        first = "" if m.first_run_ms is None else f"{m.first_run_ms:.0f}"
        lines.append(
            f"| `{name}` | {m.median_ms:.1f} | {s.ratio(name, 'floor A'):.2f} | "
            f"{s.ratio(name, 'floor B'):.2f} | {m.peak_mib:.1f} | {m.out_kib:.1f} | {first} |"
        )
    return "\n".join(lines)


def targets(done: dict[str, Scenario], conc: Concurrency | None) -> list[Target]:
    found: list[Target] = []
    if "startup" in done:
        s = done["startup"]
        for name in ("overdue --format plain", "--version", "__complete bash 2 kttn submit III.2-"):
            found.append(
                Target(1, f"bundled 1k: `{name}` vs floor A", s.ratio(name, "floor A"), 3.0)
            )
        found.append(
            Target(2, "bundled 1k: `status` vs floor B", s.ratio("status", "floor B"), 1.2)
        )
    if "reads" in done:
        s = done["reads"]
        for name, _, _ in READS:
            big, small = s.measured[f"{name} @100k"], s.measured[f"{name} @1k"]
            found.append(
                Target(3, f"`{name}` at 100k vs at 1k", big.median_ms / small.median_ms, 1.5)
            )
    if "submit" in done:
        s = done["submit"]
        found.append(
            Target(4, "`submit` at 10k vs floor B", s.ratio("submit @10k", "floor B"), 2.5)
        )
        found.append(
            Target(4, "`submit` at 100k vs floor B", s.ratio("submit @100k", "floor B"), 6.0)
        )
        for label in ("10k", "100k"):
            found.append(
                Target(
                    4,
                    f"`submit` at {label}: peak RSS (MiB)",
                    s.measured[f"submit @{label}"].peak_mib,
                    200,
                    unit="",
                )
            )
    if "shared" in done:
        s = done["shared"]
        name = "reader: status (first read after the write)"
        found.append(
            Target(
                5,
                "100k: first `status` after another user's write vs floor B",
                s.ratio(name, "floor B"),
                10.0,
            )
        )
    if conc is not None:
        found.append(
            Target(
                6,
                f"{LANES}×{PER_LANE} submits at 10k: lock timeouts (exit 75)",
                conc.timeouts,
                0,
                unit="",
            )
        )
        found.append(
            Target(
                6,
                f"{LANES}×{PER_LANE} submits at 10k: other failures and lost writes",
                len(conc.failures) + conc.lost,
                0,
                unit="",
            )
        )
        found.append(
            Target(
                6,
                f"{LANES}×{PER_LANE} submits at 10k: p95 latency (ms)",
                conc.pct(0.95),
                2000,
                unit="",
            )
        )
    return found


SCENARIO_NAMES = ("startup", "reads", "submit", "shared", "concurrent")


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds [default: 15]")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIO_NAMES,
        default=list(SCENARIO_NAMES),
        help="which scenarios [default: all]",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=60,
        help="seconds of timed rounds per scenario before it stops adding rounds (at least "
        "3 rounds) [default: 60]",
    )
    parser.add_argument(
        "--no-first-run", action="store_true", help="skip the cold-cache 'first run' figures"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=HERE / ".data",
        help="generated data and scratch files [default: bench/.data]",
    )
    parser.add_argument(
        "--commit",
        help="measure this commit (a snapshot extracted with git archive into the workdir) "
        "instead of the working tree, which others may be editing during the run",
    )
    parser.add_argument(
        "--src",
        type=Path,
        help="measure the kttn_cli package in this directory (e.g. another checkout's src/, "
        "with its catalogs compiled) instead of the installed one",
    )
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    began = time.perf_counter()

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - began:5.0f} s] {text}", file=sys.stderr, flush=True)

    import compileall

    import kttn_cli

    workdir: Path = args.workdir.resolve()
    if args.commit and args.src:
        parser.error("give --commit or --src, not both")
    if args.commit:
        tree = snapshot(args.commit, workdir, log)
        SOURCE.src, SOURCE.commit = tree.src, tree.commit
    elif args.src:
        if not (args.src / "kttn_cli" / "__init__.py").exists():
            parser.error(f"--src {args.src}: no kttn_cli package there")
        SOURCE.src = args.src.resolve()
    package = SOURCE.src / "kttn_cli" if SOURCE.src else Path(kttn_cli.__file__).parent
    header = (
        f"machine: {machine()}\nversions: {versions()}\ncommit: {commit()}\n"
        f'floor A: python {" ".join(FLOOR_A[1:])} ; floor B: python -c "{FLOOR_B_CODE}"\n'
        f"KTTN_TODAY={AS_OF}; rounds asked: {args.rounds}, budget {args.budget:g} s a scenario"
    )
    print(header, flush=True)
    # An installed package runs from compiled files; so do the children here.
    compileall.compile_dir(package, quiet=1)
    need = {
        "startup": ["bundled-1k"],
        "reads": ["synthetic-1k", "synthetic-100k"],
        "submit": ["synthetic-10k", "synthetic-100k"],
        "shared": ["synthetic-100k"],
        "concurrent": ["synthetic-10k"],
    }
    data: dict[str, Path] = {}
    for name in args.scenarios:
        for ds in need[name]:
            if ds not in data:
                data[ds] = dataset(ds, workdir, log)
    runs = workdir / "run"
    shutil.rmtree(runs, ignore_errors=True)
    spawner = Spawner()
    runner = Runner(runs / "scratch", spawner)
    done: dict[str, Scenario] = {}
    conc: Concurrency | None = None
    try:
        for name in args.scenarios:
            log(f"{name} …")
            work = runs / name
            if name == "concurrent":
                conc = concurrency(work, data["synthetic-10k"], spawner, log)
                continue
            if name == "startup":
                scenario = startup_scenario(work, data["bundled-1k"])
            elif name == "reads":
                scenario = reads_scenario(work, data["synthetic-1k"], data["synthetic-100k"])
            elif name == "submit":
                scenario = submit_scenario(work, data["synthetic-10k"], data["synthetic-100k"])
            else:
                scenario = shared_scenario(work, data["synthetic-100k"])
            measure(scenario, runner, args.rounds, args.budget, not args.no_first_run, log)
            done[name] = scenario
            print(scenario_table(scenario), flush=True)
    except CommandFailed as exc:
        print(f"\nbench: a command failed:\n{exc}", file=sys.stderr)
        return 2
    finally:
        spawner.close()
    if conc is not None:
        print(
            f"\n[concurrent] {LANES} clerks × {PER_LANE} submits, synthetic 10,000 records, all "
            f"started together: {conc.submits} submits in {conc.wall_s:.1f} s; latency p50 "
            f"{conc.pct(0.5):.0f} ms, p95 {conc.pct(0.95):.0f} ms, max {max(conc.ms):.0f} ms; "
            f"lock timeouts (exit 75): {conc.timeouts}; other failures: {len(conc.failures)}; "
            f"lost writes: {conc.lost}; peak RSS {conc.peak_mib:.1f} MiB"
        )
        if conc.ok_ms:
            print(
                f"  the {len(conc.ok_ms)} that wrote: p50 {conc.pct(0.5, True):.0f} ms, "
                f"p95 {conc.pct(0.95, True):.0f} ms, max {max(conc.ok_ms):.0f} ms"
            )
        for line in conc.failures[:5]:
            print(f"  {line}")
    found = targets(done, conc)
    print("\nTargets (issue 12, item 6), medians:")
    print("| item | target | measured | limit | met |\n|---|---|---:|---:|:-:|")
    for t in found:
        print(t.row())
    missed = [t for t in found if not t.ok]
    print(f"\n{len(missed)} of {len(found)} targets missed." if missed else "\nEvery target met.")
    log("done")
    if args.json:
        report = {
            "machine": machine(),
            "versions": versions(),
            "commit": commit(),
            "as_of": AS_OF,
            "scenarios": {
                name: {
                    "title": s.title,
                    "rounds": s.rounds_done,
                    "commands": {
                        m.name: {
                            "median_ms": round(m.median_ms, 2),
                            "ratio_floor_a": round(s.ratio(m.name, "floor A"), 3),
                            "ratio_floor_b": round(s.ratio(m.name, "floor B"), 3),
                            "peak_mib": round(m.peak_mib, 1),
                            "first_run_ms": m.first_run_ms,
                            "first_run_peak_mib": m.first_run_peak_mib,
                            "samples": [asdict(x) for x in m.samples],
                        }
                        for m in s.measured.values()
                    },
                }
                for name, s in done.items()
            },
            "concurrent": None
            if conc is None
            else {
                "submits": conc.submits,
                "p50_ms": conc.pct(0.5),
                "p95_ms": conc.pct(0.95),
                "max_ms": max(conc.ms),
                "written": len(conc.ok_ms),
                "written_p50_ms": conc.pct(0.5, True),
                "written_p95_ms": conc.pct(0.95, True),
                "timeouts": conc.timeouts,
                "failures": conc.failures,
                "lost": conc.lost,
                "wall_s": conc.wall_s,
                "latencies_ms": conc.ms,
            },
            "targets": [{**asdict(t), "ok": t.ok} for t in found],
        }
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
