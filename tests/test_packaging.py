"""A real wheel, built from the sdist and installed in a clean virtual environment, works
from any directory with the bundled plan it carries.

Guards PITFALLS "Files": a data file left out of the sdist vanishes from the wheel built
from it. Slow (about half a minute) and needs the package index for the dependencies:
deselect with `-m "not slow"`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ("kttn_cli/data/plan_2024.toml", "kttn_cli/data/plan.schema.json")
# Captured at import, before the autouse fixture points HOME at a temporary directory, so
# that pip reuses the machine's download cache.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    venv: Path
    elsewhere: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "kttn"), *args],
            cwd=self.elsewhere,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _run(*args: str | Path, env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("packaging")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {
        "HOME": str(base / "home"),
        "PIP_CACHE_DIR": PIP_CACHE,
        "KTTN_DATA_DIR": str(base / "data"),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    for name in ("KTTN_PLAN", "KTTN_LEDGER", "KTTN_TODAY", "KTTN_LANG", "FORCE_COLOR"):
        env.pop(name, None)
    dist = base / "dist"
    # With neither --sdist nor --wheel, `build` makes the sdist, then the wheel from it.
    _run(sys.executable, "-m", "build", "--outdir", dist, ROOT, env=env, cwd=base)
    (sdist,) = dist.glob("kttn-*.tar.gz")
    (wheel,) = dist.glob("kttn-*.whl")
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv, env=env, cwd=base)
    _run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, env=env, cwd=base)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    yield Installed(sdist, wheel, venv, elsewhere, env)


def test_sdist_and_wheel_carry_the_data_files(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as sdist:
        names = sdist.getnames()
    top = installed.sdist.name.removesuffix(".tar.gz")
    for data in DATA_FILES:
        assert f"{top}/src/{data}" in names
    with zipfile.ZipFile(installed.wheel) as wheel:
        assert set(DATA_FILES) <= set(wheel.namelist())


def test_installed_check_uses_the_plan_inside_the_environment(installed: Installed) -> None:
    done = installed.run("check", "--lang", "en")
    assert done.returncode == 0, done.stderr
    site = installed.venv / "lib"
    plan = next(site.glob("python3*/site-packages/kttn_cli/data/plan_2024.toml"))
    assert done.stdout == (
        f"{plan}: valid — 10 tasks, 23 milestones, 16 units, 77 obligations; ledger: none yet\n"
    )


def test_installed_tasks_lists_the_plan(installed: Installed) -> None:
    done = installed.run("tasks")
    assert done.returncode == 0, done.stderr
    for ident in ("II.1-hop-bcd", "II.4-tong-ket", "III.2-bc-6-thang", "III.3-bc-nam"):
        assert f"│ {ident} " in done.stdout
    assert "báo cáo sơ kết 06 tháng xong trước 30/6/2024" in done.stdout


def test_installed_python_dash_m_and_version(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-m", "kttn_cli", "--version"],
        cwd=installed.elsewhere,
        env=installed.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"kttn {installed.wheel.name.split('-')[1]}\n"
