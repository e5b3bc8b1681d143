"""Measure kttn's whole-process wall time and peak memory against a floor (issue 6).

    python bench/run.py [--rounds N] [--scenarios NAME ...] [--workdir DIR] [--json FILE]

For each scenario it generates a plan and ledger (bench/generate.py), checks them with
`kttn check`, then runs every command of the scenario in rounds, interleaved with the
floor `python -c "import typer, pydantic, rich.console, rich.table"`: a warm-up round
first, then N timed rounds. Each figure is the median of those rounds; peak memory is
the child's own maximum resident set (os.wait4). Every command runs in a clean
environment (its own HOME, data and cache directories, a fixed KTTN_TODAY), so the
timed rounds see the validated-content cache that the warm-up filled; the first run
after a change (the cache miss) is measured once and shown apart.

Exit status: 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOOR = "import typer, pydantic, rich.console, rich.table"
AS_OF = "2024-12-01"  # after most deadlines of both plans: every status occurs
MIB = 1024 * 1024


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    expect: str = ""  # a substring stdout must contain (proves it did the work)


@dataclass(frozen=True)
class Scenario:
    name: str
    generate: tuple[str, ...]
    commands: tuple[Command, ...]
    # command name → highest allowed ratio to the floor
    ratio_targets: dict[str, float] = field(default_factory=dict)
    memory_target_mib: float | None = None


def _data_args() -> tuple[str, ...]:
    return ("--plan", "{dir}/plan.toml", "--ledger", "{dir}/ledger.toml")


COMPLETE = Command(
    "completion (bash)",
    (),
    env=(("_KTTN_COMPLETE", "complete_bash"), ("COMP_WORDS", "kttn ov"), ("COMP_CWORD", "1")),
    expect="overdue",
)
COMMANDS = (
    Command("status", ("status", *_data_args())),
    Command("overdue --format plain", ("overdue", "--format", "plain", *_data_args())),
    Command(
        "export --format json",
        ("export", "--format", "json", *_data_args()),
        expect='"obligations"',
    ),
    Command("--help", ("--help",), expect="status"),
    COMPLETE,
)
SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "bundled-1k",
            ("--records", "1000"),
            COMMANDS,
            {"status": 1.3, "overdue --format plain": 1.1, "completion (bash)": 1.3},
        ),
        Scenario(
            "synthetic-1k",
            ("--records", "1000", "--units", "100", "--milestones", "20"),
            COMMANDS[:3],
        ),
        Scenario(
            "synthetic-10k",
            ("--records", "10000", "--units", "100", "--milestones", "20"),
            COMMANDS[:3],
            {"status": 2.0, "overdue --format plain": 2.0},
        ),
        Scenario(
            "synthetic-100k",
            ("--records", "100000", "--units", "100", "--milestones", "20"),
            COMMANDS,
            {c.name: 10.0 for c in COMMANDS},
            memory_target_mib=250,
        ),
    )
}


class MissingCommand(Exception):
    """The installed kttn has no such command (yet)."""


@dataclass
class Sample:
    seconds: float
    max_rss_kib: int


@dataclass
class Result:
    scenario: str
    command: str
    median_ms: float
    floor_ms: float
    ratio: float
    peak_mib: float
    first_run_ms: float | None
    target_ratio: float | None
    target_mib: float | None
    ok: bool


def kttn_argv() -> list[str]:
    """The installed `kttn` script beside this Python, else `python -m kttn_cli`."""
    script = Path(sys.executable).parent / "kttn"
    if script.exists():
        return [str(script)]
    found = shutil.which("kttn")
    return [found] if found else [sys.executable, "-m", "kttn_cli"]


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KTTN_", "_KTTN_"))}
    env.update(
        {
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / "cache"),
            "KTTN_DATA_DIR": str(home / "data"),
            "KTTN_TODAY": AS_OF,
            "COLUMNS": "120",
            "NO_COLOR": "1",
        }
    )
    # Installed packages run from compiled bytecode; let kttn's be written and used too.
    for name in ("FORCE_COLOR", "COMP_WORDS", "COMP_CWORD", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def compile_kttn() -> None:
    """Byte-compile the kttn package as an install does (best effort): a checkout run with
    PYTHONDONTWRITEBYTECODE would otherwise compile every kttn module on every run."""
    import compileall

    import kttn_cli

    compileall.compile_dir(Path(kttn_cli.__file__).parent, quiet=1)


def run_once(argv: list[str], env: dict[str, str], expect: str = "") -> Sample:
    """Whole-process wall time and the child's own peak resident set (os.wait4).

    Output goes to unlinked temporary files, read only after the clock stops.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        pid = os.posix_spawn(
            argv[0],
            argv,
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read()
        if code != 0 or (expect and expect.encode() not in stdout):
            err.seek(0)
            detail = err.read()
            if b"No such command" in detail:
                raise MissingCommand(argv[1] if len(argv) > 1 else "")
            raise SystemExit(
                f"bench: {' '.join(argv)} failed (exit {code}):\n"
                f"{detail.decode(errors='replace')[-2000:]}"
                f"{stdout.decode(errors='replace')[-500:]}"
            )
    # ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS.
    peak_kib = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Sample(elapsed, peak_kib)


def generate(scenario: Scenario, workdir: Path) -> Path:
    """The scenario's files, generated once per workdir (bench/generate.py is seeded)."""
    target = workdir / scenario.name
    stamp = target / "generated-with.json"
    args = list(scenario.generate)
    if stamp.exists() and json.loads(stamp.read_text()) == args:
        return target
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), *args, "--out", str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(json.dumps(args))
    return target


