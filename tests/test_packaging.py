"""A real wheel, built from the sdist and installed in a clean virtual environment, works
from any directory with the bundled plan and the compiled message catalog it carries.

Guards PITFALLS "Files": a data file left out of the sdist vanishes from the wheel built
from it; the catalog is compiled by the build (hatch_build.py). Slow (about a minute)
and needs the package index for the dependencies: deselect with `-m "not slow"`.
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

from helpers import ROOT

IN_WHEEL = (
    "kttn_cli/data/plan_2024.toml",
    "kttn_cli/data/plan.schema.json",
    "kttn_cli/locale/vi/LC_MESSAGES/kttn.mo",
)
IN_SDIST = (
    "data/plan_2024.toml",
    "data/plan.schema.json",
    "src/kttn_cli/locale/vi/LC_MESSAGES/kttn.po",
    "hatch_build.py",
)
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")

pytestmark = [pytest.mark.slow, pytest.mark.process]


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
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("packaging")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH") and not k.startswith("KTTN_")
    }
    env |= {
        "HOME": str(base / "home"),
        "PIP_CACHE_DIR": PIP_CACHE,
        "KTTN_DATA_DIR": str(base / "data"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
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
    for data in IN_SDIST:
        assert f"{top}/{data}" in names, data
    with zipfile.ZipFile(installed.wheel) as wheel:
        assert set(IN_WHEEL) <= set(wheel.namelist())


def test_the_installed_kttn_finds_its_plan_and_speaks_vietnamese(installed: Installed) -> None:
    done = installed.run("check")
    assert done.returncode == 0, done.stderr
    plan = next(
        (installed.venv / "lib").glob("python3*/site-packages/kttn_cli/data/plan_2024.toml")
    )
    assert done.stdout.startswith(f"{plan}: hợp lệ — 10 nhiệm vụ, 23 mốc, 17 đơn vị"), done.stdout
    status = installed.run("status", "--as-of", "2024-07-01")
    assert status.returncode == 0 and "Kế hoạch số 01-KH/BCĐ ngày 05/02/2024" in status.stdout, (
        status.stderr
    )
    help_page = installed.run("submit", "--help")
    assert "Cách dùng: kttn submit" in help_page.stdout


def test_the_installed_kttn_lists_the_plan_and_its_version(installed: Installed) -> None:
    done = installed.run("tasks")
    assert done.returncode == 0, done.stderr
    for ident in ("II.1-hop-bcd", "II.4-tong-ket", "III.2-bc-6-thang", "III.3-bc-nam"):
        assert f"│ {ident} " in done.stdout
    version = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-m", "kttn_cli", "--version"],
        cwd=installed.elsewhere, env=installed.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert version.stdout == f"kttn {installed.wheel.name.split('-')[1]}\n"
