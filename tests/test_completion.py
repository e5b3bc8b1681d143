"""Tab completion: the answer function, the install command, and real shells.

The shells are the real programs (bash, zsh, fish) driven through a pseudo-terminal
with pexpect, loading the script the way `kttn --install-completion` leaves it (bash
through the bash-completion package when it is there), typing a command line and Tab,
and reading what the shell shows. A shell that is not installed is skipped, except
under CI=true, where it is a failure (.ci/run installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import SMALL_PLAN, kttn, ok

KTTN_BIN = Path(sys.executable).parent
III_2 = (
    "III.2-ke-hoach",
    "III.2-bc-6-thang",
    "III.2-bc-nam",
    "III.2-phan-anh",
    "III.2-kien-toan",
)


def complete(*words: str, shell: str = "bash", cword: int | None = None) -> list[str]:
    """The candidates' values for `kttn WORDS…`, the last word being completed."""
    lines = answer_lines(*words, shell=shell, cword=cword)
    return [line.split("\t")[0] for line in lines[1:]]


def answer_lines(*words: str, shell: str = "bash", cword: int | None = None) -> list[str]:
    index = len(words) if cword is None else cword
    result = ok(kttn("__complete", shell, str(index), "kttn", *words))
    assert result.err == "", str(result)
    return result.out.splitlines()


def directive(*words: str, shell: str = "bash") -> list[str]:
    return answer_lines(*words, shell=shell)[0].split("\t")


@pytest.fixture
def ids() -> None:
    """A normal run of the default (bundled) plan leaves its id list for completion."""
    ok(kttn("status", "--as-of", "2024-07-01"))


# --- the answer: commands, options, values ---------------------------------------------


def test_command_names_come_from_the_declarations() -> None:
    from kttn_cli.cli.commands import MODULES

    assert complete("") == list(MODULES)
    assert complete("st") == ["status"]
    assert complete("ex") == ["extend", "export"]
    assert complete("-") == ["--help", "--version", "--install-completion", "--show-completion"]
    assert complete("--show-completion", "") == ["bash", "zsh", "fish"]


def test_command_descriptions_in_the_language_of_the_run() -> None:
    lines = answer_lines("sub", shell="zsh")
    assert lines[1].startswith("submit\tGhi nhận đơn vị đã hoàn thành một mốc"), lines
    english = ok(
        kttn("__complete", "fish", "1", "kttn", "sub", env={**os.environ, "KTTN_LANG": "en"})
    )
    assert english.out.splitlines()[1].startswith("submit\tRecord that units delivered"), english


def test_every_declared_option_is_offered() -> None:
    """The declarations are the one grammar: each command offers exactly its flags."""
    from kttn_cli.cli.complete import build_grammar
    from kttn_cli.cli.spec import REGISTRY

    build_grammar()  # imports every command module
    for path, spec in REGISTRY.items():
        declared = {p.flags[0] for p in spec.params if p.is_option} | {"--help"}
        offered = set(complete(*path.split(), "--"))
        assert offered == declared, path


def test_status_lang_and_format_values() -> None:
    assert complete("status", "--status", "") == [
        "overdue",
        "due_soon",
        "pending",
        "late",
        "on_time",
        "done",
        "undated",
        "not_owed",
    ]
    assert complete("status", "--status", "o") == ["overdue", "on_time"]
    assert complete("status", "-s", "d") == ["due_soon", "done"]
    # Comma-separated: the next status, without the ones already given.
    assert complete("status", "--status", "overdue,d") == ["overdue,due_soon", "overdue,done"]
    assert complete("overdue", "--lang", "") == ["vi", "en"]
    assert complete("log", "--format", "") == ["table", "json"]
    assert complete("log", "-f", "j") == ["json"]
    assert {"csv", "json", "ics"} <= set(complete("export", "--format", ""))
    assert complete("status", "--status=ov", shell="zsh") == ["--status=overdue"]


def test_bash_splits_at_equals() -> None:
    """bash hands `--format=j` over as `--format`, `=`, `j` and replaces only `j`."""
    assert complete("export", "--format", "=", "j") == ["json"]
    assert {"csv", "json", "ics"} <= set(complete("export", "--format", "=", cword=3))
    assert complete("export", "--format", "=", "json", "--ra") == ["--raw"]


