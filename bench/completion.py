"""How long a Tab takes: `kttn __complete …` against an empty Python (issue 14).

    python bench/completion.py [--rounds 20] [--json FILE]

A Tab must answer as fast as `overdue --format plain` (issue 12's target: at most 3×
`python -I -c pass`, the interpreter alone). Each round runs, interleaved so that a busy
moment hits them alike: the floor `python -I -c pass`, three completions through the
installed `kttn` script (a command name, the milestones of `kttn submit III.2-`, the
units of `kttn submit III.2-bc-6-thang van`), and `kttn overdue --format plain` for
comparison. Every process gets a clean environment (its own HOME, cache and data
directories); before timing, `kttn status` leaves the bundled plan's id list and
`kttn --show-completion bash` the flattened declarations in that cache, as a user's
first command and install do. Figures are medians of wall time (the target) and of the
child's CPU time (less disturbed by a busy machine); ratios divide by the floor's.

Exit status: 0 when every completion is within 3× the floor, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET = 3.0
BIN = Path(sys.executable).parent
KTTN = str(BIN / "kttn")

CASES = {
    "floor: python -I -c pass": [sys.executable, "-I", "-c", "pass"],
    "kttn __complete (command name)": [KTTN, "__complete", "bash", "1", "kttn", "su"],
    "kttn __complete (III.2- milestones)": [
        KTTN,
        "__complete",
        "bash",
        "2",
        "kttn",
        "submit",
        "III.2-",
    ],
    "kttn __complete (units: van)": [
        KTTN,
        "__complete",
        "bash",
        "3",
        "kttn",
        "submit",
        "III.2-bc-6-thang",
        "van",
    ],
    "kttn overdue --format plain": [KTTN, "overdue", "--format", "plain"],
}
EXPECT = {
    "kttn __complete (command name)": "submit",
    "kttn __complete (III.2- milestones)": "III.2-bc-6-thang",
    "kttn __complete (units: van)": "van-lam",
}


def clean_env(work: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work / "home"),
        "XDG_CACHE_HOME": str(work / "cache"),
        "XDG_CONFIG_HOME": str(work / "config"),
        "KTTN_DATA_DIR": str(work / "data"),
        "KTTN_TODAY": "2024-12-01",
        "LANG": "C.UTF-8",
        "COLUMNS": "120",
        "NO_COLOR": "1",
    }
    (work / "home").mkdir(parents=True, exist_ok=True)
    return env


def timed(argv: list[str], env: dict[str, str], out: Path) -> tuple[float, float, str]:
    """Wall time and the child's CPU time (user + system) in ms, and its stdout. CPU
    time is what a busy machine disturbs least; wall time is what a person waits."""
    with out.open("wb") as sink:
        actions = [
            (os.POSIX_SPAWN_DUP2, sink.fileno(), 1),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = (time.perf_counter() - start) * 1000
    code = os.waitstatus_to_exitcode(status)
    text = out.read_text(encoding="utf-8", errors="replace")
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code})")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kttn-bench-completion.") as tmp:
        work = Path(tmp)
        env = clean_env(work)
        out = work / "stdout"
        timed([KTTN, "status"], env, out)  # leaves the id list
        timed([KTTN, "--show-completion", "bash"], env, out)  # leaves the declarations
        for name, argv in CASES.items():  # warm-up; check each answer once
            text = timed(argv, env, out)[2]
            if name in EXPECT and EXPECT[name] not in text:
                raise SystemExit(f"{name}: {EXPECT[name]!r} not in the answer:\n{text}")
        walls: dict[str, list[float]] = {name: [] for name in CASES}
        cpus: dict[str, list[float]] = {name: [] for name in CASES}
        for _ in range(args.rounds):
            for name, argv in CASES.items():
                wall, cpu, _ = timed(argv, env, out)
                walls[name].append(wall)
                cpus[name].append(cpu)
    wall_median = {name: statistics.median(values) for name, values in walls.items()}
    cpu_median = {name: statistics.median(values) for name, values in cpus.items()}
    floor = wall_median["floor: python -I -c pass"]
    cpu_floor = cpu_median["floor: python -I -c pass"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{args.rounds} rounds, medians; Python {sys.version.split()[0]}, {sys.platform}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}"
    )
    print(f"{'':40} {'wall ms':>8} {'× floor':>8} {'CPU ms':>8} {'× floor':>8}")
    ok = True
    results = {}
    for name, value in wall_median.items():
        ratio = value / floor
        cpu = cpu_median[name]
        results[name] = {
            "wall_ms": round(value, 1),
            "wall_ratio": round(ratio, 2),
            "cpu_ms": round(cpu, 1),
            "cpu_ratio": round(cpu / cpu_floor, 2),
        }
        mark = ""
        if name.startswith("kttn __complete"):
            good = ratio <= TARGET
            ok &= good
            mark = f"  ≤ {TARGET:.0f}×: {'yes' if good else 'NO'}"
        print(f"{name:40} {value:8.1f} {ratio:8.2f} {cpu:8.1f} {cpu / cpu_floor:8.2f}{mark}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
