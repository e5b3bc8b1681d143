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
first command and install do. Figures are medians; the ratio divides by the floor's.

Exit status: 0 when every completion is within 3× the floor, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
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


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}")
    return elapsed, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kttn-bench-completion.") as tmp:
        work = Path(tmp)
        env = clean_env(work)
        timed([KTTN, "status"], env)  # leaves the id list
        timed([KTTN, "--show-completion", "bash"], env)  # leaves the declarations
        for name, argv in CASES.items():  # warm-up; check each answer once
            _, out = timed(argv, env)
            if name in EXPECT and EXPECT[name] not in out:
                raise SystemExit(f"{name}: {EXPECT[name]!r} not in the answer:\n{out}")
        times: dict[str, list[float]] = {name: [] for name in CASES}
        for _ in range(args.rounds):
            for name, argv in CASES.items():
                times[name].append(timed(argv, env)[0])
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["floor: python -I -c pass"]
    print(f"{args.rounds} rounds, medians; Python {sys.version.split()[0]}, {sys.platform}")
    print(f"{'':40} {'ms':>8} {'× floor':>8}")
    ok = True
    results = {}
    for name, value in medians.items():
        ratio = value / floor
        results[name] = {"median_ms": round(value, 1), "ratio": round(ratio, 2)}
        mark = ""
        if name.startswith("kttn __complete"):
            good = ratio <= TARGET
            ok &= good
            mark = f"  ≤ {TARGET:.0f}×: {'yes' if good else 'NO'}"
        print(f"{name:40} {value:8.1f} {ratio:8.2f}{mark}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