def test_group_task_add() -> None:
    assert complete("task", "") == ["add"]
    assert complete("task", "add", "--u") == ["--unit"]
    assert complete("task", "add", "--title", "x", "--by", "") == []  # free text


def test_options_after_arguments(ids: None) -> None:
    assert complete("submit", "III.2-bc-6-thang", "van-lam", "--r") == ["--ref", "--replace"]
    # Options between arguments are skipped with their values: still units.
    assert complete("submit", "III.2-bc-6-thang", "--on", "2024-06-01", "van-g") == ["van-giang"]
    assert complete("submit", "--ref", "12-BC/HU", "III.2-bc-n") == ["III.2-bc-nam"]
    # An option already given is not offered again; a repeatable one is.
    offered = complete("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-01", "--")
    assert "--on" not in offered and "--ref" in offered
    assert "--unit" in complete("status", "--unit", "van-lam", "--u")
    # After `--`, only arguments.
    assert complete("submit", "--", "-") == []


def test_milestones_units_tasks_records(ids: None) -> None:
    assert complete("submit", "III.2-") == list(III_2)
    assert complete("submit", "III.2-bc-6-thang", "van") == ["van-lam", "van-giang"]
    assert complete("extend", "III.2-bc-6-thang", "van-lam", "yen") == ["yen-my"]
    assert complete("status", "--task", "III.") == ["III.1", "III.2", "III.3"]
    assert complete("show", "III.3-b") == ["III.3-bc-6-thang", "III.3-bc-nam"]
    assert complete("show", "van-l") == ["van-lam"]
    lines = answer_lines("submit", "III.2-bc-6-thang", "van-l", shell="fish")
    assert lines[1:] == ["van-lam\tHuyện ủy Văn Lâm"]


def test_task_add_unit_offers_groups_too(ids: None) -> None:
    """`task add --unit` takes a unit or a group of units; `submit` only a unit."""
    assert complete("task", "add", "--unit", "cap-") == ["cap-huyen"]
    assert "cap-huyen" not in complete("submit", "III.2-bc-6-thang", "cap-")
    assert complete("task", "add", "--unit", "van-l") == ["van-lam"]


def test_units_by_their_names_without_diacritics(ids: None) -> None:
    """A unit is found by a word of its name, typed with or without diacritics; the
    answer is its id (the shell replaces the word)."""
    assert complete("submit", "III.2-bc-6-thang", "lam") == ["van-lam"]
    assert complete("submit", "III.2-bc-6-thang", "Lâm") == ["van-lam"]
    assert complete("submit", "III.2-bc-6-thang", '"van l') == ["van-lam"]
    assert complete("submit", "III.2-bc-6-thang", "Văn") == ["van-lam", "van-giang"]
    assert directive("submit", "III.2-bc-6-thang", "lam")[0] == "fuzzy"
    assert directive("submit", "III.2-bc-6-thang", "van")[0] == "-"


def test_records_for_void(ids: None) -> None:
    ok(kttn("submit", "III.2-bc-6-thang", "van-lam", "--on", "2024-06-20"))
    ok(kttn("submit", "III.2-bc-6-thang", "yen-my", "--on", "2024-06-21"))
    lines = answer_lines("void", "r", shell="fish")
    assert lines[1:] == [
        "r2\tsubmission III.2-bc-6-thang yen-my",
        "r1\tsubmission III.2-bc-6-thang van-lam",
    ]


def test_the_plan_on_the_line_chooses_the_ids(ids: None) -> None:
    ok(kttn("status", "--plan", str(SMALL_PLAN), "--as-of", "2024-07-01"))
    assert complete("submit", "--plan", str(SMALL_PLAN), "bc") == ["bc-6-thang"]
    # Without --plan: the default plan, still the bundled one.
    assert "bc-6-thang" not in complete("submit", "bc")
    assert "III.2-bc-6-thang" in complete("submit", "bc")
    env = {**os.environ, "KTTN_PLAN": str(SMALL_PLAN)}
    done = ok(kttn("__complete", "bash", "2", "kttn", "submit", "tong", env=env))
    assert done.out.splitlines()[1:] == ["tong-hop\tBáo cáo tổng hợp"]


