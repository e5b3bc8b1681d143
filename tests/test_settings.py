"""Settings (docs/architecture.md, "Command line"): option > environment > settings file
> default, each shown with its source by `kttn config`; a typo in the settings file is
exit 78 with FILE:LINE:COL; long pages go through the pager only on a terminal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers import SMALL_PLAN, kttn, ok


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "kttn" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def test_the_settings_file_is_read_and_the_environment_and_options_win(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file.write_text(
        f'lang = "en"\nplan = "{SMALL_PLAN}"\nwarn_days = 30\n', encoding="utf-8"
    )
    out = ok(kttn("upcoming", "--as-of", "2024-06-05")).out
    assert out.startswith("Plan No. 02-KH/TEST"), out  # the file's language and plan
    assert "bc-6-thang" in out  # 24 days ahead: inside the file's 30-day window
    assert ok(kttn("status", "--as-of", "2024-06-05", "--lang", "vi")).out.startswith("Kế hoạch số")
    monkeypatch.setenv("KTTN_LANG", "vi")
    assert ok(kttn("status", "--as-of", "2024-06-05")).out.startswith("Kế hoạch số")


def test_config_shows_each_value_and_where_it_came_from(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file.write_text(
        'lang = "en"\n[smtp]\nhost = "mail.example.org"\nport = 587\n', encoding="utf-8"
    )
    monkeypatch.setenv("KTTN_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("KTTN_TODAY", "2024-07-01")
    out = ok(kttn("config", "--plan", str(SMALL_PLAN))).out
    assert f"plan = {SMALL_PLAN}  [command line (--plan)]" in out, out
    assert f"smtp_host = mail.example.org  [settings file ({settings_file}:3)]" in out, out
    assert f"lang = en  [settings file ({settings_file}:1)]" in out
    assert "today = 2024-07-01  [environment (KTTN_TODAY)]" in out
    assert "smtp_password = (set, not shown)" in out and "s3cret" not in out
    assert "smtp_user = —  [default]" in out


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('lang = "en"\nlagn = "vi"\n', ":2:1: lagn:"),
        ('warn_days = "seven"\n', ":1:1: warn_days:"),
        ("[smtp]\nport = 99999\n", ":2:1: smtp.port:"),
        ('lang = "en\n', ":1:"),
    ],
)
def test_a_typo_in_the_settings_file_is_exit_78_with_its_place(
    settings_file: Path, content: str, where: str
) -> None:
    settings_file.write_text(content, encoding="utf-8")
    result = kttn("status", "--as-of", "2024-07-01")
    assert result.code == 78, result
    assert f"{settings_file}{where}" in result.err, result.err


def test_the_password_is_never_taken_from_the_settings_file(settings_file: Path) -> None:
    settings_file.write_text('[smtp]\npassword = "x"\n', encoding="utf-8")
    result = kttn("config", "--lang", "en")
    assert result.code == 78 and "smtp.password" in result.err, result
    assert "did you mean 'password_file'?" in result.err, result.err  # where it goes


UNKNOWN = "unknown key (not part of the file format)"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("warndays = 5\n", f"warndays: {UNKNOWN}; did you mean 'warn_days'?"),
        ('[documents]\nsinger = "Nguyễn Văn A"\n', f"singer: {UNKNOWN}; did you mean 'signer'?"),
        ('[smtp]\nform = "vp@example.org"\n', f"smtp.form: {UNKNOWN}; did you mean 'from'?"),
        ('colour = "yes"\n', f"colour: {UNKNOWN}\n"),
    ],
)
def test_an_unknown_key_names_the_closest_one(settings_file: Path, content: str, said: str) -> None:
    settings_file.write_text(content, encoding="utf-8")
    result = kttn("config", "--lang", "en")
    assert result.code == 78, result
    assert said in result.err, result.err


def test_submit_without_a_date_means_today_in_vietnam() -> None:
    result = ok(kttn("submit", "bc-6-thang", "van-lam", "--plan", str(SMALL_PLAN), "--lang", "en"))
    assert "received" in result.out and "(today)" in result.out, result.out


# ── the pager ─────────────────────────────────────────────────────────────────────


@pytest.mark.process
def test_long_pages_go_through_the_pager_on_a_terminal_only(tmp_path: Path) -> None:
    import pexpect

    marker = tmp_path / "paged"
    env = {**os.environ, "KTTN_PAGER": f"cat > {marker}", "COLUMNS": "80", "LINES": "10"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "kttn_cli", "status", "--as-of", "2024-07-01"],
        env=env,
        dimensions=(10, 80),
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Kế hoạch số 01-KH/BCĐ" in marker.read_text(encoding="utf-8")
    marker.unlink()
    # --no-pager, and any run whose stdout is not a terminal, never pages.
    child = pexpect.spawn(
        sys.executable,
        ["-m", "kttn_cli", "status", "--no-pager", "--as-of", "2024-07-01"],
        env=env,
        dimensions=(10, 80),
        timeout=60,
    )
    child.expect(pexpect.EOF)
    assert not marker.exists()
    piped = ok(kttn("status", "--as-of", "2024-07-01"))
    assert "Kế hoạch số" in piped.out and not marker.exists()


@pytest.mark.parametrize("xdg", [True, False])
def test_the_fast_places_are_platformdirs_answers(
    xdg: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cli/places.py (paths that start before platformdirs is imported) gives the same
    folders as storage/paths.py, with and without the XDG variables."""
    from kttn_cli.cli import places
    from kttn_cli.storage import paths

    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        if xdg:
            monkeypatch.setenv(name, str(tmp_path / name.lower()))
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("KTTN_DATA_DIR", raising=False)
    env = dict(os.environ)
    assert places.cache_dir(env) == str(paths.user_cache_dir())
    assert places.data_dir(env) == str(paths.user_data_dir())
    assert places.config_dir(env) == str(paths.user_config_dir())


def test_config_shows_what_each_default_comes_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """A setting left to its default is shown with the value in force (the plan and
    ledger in use, the language, the SMTP port of the TLS mode…), still marked default."""
    from helpers import BUNDLED_PLAN

    monkeypatch.setenv("KTTN_SMTP_TLS", "ssl")
    shown = ok(kttn("config")).out
    assert f"plan = {BUNDLED_PLAN}  [mặc định]" in shown, shown
    assert "lang = vi  [mặc định]" in shown
    assert "smtp_port = 465  [mặc định]" in shown  # ssl's port
    assert "lock_timeout = 10  [mặc định]" in shown
    assert "warn_days = 7 (theo kế hoạch)  [mặc định]" in shown
    assert "smtp_host = —  [mặc định]" in shown  # no default server