def measure(scenario: Scenario, workdir: Path, rounds: int) -> list[Result]:
    data = generate(scenario, workdir)
    home = workdir / f"{scenario.name}-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = clean_env(home)
    kttn = kttn_argv()
    check = subprocess.run(
        [*kttn, "check", *(a.format(dir=data) for a in _data_args())],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise SystemExit(f"bench: kttn check rejected {data}:\n{check.stdout}{check.stderr}")
    floor_argv = [sys.executable, "-c", FLOOR]
    jobs: list[tuple[Command, list[str], dict[str, str]]] = [
        (c, [*kttn, *(a.format(dir=data) for a in c.args)], {**env, **dict(c.env)})
        for c in scenario.commands
    ]
    # The first run after a change: no cache yet (each command fills what it reads).
    first: dict[str, float] = {}
    missing: list[str] = []
    for command, argv, cmd_env in jobs:
        shutil.rmtree(home / "cache", ignore_errors=True)
        try:
            first[command.name] = run_once(argv, cmd_env, command.expect).seconds
        except MissingCommand:
            missing.append(command.name)
            print(f"bench: kttn has no `{command.name}` command: not measured", file=sys.stderr)
    jobs = [job for job in jobs if job[0].name not in missing]
    samples: dict[str, list[Sample]] = {c.name: [] for c, _, _ in jobs}
    floor: list[Sample] = []
    for round_no in range(rounds + 1):  # round 0 is the warm-up
        sample = run_once(floor_argv, env)
        if round_no:
            floor.append(sample)
        for command, argv, cmd_env in jobs:
            sample = run_once(argv, cmd_env, command.expect)
            if round_no:
                samples[command.name].append(sample)
    floor_ms = statistics.median(s.seconds for s in floor) * 1000
    floor_peak = max(s.max_rss_kib for s in floor)
    results = []
    for command, _, _ in jobs:
        peak_kib = max(s.max_rss_kib for s in samples[command.name])
        median_ms = statistics.median(s.seconds for s in samples[command.name]) * 1000
        ratio = median_ms / floor_ms
        target = scenario.ratio_targets.get(command.name)
        ok = (target is None or ratio <= target) and (
            scenario.memory_target_mib is None or peak_kib * 1024 / MIB < scenario.memory_target_mib
        )
        results.append(
            Result(
                scenario.name,
                command.name,
                round(median_ms, 1),
                round(floor_ms, 1),
                round(ratio, 2),
                round(peak_kib / 1024, 1),
                round(first[command.name] * 1000, 1),
                target,
                scenario.memory_target_mib,
                ok,
            )
        )
    results += [
        Result(
            scenario.name,
            name,
            math.nan,
            floor_ms,
            math.nan,
            math.nan,
            None,
            scenario.ratio_targets.get(name),
            scenario.memory_target_mib,
            False,
        )
        for name in missing
    ]
    results.append(
        Result(
            scenario.name,
            "floor",
            round(floor_ms, 1),
            round(floor_ms, 1),
            1.0,
            round(floor_peak / 1024, 1),
            None,
            None,
            None,
            True,
        )
    )
    return results


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
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs{mem}; "
        f"Python {platform.python_version()}"
    )


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ("kttn", "typer", "pydantic", "rich", "tomli"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} -")
    return ", ".join(parts)