def test_plan_values_are_registered_ids_and_files(tmp_path: Path) -> None:
    data = Path(os.environ["KTTN_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "plans.toml").write_text(
        '[[plans]]\nid = "kh-2025"\npath = "/srv/kh-2025.toml"\n'
        '[[plans]]\nid = "kh-2024"\npath = "/srv/kh-2024.toml"\n',
        encoding="utf-8",
    )
    assert complete("status", "--plan", "kh-") == ["kh-2025", "kh-2024"]
    assert directive("status", "--plan", "kh-")[:2] == ["files", "kh-"]
    assert directive("export", "--output", "ou")[:2] == ["files", "ou"]
    assert directive("export", "--output", "=", "ou")[:2] == ["files", "ou"]
    assert directive("export", "--output=ou", shell="fish") == ["files", "ou", "--output="]


def test_no_id_list_completes_no_ids_and_says_nothing() -> None:
    assert complete("submit", "III.2-") == []
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "kttn"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "completion-ids.json").write_text("{damaged", encoding="utf-8")
    assert complete("submit", "III.2-") == []
    (cache / "completion-grammar.json").write_text("[]", encoding="utf-8")
    assert complete("st") == ["status"]  # a damaged grammar cache is rebuilt


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["bash"],
        ["tcsh", "1", "kttn", ""],
        ["bash", "x", "kttn", ""],
        ["bash", "99", "kttn", "submit"],
        ["zsh", "1"],
        ["bash", "3", "kttn", "nosuchcommand", "--x", ""],
        ["fish", "2", "kttn", "export", "--output=", "--"],
    ],
)
def test_nonsense_never_fails(words: list[str]) -> None:
    result = kttn("__complete", *words)
    assert result.code == 0 and result.err == "", str(result)


@pytest.mark.process
def test_a_tab_loads_no_plan_and_no_heavy_library(ids: None) -> None:
    """Answering reads the cached grammar and id list: no Typer, pydantic or Rich."""
    ok(kttn("--show-completion", "bash"))  # builds the grammar cache
    probe = (
        "import sys\n"
        "from kttn_cli.cli.entry import run_argv\n"
        "import os\n"
        "run_argv(['__complete', 'bash', '2', 'kttn', 'submit', 'III.2-'], os.environ)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'typer', 'click', 'pydantic', 'rich', 'platformdirs', 'tomli', 'icalendar'})\n"
        "print('HEAVY', heavy)\n"
        "print('CORE', sorted(m for m in sys.modules if m.startswith('kttn_cli.core')))\n"
    )
    for _ in range(2):  # the first run rebuilds the grammar if a file of kttn just changed
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
        )
    assert done.returncode == 0, done.stderr
    assert "III.2-bc-6-thang" in done.stdout, done.stdout
    assert "HEAVY []" in done.stdout, done.stdout
    assert "CORE []" in done.stdout, done.stdout


# --- --show-completion and --install-completion ---------------------------------------


def test_show_completion_prints_each_script() -> None:
    for shell, marker in (
        ("bash", "complete -F _kttn_complete kttn"),
        ("zsh", "#compdef kttn"),
        ("fish", "complete -c kttn -f -a '(__kttn_complete)'"),
    ):
        result = ok(kttn("--show-completion", shell))
        assert marker in result.out, result.out
        assert "kttn __complete " + shell in result.out, result.out


def test_the_shell_comes_from_SHELL() -> None:
    result = ok(kttn("--show-completion", env={**os.environ, "SHELL": "/usr/bin/zsh"}))
    assert result.out.startswith("#compdef kttn")
    bad = kttn("--show-completion", env={**os.environ, "SHELL": "/bin/tcsh"})
    assert bad.code == 2, str(bad)
    assert "SHELL='/bin/tcsh'" in bad.err and "bash|zsh|fish" in bad.err, bad.err
    bad = kttn("--install-completion", "powershell")
    assert bad.code == 2 and "'powershell'" in bad.err, str(bad)


