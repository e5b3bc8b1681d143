"""How long `kttn report` takes: the synthesis annex of the bundled plan with 1,000 ledger
records, against an empty Python (issue 10).

    python bench/documents.py [--rounds 10] [--records 1000] [--json FILE]

The target: a report in under 1 s on the machine that runs it. `bench/generate.py` writes
the bundled plan and a ledger of N records; each round then runs, interleaved so that a
busy moment hits them alike: the floor `python -I -c pass` (the interpreter alone),
`kttn report III.3-bc-6-thang` to a file, and, for comparison, `kttn status` (the same
loading, no document), `kttn board --format xlsx` and `kttn letters`. Every process gets
a clean environment (its own HOME, cache and data directories, KTTN_TODAY=2024-12-01); a
first run fills the validated-content cache, as any earlier command would. Figures are
medians; the ratio divides by the floor's; CPU time (the child's user + system time)
is shown too, since it hardly moves with the machine's load.

Exit status: 0 when the report's median is under 1 s, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KTTN = str(Path(sys.executable).parent / "kttn")
TARGET_MS = 1000.0
FLOOR = "floor: python -I -c pass"
REPORT = "kttn report III.3-bc-6-thang"


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


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and the child's own CPU time (user + system), in ms. CPU time hardly
    moves with the machine's load; wall time does."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = (time.perf_counter() - start) * 1000
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {message}")
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kttn-bench-documents.") as tmp:
        work = Path(tmp)
        env = clean_env(work)
        data = work / "bundled"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--records",
                str(args.records),
                "--out",
                str(data),
            ],
            check=True,
            capture_output=True,
        )
        state = ["--plan", str(data / "plan.toml"), "--ledger", str(data / "ledger.toml")]
        out = work / "out"
        out.mkdir()
        cases = {
            FLOOR: [sys.executable, "-I", "-c", "pass"],
            "kttn status": [KTTN, "status", *state],
            REPORT: [KTTN, "report", "III.3-bc-6-thang", *state, "-o", str(out / "r.docx")],
            "kttn board --format xlsx": [
                KTTN,
                "board",
                "--format",
                "xlsx",
                *state,
                "-o",
                str(out / "b.xlsx"),
            ],
            "kttn letters": [KTTN, "letters", *state, "-o", str(out / "letters")],
        }
        for argv in cases.values():  # warm-up: the cache, compiled modules
            timed(argv, env)
        size = (out / "r.docx").stat().st_size
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, argv in cases.items():
                if name == "kttn letters":
                    shutil.rmtree(out / "letters", ignore_errors=True)
                wall, used = timed(argv, env)
                times[name].append(wall)
                cpu[name].append(used)
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    floor = medians[FLOOR]
    print(
        f"{args.rounds} rounds, medians; {args.records} ledger records; "
        f"Python {sys.version.split()[0]}, {sys.platform}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; the report is {size} bytes"
    )
    print(f"{'':32} {'wall ms':>8} {'× floor':>8} {'CPU ms':>8}")
    results = {}
    for name, value in medians.items():
        ratio = value / floor
        results[name] = {
            "median_ms": round(value, 1),
            "ratio": round(ratio, 2),
            "cpu_ms": round(cpu_medians[name], 1),
        }
        mark = ""
        if name == REPORT:
            mark = f"  < {TARGET_MS:.0f} ms: {'yes' if value < TARGET_MS else 'NO'}"
        print(f"{name:32} {value:8.1f} {ratio:8.2f} {cpu_medians[name]:8.1f}{mark}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if medians[REPORT] < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