def table(results: list[Result]) -> str:
    head = (
        "| scenario | command | median ms | × floor | target | peak MiB | first run ms | ok |\n"
        "|---|---|---:|---:|---:|---:|---:|:-:|"
    )
    rows = []
    for r in results:
        target = f"≤ {r.target_ratio}×" if r.target_ratio else ""
        if r.target_mib:
            target += f"{', ' if target else ''}< {r.target_mib:g} MiB"
        first = "" if r.first_run_ms is None else f"{r.first_run_ms:.0f}"
        if math.isnan(r.median_ms):
            rows.append(f"| {r.scenario} | `{r.command}` | not available | | {target} | | | NO |")
            continue
        rows.append(
            f"| {r.scenario} | `{r.command}` | {r.median_ms:.1f} | {r.ratio:.2f} | "
            f"{target} | {r.peak_mib:.1f} | {first} | {'yes' if r.ok else 'NO'} |"
        )
    return "\n".join([head, *rows])


def growth(results: list[Result]) -> str:
    """Cost per added record between the synthetic scenarios: flat means linear."""
    by = {(r.scenario, r.command): r.median_ms for r in results}
    lines = []
    for command in ("status", "overdue --format plain", "export --format json"):
        points = [(n, by.get((f"synthetic-{n // 1000}k", command))) for n in (1000, 10000, 100000)]
        known = [(n, ms) for n, ms in points if ms is not None]
        if len(known) < 3:
            continue
        (n1, t1), (n2, t2), (n3, t3) = known
        per_a = (t2 - t1) / (n2 - n1) * 1000
        per_b = (t3 - t2) / (n3 - n2) * 1000
        lines.append(
            f"- `{command}`: {per_a:.2f} ms per 1,000 records from 1k to 10k, "
            f"{per_b:.2f} ms per 1,000 from 10k to 100k"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds [default: 15]")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=sorted(SCENARIOS),
        default=list(SCENARIOS),
        help="which scenarios [default: all]",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=HERE / ".data",
        help="where generated files are kept [default: bench/.data]",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    results: list[Result] = []
    print(f'machine: {machine()}\nversions: {versions()}\nfloor: python -c "{FLOOR}"\n', flush=True)
    compile_kttn()
    for name in args.scenarios:
        print(f"… {name}", file=sys.stderr, flush=True)
        results += measure(SCENARIOS[name], args.workdir, args.rounds)
    print(table(results))
    lines = growth(results)
    if lines:
        print("\nGrowth with records (synthetic plan, 100 units × 20 milestones):\n" + lines)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "versions": versions(),
                    "results": [asdict(r) for r in results],
                },
                indent=2,
            )
        )
    failed = [r for r in results if not r.ok]
    if failed:
        print(
            f"\n{len(failed)} target(s) missed: "
            + ", ".join(f"{r.scenario} {r.command}" for r in failed)
        )
        sys.exit(1)
    print("\nEvery target met.")


if __name__ == "__main__":
    main()