def test_install_puts_each_script_where_its_shell_looks(tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}
    bash = ok(kttn("--install-completion", "bash", env=env))
    target = tmp_path / "share" / "bash-completion" / "completions" / "kttn"
    assert target.read_text(encoding="utf-8") == ok(kttn("--show-completion", "bash")).out
    assert str(target) in bash.out, bash.out
    zsh = ok(kttn("--install-completion", "zsh", "--lang", "en", env=env))
    assert (home / ".zfunc" / "_kttn").read_text(encoding="utf-8").startswith("#compdef kttn")
    assert f"fpath=({home / '.zfunc'} $fpath)" in zsh.out, zsh.out
    assert "autoload -Uz compinit && compinit" in zsh.out, zsh.out
    ok(kttn("--install-completion", "fish", env=env))
    fish = Path(os.environ["XDG_CONFIG_HOME"]) / "fish" / "completions" / "kttn.fish"
    assert "__kttn_complete" in fish.read_text(encoding="utf-8")
    # Installing also reads the default plan once: the first Tab knows its ids.
    assert complete("submit", "III.2-bc-") == ["III.2-bc-6-thang", "III.2-bc-nam"]


def test_install_into_a_place_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(blocker)}
    result = kttn("--install-completion", "fish", env=env)
    assert result.code == 73, str(result)
    assert str(blocker) in result.err, result.err


# --- real shells --------------------------------------------------------------------------


def screen_text(raw: str) -> str:
    """What the terminal shows: escape sequences dropped, backspaces applied."""
    out: list[str] = []
    for ch in ANSI.sub("", raw):
        if ch == "\b":
            if out and out[-1] != "\n":
                out.pop()
        else:
            out.append(ch)
    return "".join(out)


ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>])")
PROMPT = "KTTN-PROMPT> "


def need(shell: str) -> str:
    found = shutil.which(shell)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{shell} is not installed (.ci/run installs it)")
        pytest.skip(f"{shell} is not installed")
    return found


class Shell:
    """An interactive shell in a pseudo-terminal."""

    def __init__(self, argv: list[str], env: dict[str, str], setup: list[str]) -> None:
        import pexpect

        self.child = pexpect.spawn(
            argv[0], argv[1:], env=env, encoding="utf-8", timeout=30, dimensions=(60, 250)
        )
        for line in setup:
            self.child.sendline(line)
        self.child.sendline("echo KTTN-READY")
        self.child.expect("KTTN-READY")
        self.child.expect(PROMPT)

    def tab(self, line: str, tabs: int, until: Callable[[str], bool]) -> str:
        """Type `line`, press Tab `tabs` times (a pause between), and read the screen
        until `until(text)` holds or 30 seconds pass; then clear the line."""
        self.child.send(line)
        for _ in range(tabs):
            time.sleep(0.5)
            self.child.send("\t")
        seen = ""
        deadline = time.monotonic() + 30
        import pexpect

        while time.monotonic() < deadline and not until(screen_text(seen)):
            try:
                seen += self.child.read_nonblocking(65536, timeout=0.2)
            except pexpect.TIMEOUT:
                continue
        # Let a Tab still running finish (Ctrl-C inside a completion function does not
        # give a new prompt), then clear the line until the prompt comes back.
        quiet = time.monotonic()
        while time.monotonic() - quiet < 1.0 and time.monotonic() < deadline:
            try:
                seen += self.child.read_nonblocking(65536, timeout=0.2)
                quiet = time.monotonic()
            except pexpect.TIMEOUT:
                continue
        for _ in range(5):
            self.child.send("\x03")
            if self.child.expect([PROMPT, pexpect.TIMEOUT], timeout=10) == 0:
                break
        else:
            raise AssertionError(f"no prompt after Ctrl-C: {screen_text(seen)}")
        return screen_text(seen)

    def close(self) -> None:
        self.child.close(force=True)


def shell_env(tmp_path: Path, term: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PATH=f"{KTTN_BIN}{os.pathsep}{env.get('PATH', '')}",
        TERM=term,
        XDG_DATA_HOME=str(tmp_path / "share"),
        INPUTRC=str(tmp_path / "inputrc"),
        PS1=PROMPT,
        LANG="C.UTF-8",
    )
    (tmp_path / "inputrc").write_text(
        "set show-all-if-ambiguous on\nset completion-query-items 1000\n"
        "set page-completions off\nset bell-style none\n",
        encoding="utf-8",
    )
    return env


@pytest.fixture
def bash(tmp_path: Path, ids: None) -> Iterator[Shell]:
    need("bash")
    env = shell_env(tmp_path, "dumb")
    ok(kttn("--install-completion", "bash", env=env))
    loader = Path("/usr/share/bash-completion/bash_completion")
    installed = tmp_path / "share" / "bash-completion" / "completions" / "kttn"
    # With the bash-completion package, the installed file is found on the first Tab.
    setup = [f"source {loader}" if loader.exists() else f"source {installed}"]
    shell = Shell(["bash", "--norc", "--noprofile", "-i"], env, setup)
    yield shell
    shell.close()


