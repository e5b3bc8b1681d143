"""What tests share: running kttn in-process or as a real process, and the test files.

`kttn(...)` runs the command line exactly as the installed script does (the same entry
point, the same error boundary), with stdout and stderr captured as bytes; `run_kttn(...)`
starts a real `python -m kttn_cli` process, for signals, locks and file descriptors.
"""

from __future__ import annotations

import fcntl
import io
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BUNDLED_PLAN = ROOT / "data" / "plan_2024.toml"
SMALL_PLAN = DATA / "small_plan.toml"
PLAN_TEXT = DATA / "ke-hoach-01-KH-BCD-2024.md"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str
    out_bytes: bytes = b""

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"


def kttn(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run `kttn ARGS` in this process, as the installed script would."""
    from kttn_cli.cli.entry import run_argv
    from kttn_cli.render import terminal

    out, err = io.BytesIO(), io.BytesIO()
    saved = sys.stdout, sys.stderr
    wrappers = (
        io.TextIOWrapper(out, encoding="utf-8", newline=""),
        io.TextIOWrapper(err, encoding="utf-8", newline=""),
    )
    sys.stdout, sys.stderr = wrappers
    terminal.TERMINAL = None
    # A write leaves SIGINT and SIGTERM ignored for the rest of its process (after its
    # commit point): here the process is the test's, whose later children would inherit
    # that and could not be interrupted.
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = run_argv(list(args), dict(os.environ) if env is None else env)
    finally:
        if threading.current_thread() is threading.main_thread():
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        for wrapper in wrappers:
            wrapper.flush()
            wrapper.detach()  # keep the buffer open for reading
        sys.stdout, sys.stderr = saved
        terminal.TERMINAL = None
    data = out.getvalue()
    return Result(code, data.decode("utf-8"), err.getvalue().decode("utf-8"), data)


def run_kttn(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run kttn as a real process (`python -m kttn_cli`), with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "kttn_cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ) if env is None else env,
        cwd=cwd,
        timeout=timeout,
        check=False,
        input=input,
    )


def ok(result: Result, code: int = 0) -> Result:
    """Assert the exit code, with the whole output as the message."""
    assert result.code == code, str(result)
    return result


# --- core objects for pure tests ------------------------------------------------------------


def core_plan(*milestones: object, warn_days: int = 7, rules: object | None = None) -> object:
    """A one-task plan owned by two units (a, b) and a group of both (ab)."""
    from datetime import date

    from kttn_cli.core.model import DeadlineRules, Group, Plan, PlanInfo, Signer, Task, Unit

    info = PlanInfo(
        id="p",
        number="1-KH",
        title="Kế hoạch thử",
        issued_on=date(2024, 1, 1),
        place="Hưng Yên",
        issuer="BCĐ",
        header=("BCĐ",),
        signer=Signer("A", "B"),
    )
    return Plan(
        info=info,
        warn_days=warn_days,
        rules=rules if rules is not None else DeadlineRules(),  # type: ignore[arg-type]
        units=(Unit("a", "Đơn vị A", "x"), Unit("b", "Đơn vị B", "x")),
        groups=(Group("ab", "A và B", ("a", "b")),),
        tasks=(Task("T.1", "T", "Nhiệm vụ", "", "", tuple(milestones)),),  # type: ignore[arg-type]
    )


def core_milestone(
    kind: str = "date",
    stated: object = None,
    qualifier: str = "",
    *,
    warn_days: int | None = None,
    mid: str = "T.1-m",
    quarter: int | None = None,
    year: int | None = None,
) -> object:
    from kttn_cli.core.model import Deadline, Milestone

    deadline = Deadline(kind, "", stated, qualifier, quarter, year)  # type: ignore[arg-type]
    return Milestone(
        id=mid,
        task_id="T.1",
        title="Báo cáo",
        deadline=deadline,
        assignees=("ab",),
        recipients=("a",),
        source="",
        warn_days=warn_days,
    )


def ledger_gone_for_restore(argv: list[str]) -> None:
    """A `kttn restore` example is for a ledger that is missing (or damaged) while its
    backup is there: make it so, for the ledger the example names (or the default
    ledger of the bundled plan). Restoring a ledger that can be read is refused."""
    if argv[:1] != ["restore"]:
        return
    from kttn_cli.storage.registry import bundled_plan_id

    if "--ledger" in argv:
        ledger = Path(argv[argv.index("--ledger") + 1])
    else:
        ledger = Path(os.environ["KTTN_DATA_DIR"]) / f"{bundled_plan_id()}.ledger.toml"
    ledger.unlink(missing_ok=True)


@contextmanager
def held_lock(ledger: Path) -> Iterator[None]:
    """The ledger's lock, held by this test as another kttn would hold it: an exclusive
    flock on `<ledger>.lock`."""
    with Path(f"{ledger}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def lock_is_free(ledger: Path) -> bool:
    """Whether another kttn could take the ledger's lock now."""
    with Path(f"{ledger}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def lock_waiters(lock: Path) -> int:
    """How many processes wait for the flock of `lock` (Linux's /proc/locks lists each
    blocked request with "->")."""
    info = lock.stat()
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    lines = Path("/proc/locks").read_text().splitlines()
    return sum(1 for line in lines if "->" in line and line.split()[-3] == device)
