"""Every `kttn …` example in the README runs (sqlite-utils' `test_docs.py` habit), in the
order a reader meets them, on one ledger, with the files an office would have: a
contacts file, a settings file, a real SMTP server for `remind`.

The sections with tests of their own (the reminders, the plan changes) are run there,
step by step with the files they edit (tests/test_remind.py, tests/test_plan_changes.py).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from helpers import ROOT, SMALL_PLAN, kttn, ledger_gone_for_restore

README = ROOT / "README.md"
TESTED_ELSEWHERE = ("Cron: reminders through your SMTP server", "Sửa kế hoạch khi đã có dữ liệu")


def examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    sections = re.split(r"^(?=## )", text, flags=re.M)
    lines = []
    for section in sections:
        if section.startswith(tuple(f"## {title}" for title in TESTED_ELSEWHERE)):
            continue
        for block in re.findall(r"^```sh\n(.*?)^```$", section, re.M | re.S):
            joined = block.replace("\\\n", " ")
            lines += [
                line.strip() for line in joined.splitlines() if line.strip().startswith("kttn ")
            ]
    return lines


def test_the_readme_has_its_two_commands_at_the_top() -> None:
    top = README.read_text(encoding="utf-8")[:1500]
    assert 'pip install "$PWD" && (cd ~ && ~/.venvs/kttn/bin/kttn status)' in top
    assert ".venv/bin/pip install -e '.[test]' && .venv/bin/pytest -n auto\n" in top


def test_every_kttn_example_of_the_readme_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("KTTN_TODAY", "2024-07-05")
    # Typed at an interactive bash (`kttn --install-completion` reads SHELL), whatever
    # shell, or none, runs the suite.
    monkeypatch.setenv("SHELL", "/bin/bash")
    # A plan file the office already has (the README registers it).
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        'id = "small"', 'id = "ke-hoach-dot-xuat"'
    )
    (work / "ke-hoach-dot-xuat.toml").write_text(text, encoding="utf-8")
    found = examples()
    assert len(found) > 20, found
    failures = []
    for line in found:
        words = shlex.split(line, comments=True)[1:]
        if ">" in words:
            words = words[: words.index(">")]
        ledger_gone_for_restore(words)
        result = kttn(*words)
        if result.code not in (0, 1):
            failures.append(f"{line}\n{result}")
    assert not failures, "\n\n".join(failures)