@pytest.fixture
def zsh(tmp_path: Path, ids: None) -> Iterator[Shell]:
    need("zsh")
    env = shell_env(tmp_path, "dumb")
    ok(kttn("--install-completion", "zsh", env=env))
    folder = Path(env["HOME"]) / ".zfunc"
    setup = [
        f"PS1='{PROMPT}'",
        f"fpath=({folder} $fpath)",
        f"autoload -Uz compinit && compinit -u -d {tmp_path / 'zcompdump'}",
    ]
    shell = Shell(["zsh", "-f", "-i"], env, setup)
    yield shell
    shell.close()


@pytest.fixture
def fish(tmp_path: Path, ids: None) -> Iterator[Shell]:
    need("fish")
    env = shell_env(tmp_path, "xterm")  # fish shows its list of candidates on xterm
    ok(kttn("--install-completion", "fish", env=env))
    setup = [f"function fish_prompt; printf '{PROMPT}'; end"]
    # fish finds the installed file in $XDG_CONFIG_HOME/fish/completions by itself.
    shell = Shell(["fish", "-i"], env, setup)
    yield shell
    shell.close()


def shows(*words: str) -> Callable[[str], bool]:
    return lambda text: all(w in text for w in words)


@pytest.mark.process
def test_bash_done_when(bash: Shell) -> None:
    """Issue 14: `kttn submit III.2-<TAB>` completes to the III.2 milestones, and
    `kttn submit III.2-bc-6-thang van<TAB>` offers van-lam and van-giang."""
    screen = bash.tab("kttn submit III.2-", 2, shows(*III_2))
    assert all(m in screen for m in III_2), screen
    assert "III.1-" not in screen and "III.3-" not in screen, screen
    screen = bash.tab("kttn submit III.2-bc-6-thang van", 2, shows("van-lam", "van-giang"))
    assert "van-lam" in screen and "van-giang" in screen, screen
    assert "yen-my" not in screen, screen


@pytest.mark.process
def test_bash_completes_in_the_line(bash: Shell, tmp_path: Path) -> None:
    screen = bash.tab("kttn submit III.2-bc-6-thang lam", 1, shows("van-lam "))
    assert "III.2-bc-6-thang van-lam " in screen, screen
    screen = bash.tab("kttn status --status ov", 1, shows("overdue "))
    assert "--status overdue " in screen, screen
    screen = bash.tab("kttn export --format=i", 1, shows("--format=ics "))
    assert "--format=ics " in screen, screen
    (tmp_path / "bao-cao-thang.ics").write_text("", encoding="utf-8")
    screen = bash.tab(f"kttn export --output {tmp_path}/bao-cao-t", 1, shows("thang.ics"))
    assert f"{tmp_path}/bao-cao-thang.ics" in screen, screen


@pytest.mark.process
def test_zsh(zsh: Shell) -> None:
    screen = zsh.tab("kttn submit III.2-", 1, shows(*III_2))
    assert "III.2-bc-6-thang  -- BC 6 tháng" in screen, screen
    screen = zsh.tab("kttn submit III.2-bc-6-thang van", 2, shows("van-lam", "van-giang"))
    assert "van-lam  -- Huyện ủy Văn Lâm" in screen, screen
    screen = zsh.tab("kttn submit III.2-bc-6-thang lam", 1, shows("van-lam "))
    assert "III.2-bc-6-thang van-lam " in screen, screen
    screen = zsh.tab("kttn status --status ov", 1, shows("overdue "))
    assert "--status overdue " in screen, screen


@pytest.mark.process
def test_fish(fish: Shell) -> None:
    screen = fish.tab("kttn submit III.2-", 2, shows(*III_2))
    assert "III.2-bc-6-thang  (BC 6 tháng)" in screen, screen
    screen = fish.tab("kttn submit III.2-bc-6-thang van", 2, shows("van-lam", "van-giang"))
    assert "van-lam  (Huyện ủy Văn Lâm)" in screen, screen
    screen = fish.tab("kttn status --status ov", 1, shows("overdue "))
    assert "--status overdue " in screen, screen
