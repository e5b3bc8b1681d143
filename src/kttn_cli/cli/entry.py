"""`kttn`: the entry point, and the short ways through it (docs/architecture.md, "Speed").

In order: `--version` answers at once; a completion request (`kttn __complete …`, sent
by the shell's Tab) is answered from the declarations and the cached id lists; a view
written to a pipe or a file whose inputs are all as they were is replayed; the
language is chosen (help pages and usage errors are in it); a command line of a shape
read before comes from the memo; anything else is read by Typer. Then the command runs inside the
error boundary (`cli.app`).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Mapping, Sequence

from kttn_cli import __version__

# Not `from typing import TYPE_CHECKING`: `--version` and a Tab do not import typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from kttn_cli.i18n import Lang

COMPLETE = "__complete"


def main() -> None:
    # Ctrl-C ends a reader at once, quietly (a shell sees 130): a traceback helps no one.
    # A write holds the signal from its commit point until it has said what it wrote
    # (cli.interrupts), so an interrupt never leaves a saved record unconfirmed. A
    # signal the parent ignores (a script's background job: `kttn remind &`) stays
    # ignored, as for any Unix program.
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    # A run is short and builds objects that reference counting frees (few cycles): the
    # collector's default, a pass every 700 new objects, walked the young objects some 30
    # times per write for nothing (~8 % of a warm submit's CPU; docs/architecture.md,
    # "Speed"). A pass every 50,000 keeps what cycles there are bounded.
    gc.set_threshold(50_000, 10, 10)
    code = run_argv(sys.argv[1:], os.environ)
    # What the run made is freed with the process: the interpreter's last collection
    # would walk every object for nothing (docs/architecture.md, "Speed").
    gc.freeze()
    sys.exit(code)


def run_argv(args: Sequence[str], env: Mapping[str, str]) -> int:
    argv = list(args)
    debug = False
    while argv[:1] == ["--debug"]:
        debug = True
        argv.pop(0)
    if argv == ["--version"]:
        sys.stdout.write(f"kttn {__version__}\n")
        return 0
    if argv[:1] == [COMPLETE]:
        from kttn_cli.cli.complete import answer

        return answer(argv[1:], env)
    from kttn_cli.cli.replay import replayed

    code = replayed(argv, env)
    if code is not None:
        return code
    from kttn_cli import i18n
    from kttn_cli.errors import KttnError
    from kttn_cli.render.terminal import terminal

    try:
        i18n.use(early_language(argv, env))
    except KttnError as exc:
        # A language kttn does not have was asked for: answer in the default one.
        i18n.use(i18n.DEFAULT_LANG)
        terminal().error(exc.text())
        return exc.exit_code
    if argv[:1] in (["--install-completion"], ["--show-completion"]):
        from kttn_cli.cli.complete import install

        return install(argv, env)
    from pathlib import Path

    from kttn_cli.cli import memo
    from kttn_cli.cli.places import cache_dir as cache_place
    from kttn_cli.fingerprint import package_fingerprint

    cache_dir = Path(cache_place(env))
    fingerprint = package_fingerprint()
    hit = memo.lookup(cache_dir, argv, fingerprint)
    if hit is None:
        from kttn_cli.cli.parser import HelpShown, parse

        try:
            parsed = parse(argv)
        except HelpShown as shown:
            if shown.text:
                terminal().write(shown.text)
            return 0
        except KttnError as exc:
            terminal().error(exc.text())
            return exc.exit_code
        from kttn_cli.cli.spec import REGISTRY

        hit = parsed.path, parsed.values
        memo.remember(cache_dir, argv, fingerprint, REGISTRY[parsed.path], parsed.values)
    from kttn_cli.cli.app import run

    return run(hit[0], hit[1], env, debug, argv)


def early_language(argv: list[str], env: Mapping[str, str]) -> Lang:
    """The language, known before the command line is parsed: `--lang` anywhere on it,
    else KTTN_LANG, else the settings file, else Vietnamese."""
    from kttn_cli import i18n
    from kttn_cli.errors import ConfigError, UsageError
    from kttn_cli.i18n import N_

    given = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            given = argv[index + 1]
        elif arg.startswith("--lang="):
            given = arg.partition("=")[2]
    if given is not None:
        lang = i18n.parse_lang(given)
        if lang is None:
            raise UsageError(
                N_("unsupported language {value!r} (--lang): use vi or en"), value=given
            )
        return lang
    text = env.get("KTTN_LANG", "")
    if text:
        lang = i18n.parse_lang(text)
        if lang is None:
            raise ConfigError(
                N_("invalid {name}={value!r}: use vi or en"), name="KTTN_LANG", value=text
            )
        return lang
    from kttn_cli.cli.settings import config_path

    path = config_path(env)
    if path.exists():
        from kttn_cli.cli.settings import read_file

        try:
            found = read_file(path).get("lang")
        except Exception:  # the command reports a bad settings file itself
            found = None
        if found is not None:
            return i18n.parse_lang(str(found[0])) or i18n.DEFAULT_LANG
    return i18n.DEFAULT_LANG


if __name__ == "__main__":
    main()
