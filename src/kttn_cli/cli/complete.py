"""Tab completion for bash, zsh and fish (docs/architecture.md, "The other ends").

`kttn --show-completion [SHELL]` prints a shell's script, `kttn --install-completion
[SHELL]` puts it where that shell looks (the shell: $SHELL unless named). On Tab the
script runs

    kttn __complete SHELL CWORD WORD...

WORDs are the command line's words, `kttn` first; CWORD is the index of the word under
the cursor (the number of words when the cursor starts a new one). The answer, on
stdout, UTF-8: a directive line, then one candidate a line, `VALUE<TAB>DESCRIPTION` (the
description may be missing). The directive is `FLAGS<TAB>FILE-PREFIX<TAB>LEAD`: FLAGS
is `-`, or comma-separated `files` (the shell adds file names completing FILE-PREFIX,
each after LEAD, e.g. `--output=`) and `fuzzy` (candidates that do not start with the
word typed: a unit found by its name). Exit status 0; nothing on stderr, ever: a Tab
must never print into the line being typed.

What the answer comes from:

- The command declarations (`cli.spec` REGISTRY: names, flags, which take a value,
  `choices`, `complete` kinds): the one grammar. Importing every command module costs
  several Tabs' budget, so the declarations are flattened to JSON in the user cache
  directory once per kttn version (`fingerprint.package_fingerprint`), on the first Tab
  or by --show/--install-completion, and read from there.
- The plan's ids: the id list that every command leaves in the cache directory
  (`storage.id_list`), for the plan the line names (--plan, else KTTN_PLAN, else the
  default plan, else the last plan used). No list yet: no ids, and no error.
- Registered plans (`storage.registry`'s plans.toml, read with tomllib) for --plan.

This module imports only the standard library at the top; a Tab loads no plan, no
pydantic, no Typer, no Rich.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from kttn_cli.cli.places import cache_dir, data_dir

# Not `from typing import TYPE_CHECKING`: a Tab does not import typing for annotations.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

SHELLS = ("bash", "zsh", "fish")
GRAMMAR_FILE = "completion-grammar.json"
GRAMMAR_FORMAT = 1
# The options `kttn` itself takes before a command (cli/entry.py answers them before any
# command is parsed, so no declaration holds them).
ROOT_FLAGS = ("--help", "--version", "--install-completion", "--show-completion")
DESCRIPTION_WIDTH = 60

Candidate = tuple[str, str]  # value, description


# --- the answer to a Tab -----------------------------------------------------------------


def answer(words: list[str], env: Mapping[str, str]) -> int:
    """`kttn __complete SHELL CWORD WORD...`: print the candidates; always exit 0."""
    try:
        text = respond(words, env)
    except Exception:  # a Tab never shows a traceback
        return 0
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8", "replace"))
        sys.stdout.buffer.flush()
    except (OSError, ValueError, AttributeError):
        pass
    return 0


def respond(words: list[str], env: Mapping[str, str]) -> str:
    """The text of the answer (see the module's docstring)."""
    if len(words) < 2 or words[0] not in SHELLS or not words[1].isdigit():
        return ""
    shell, cword, line = words[0], int(words[1]), list(words[2:])
    if not line:
        return ""
    strip = ""
    if shell == "bash":
        line, cword, strip = _join_equals(line, cword)
    cword = min(cword, len(line))
    found = Completer(line[:cword], line[cword] if cword < len(line) else "", env).run()
    flags = [name for name, on in (("files", found.files), ("fuzzy", found.fuzzy)) if on]
    file_prefix, lead = found.file_prefix, found.lead
    if strip or shell != "fish":
        lead = ""
    if shell == "bash" and strip:
        file_prefix = file_prefix.removeprefix(strip)
    out = [f"{','.join(flags) or '-'}\t{file_prefix}\t{lead}"]
    for value, description in found.candidates:
        if strip:
            value = value.removeprefix(strip)
        out.append(f"{value}\t{_clip(description)}" if description else value)
    return "\n".join(out) + "\n"


def _join_equals(words: list[str], cword: int) -> tuple[list[str], int, str]:
    """bash splits `--format=js` into `--format`, `=`, `js` (`=` is in COMP_WORDBREAKS);
    put them back together. Returns the words, the new index of the current word, and
    the text bash will not replace (`--format=`) when the current word was split."""
    out: list[str] = []
    where: dict[int, int] = {}  # index in `words` → index in `out`
    strip = ""
    index = 0
    while index < len(words):
        word = words[index]
        joins = out and out[-1].startswith("--") and "=" not in out[-1]
        if word == "=" and joins and cword != index - 1:  # not with the cursor on the flag
            span = [index - 1, index]
            if index + 1 < len(words) and cword != index:
                span.append(index + 1)  # the value typed after `=`
            out[-1] = out[-1] + "=" + (words[index + 1] if len(span) == 3 else "")
            for covered in span:
                where[covered] = len(out) - 1
            if cword in span:
                strip = out[-1][: out[-1].index("=") + 1]
            index = span[-1] + 1
            continue
        where[index] = len(out)
        out.append(word)
        index += 1
    return out, where.get(cword, len(out)), strip


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_WIDTH else text[: DESCRIPTION_WIDTH - 1] + "…"


class Found:
    def __init__(self) -> None:
        self.candidates: list[Candidate] = []
        self.files = False
        self.file_prefix = ""
        self.lead = ""
        self.fuzzy = False


class Completer:
    """Completes the word `current`, which follows the words `before` (`kttn` first)."""

    def __init__(self, before: list[str], current: str, env: Mapping[str, str]) -> None:
        self.before = before
        self.current = current
        self.env = env
        self.found = Found()
        self.grammar: dict[str, Any] = {}
        self.lang = "vi"
        self.plan_given: str | None = None  # --plan on the line

    def run(self) -> Found:
        self.grammar = grammar(self.env)
        self.lang = self._language()
        tokens = self.before[1:]
        while tokens[:1] == ["--debug"]:
            tokens = tokens[1:]
        top: list[str] = self.grammar["top"]
        if not tokens:
            if self.current.startswith("-"):
                self._offer([(f, self._text(f)) for f in ROOT_FLAGS])
            else:
                self._offer([(name, self._text(name)) for name in top])
            return self.found
        first, rest = tokens[0], tokens[1:]
        if first in ("--install-completion", "--show-completion"):
            if not rest:
                self._offer([(shell, "") for shell in SHELLS])
            return self.found
        if first not in top:
            return self.found
        path = first
        groups: dict[str, list[str]] = self.grammar["groups"]
        commands: dict[str, Any] = self.grammar["commands"]
        if first in groups:
            if not rest:
                children = [(c, self._text(f"{first} {c}")) for c in groups[first]]
                if first in commands and self.current.startswith("-"):
                    self._options(commands[first], [])
                elif not self.current.startswith("-"):
                    self._offer(children)
                return self.found
            if rest[0] in groups[first]:
                path, rest = f"{first} {rest[0]}", rest[1:]
        spec = commands.get(path)
        if spec is None:
            return self.found
        self._command(path, spec, rest)
        return self.found

    # --- one command's words ---------------------------------------------------------

    def _command(self, path: str, spec: dict[str, Any], rest: list[str]) -> None:
        options: list[dict[str, Any]] = spec["options"]
        by_flag = {flag: option for option in options for flag in option["flags"]}
        waiting: dict[str, Any] | None = None
        positional = 0
        ended = False
        used: list[str] = []
        for token in rest:
            if waiting is not None:
                self._note(waiting, token)
                waiting = None
                continue
            if not ended and token == "--":
                ended = True
                continue
            if not ended and token.startswith("-") and len(token) > 1:
                flag, equals, value = token.partition("=")
                option = by_flag.get(flag)
                if option is None:
                    continue
                used.append(option["name"])
                if option["value"]:
                    if equals:
                        self._note(option, value)
                    else:
                        waiting = option
                continue
            positional += 1
        current = self.current
        if waiting is not None:
            self._values(waiting, current)
            return
        if not ended and current.startswith("--") and "=" in current:
            flag, _, value = current.partition("=")
            option = by_flag.get(flag)
            if option is not None and option["value"]:
                self._values(option, value, lead=f"{flag}=")
            return
        if not ended and current.startswith("-"):
            self._options(spec, used, path)
            return
        args: list[dict[str, Any]] = spec["args"]
        if args and (positional < len(args) or args[-1]["list"]):
            self._values(args[min(positional, len(args) - 1)], current)
        elif not current and not ended:
            self._options(spec, used, path)

    def _note(self, option: dict[str, Any], value: str) -> None:
        """Remember what the line itself says: its plan, its language."""
        if option["complete"] == "plan":
            self.plan_given = value
        elif option["name"] == "lang" and value in ("vi", "en"):
            self.lang = value

    def _options(self, spec: dict[str, Any], used: list[str], path: str = "") -> None:
        offered: list[Candidate] = []
        for option in spec["options"]:
            if option["name"] in used and not option["list"]:
                continue
            for flag in option["flags"]:
                offered.append((flag, self._text(f"{path} {option['flags'][0]}")))
        offered += [(flag, self._text("--help")) for flag in self.grammar["help"]]
        # Short flags only once typed: `-` or nothing offers the long ones.
        short = self.current not in ("", "-")
        self._offer([c for c in offered if c[0].startswith("--") or short])

    # --- values ----------------------------------------------------------------------

    def _values(self, param: dict[str, Any], typed: str, lead: str = "") -> None:
        self.found.lead = lead
        choices: list[str] = param["choices"]
        if choices:
            head = ""
            if param["list"] and "," in typed:
                head, _, typed = typed.rpartition(",")
                head += ","
                given = set(head.split(","))
                choices = [c for c in choices if c not in given]
            self._offer([(lead + head + c, "") for c in choices], typed=lead + head + typed)
            return
        kind = param["complete"]
        if kind in ("file", "plan"):
            self.found.files = True
            self.found.file_prefix = typed
        if kind == "plan":
            self._offer(
                [(lead + ident, where) for ident, where in registered_plans(self.env)],
                typed=lead + typed,
            )
            return
        if kind in ("milestone", "unit", "assignee", "task", "any", "record"):
            self._ids(kind, typed, lead)

    def _ids(self, kind: str, typed: str, lead: str) -> None:
        entry = plan_ids(self.env, self.plan_given)
        if entry is None:
            return
        named: list[tuple[str, list[str]]] = []  # id, names
        if kind in ("task", "any"):
            named += [(i, [t]) for i, t in _pairs(entry.get("tasks"))]
        if kind in ("milestone", "any"):
            named += [(i, [t]) for i, t in _pairs(entry.get("milestones"))]
        if kind in ("unit", "assignee", "any"):
            for item in entry.get("units") or ():
                if isinstance(item, list) and item and all(isinstance(x, str) for x in item):
                    named.append((item[0], [x for x in item[1:] if x]))
        if kind == "assignee":
            named += [(i, [name]) for i, name in _pairs(entry.get("groups"))]
        if kind == "record":
            for item in entry.get("records") or ():
                if isinstance(item, list) and item and all(isinstance(x, str) for x in item):
                    named.append((item[0], [" ".join(x for x in item[1:] if x)]))
        quote = typed[:1] if typed[:1] in ("'", '"') else ""
        typed = typed[len(quote) :]
        exact = [(i, n) for i, n in named if i.startswith(typed)]
        if not exact:
            exact = [(i, n) for i, n in named if i.casefold().startswith(typed.casefold())]
        if exact:
            self._offer([(lead + i, n[0] if n else "") for i, n in exact], filtered=True)
            return
        key = _fold(typed.replace("-", " ").replace("_", " "))
        if not key:
            return
        by_name = [(i, n) for i, n in named if any(_starts_a_word(_fold(x), key) for x in n)]
        if by_name:
            self.found.fuzzy = True
            self._offer([(lead + i, n[0] if n else "") for i, n in by_name], filtered=True)

    # --- helpers ----------------------------------------------------------------------

    def _offer(
        self, candidates: list[Candidate], typed: str | None = None, filtered: bool = False
    ) -> None:
        prefix = self.current if typed is None else typed
        seen = {value for value, _ in self.found.candidates}
        for value, description in candidates:
            if value in seen or (not filtered and not value.startswith(prefix)):
                continue
            seen.add(value)
            self.found.candidates.append((value, description))

    def _text(self, key: str) -> str:
        texts: dict[str, dict[str, str]] = self.grammar.get("texts", {})
        return texts.get(self.lang, {}).get(key, "")

    def _language(self) -> str:
        for index, word in enumerate(self.before):
            if word == "--lang" and index + 1 < len(self.before):
                return self._known_lang(self.before[index + 1])
            if word.startswith("--lang="):
                return self._known_lang(word.partition("=")[2])
        return self._known_lang(self.env.get("KTTN_LANG", ""))

    @staticmethod
    def _known_lang(text: str) -> str:
        return "en" if text.strip().lower().startswith("en") else "vi"


def _pairs(items: Any) -> list[tuple[str, str]]:
    out = []
    for item in items or ():
        if isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
            out.append((item[0], item[1]))
    return out


def _fold(text: str) -> str:
    """`Huyện ủy Văn Lâm` → `huyen uy van lam` (as `core.text.fold`, without importing
    the core)."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def _starts_a_word(name: str, key: str) -> bool:
    """Whether `key` starts at a word of `name` (`lam`, `van l` in `huyen uy van lam`)."""
    return name.startswith(key) or f" {key}" in f" {name}"


# --- the grammar: the declarations, flattened -------------------------------------------


def grammar(env: Mapping[str, str]) -> dict[str, Any]:
    """The declarations as completion reads them: from the cache when this very kttn
    wrote it, else from the command modules (and then kept for the next Tab)."""
    import json

    from kttn_cli.fingerprint import package_fingerprint

    fingerprint = package_fingerprint()
    place = os.path.join(cache_dir(env), GRAMMAR_FILE)  # noqa: PTH118
    try:
        from kttn_cli.storage.cache_file import open_regular

        with open_regular(place) as handle:
            data = json.load(handle)
        if (
            isinstance(data, dict)
            and data.get("format") == GRAMMAR_FORMAT
            and data.get("fingerprint") == fingerprint
        ):
            return data
    except (OSError, ValueError):
        pass
    data = build_grammar()
    data["fingerprint"] = fingerprint
    _keep(place, data)
    return data


def build_grammar() -> dict[str, Any]:
    """Import every command module and flatten the declarations: names, flags, which
    take a value, choices and completion kinds, and the help texts in each language."""
    import importlib

    from kttn_cli import i18n
    from kttn_cli.cli import help as pages
    from kttn_cli.cli.commands import GROUPS, MODULES
    from kttn_cli.cli.spec import REGISTRY, Command, Param

    for module in dict.fromkeys(MODULES.values()):
        try:
            importlib.import_module(f"kttn_cli.cli.commands.{module}")
        except Exception:  # a broken module: complete the others
            continue

    def flat(param: Param) -> dict[str, Any]:
        return {
            "name": param.name,
            "flags": list(param.flags),
            "value": param.takes_value,
            "list": param.kind == "list",
            "choices": list(param.choices),
            "complete": param.complete,
        }

    commands: dict[str, Any] = {}
    specs: list[Command] = list(REGISTRY.values())
    for spec in specs:
        commands[spec.path] = {
            "options": [flat(p) for p in spec.params if p.is_option],
            "args": [flat(p) for p in spec.params if not p.is_option],
        }
    texts: dict[str, dict[str, str]] = {}
    before = i18n.language()
    try:
        for lang in i18n.LANGS:
            i18n.use(lang)
            _ = i18n._
            found = texts[lang] = {
                "--help": _("Show this page and exit."),
                "--version": _("Show the version and exit."),
                "--install-completion": _("Install Tab completion for your shell."),
                "--show-completion": _("Print the Tab completion script of a shell."),
            }
            for spec in specs:
                found[spec.path] = pages.summary(spec)
                for param in spec.params:
                    if param.is_option and param.help:
                        found[f"{spec.path} {param.flags[0]}"] = " ".join(_(param.help).split())
    finally:
        i18n.use(before)
    return {
        "format": GRAMMAR_FORMAT,
        "top": [name for name in MODULES if name in GROUPS or name in REGISTRY],
        "groups": {name: list(children) for name, children in GROUPS.items()},
        "commands": commands,
        "help": list(pages.HELP_FLAGS),
        "texts": texts,
    }


def _keep(name: str, data: dict[str, Any]) -> None:
    """Write a cache file; a failure only costs the next Tab the build."""
    import json

    from kttn_cli.storage.cache_file import write_cache_file

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_cache_file(name, text.encode("utf-8"))


# --- the plan's ids, and the registered plans ---------------------------------------------


def plan_ids(env: Mapping[str, str], given: str | None) -> dict[str, Any] | None:
    """The id list of the plan the line means: --plan, else KTTN_PLAN (a file, or the id
    of a registered plan), else the default plan, else the last plan used."""
    from kttn_cli.storage.id_list import file_in, read

    data = read(file_in(cache_dir(env)))
    if data is None:
        return None
    plans: dict[str, Any] = data["plans"]
    wanted = given if given is not None else env.get("KTTN_PLAN", "")
    if wanted:
        path = os.path.realpath(os.path.expanduser(wanted))  # noqa: PTH111
        if path in plans:
            return _entry(plans[path])
        registered = dict(registered_plans(env)).get(wanted)
        if registered is not None and os.path.realpath(registered) in plans:
            return _entry(plans[os.path.realpath(registered)])
        for entry in plans.values():
            if isinstance(entry, dict) and entry.get("id") == wanted:
                return _entry(entry)
        return None
    for key in (data.get("default"), data.get("last")):
        if isinstance(key, str) and key in plans:
            return _entry(plans[key])
    return None


def _entry(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def registered_plans(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(id, path) of the plans in the register, or nothing if it cannot be read."""
    import tomllib

    try:
        with open(os.path.join(data_dir(env), "plans.toml"), "rb") as handle:  # noqa: PTH118, PTH123
            data = tomllib.load(handle)
    except (OSError, ValueError):
        return []
    out = []
    for item in data.get("plans") or ():
        if isinstance(item, dict):
            ident, path = item.get("id"), item.get("path")
            if isinstance(ident, str) and isinstance(path, str):
                out.append((ident, path))
    return out


# --- the scripts, and installing them ----------------------------------------------------

BASH_SCRIPT = r"""# kttn Tab completion for bash.
# Installed by `kttn --install-completion bash`; or add to ~/.bashrc:
#     source <(kttn --show-completion bash)
# The candidates come from `kttn __complete` (see kttn_cli/cli/complete.py).
_kttn_complete() {
    local line directive= first=1
    local -a replies=()
    while IFS= read -r line; do
        if ((first)); then
            directive=$line
            first=0
        elif [[ -n $line ]]; then
            replies+=("${line%%$'\t'*}")
        fi
    done < <(kttn __complete bash "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null)
    COMPREPLY=("${replies[@]}")
    local flags=${directive%%$'\t'*}
    if [[ ,$flags, == *,files,* ]]; then
        local rest=${directive#*$'\t'}
        local prefix=${rest%%$'\t'*} path
        while IFS= read -r path; do
            [[ -n $path ]] && COMPREPLY+=("$path")
        done < <(compgen -f -- "$prefix")
        compopt -o filenames 2>/dev/null
    fi
    return 0
}
complete -F _kttn_complete kttn
"""

ZSH_SCRIPT = r"""#compdef kttn
# kttn Tab completion for zsh.
# Installed by `kttn --install-completion zsh` (a file in a directory of $fpath); or add
# to ~/.zshrc, after compinit:
#     source <(kttn --show-completion zsh)
# The candidates come from `kttn __complete` (see kttn_cli/cli/complete.py).
_kttn() {
    local -a lines values shown options
    local line directive flags value description described=0
    lines=("${(@f)$(kttn __complete zsh $((CURRENT - 1)) "${words[@]}" 2>/dev/null)}")
    (( ${#lines} )) || return 1
    directive=${lines[1]}
    flags=",${directive%%$'\t'*},"
    for line in "${(@)lines[2,-1]}"; do
        [[ -n $line ]] || continue
        value=${line%%$'\t'*}
        values+=("$value")
        if [[ $line == *$'\t'* ]]; then
            described=1
            shown+=("$value  -- ${line#*$'\t'}")
        else
            shown+=("$value")
        fi
    done
    [[ $flags == *,fuzzy,* ]] && options+=(-U)
    (( described )) && options+=(-l)
    if (( ${#values} )); then
        compadd "${options[@]}" -d shown -a values
        # Several units found by name: list them, keep what was typed.
        if [[ $flags == *,fuzzy,* ]] && (( ${#values} > 1 )); then
            compstate[insert]=''
            compstate[list]='list force'
        fi
    fi
    if [[ $flags == *,files,* ]]; then
        [[ $PREFIX == --*=* ]] && compset -P '*='
        _files
    fi
    return 0
}
if [ "$funcstack[1]" = "_kttn" ]; then
    _kttn "$@"
else
    compdef _kttn kttn
fi
"""

FISH_SCRIPT = r"""# kttn Tab completion for fish.
# Installed by `kttn --install-completion fish`; or run:
#     kttn --show-completion fish | source
# The candidates come from `kttn __complete` (see kttn_cli/cli/complete.py).
function __kttn_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l lines (kttn __complete fish (count $tokens) $tokens $current 2>/dev/null)
    test (count $lines) -gt 0; or return 0
    set -l directive (string split \t -- $lines[1])
    set -e lines[1]
    for line in $lines
        test -n "$line"; and printf '%s\n' $line
    end
    if contains files (string split , -- $directive[1])
        for path in (__fish_complete_path "$directive[2]")
            printf '%s%s\n' "$directive[3]" $path
        end
    end
end
complete -c kttn -f -a '(__kttn_complete)'
"""

SCRIPTS = {"bash": BASH_SCRIPT, "zsh": ZSH_SCRIPT, "fish": FISH_SCRIPT}


def script(shell: str) -> str:
    return SCRIPTS[shell]


def install_path(shell: str, env: Mapping[str, str]) -> Path:
    """Where each shell finds a completion without more configuration (zsh: once
    ~/.zfunc is in $fpath)."""
    from pathlib import Path

    home = Path(env.get("HOME") or Path.home())
    if shell == "bash":
        base = env.get("BASH_COMPLETION_USER_DIR", "").strip()
        if not base:
            data = env.get("XDG_DATA_HOME", "").strip() or str(home / ".local" / "share")
            base = str(Path(data) / "bash-completion")
        return Path(base) / "completions" / "kttn"
    if shell == "zsh":
        return home / ".zfunc" / "_kttn"
    config = env.get("XDG_CONFIG_HOME", "").strip() or str(home / ".config")
    return Path(config) / "fish" / "completions" / "kttn.fish"


def install(argv: list[str], env: Mapping[str, str]) -> int:
    """`kttn --show-completion [SHELL]` and `kttn --install-completion [SHELL]`."""
    from kttn_cli.errors import KttnError
    from kttn_cli.render.terminal import terminal

    try:
        flag, shell = _shell_argument(argv, env)
        if flag == "--show-completion":
            terminal().write(script(shell))
            grammar(env)  # the first Tab need not build it
            return 0
        path = install_path(shell, env)
        _write_script(path, script(shell))
        terminal().write(_installed_text(shell, path, env) + "\n")
        grammar(env)
        _warm_ids(env)
    except KttnError as exc:
        terminal().error(exc.text())
        return exc.exit_code
    return 0


def _shell_argument(argv: list[str], env: Mapping[str, str]) -> tuple[str, str]:
    from kttn_cli.errors import UsageError
    from kttn_cli.i18n import N_

    flag, rest = argv[0], []
    words = iter(argv[1:])
    for word in words:
        if word == "--lang":  # the language of the messages, read by cli/entry.py
            next(words, None)
        elif not word.startswith("--lang="):
            rest.append(word)
    if len(rest) > 1:
        raise UsageError(N_("{option} takes one shell: bash, zsh or fish"), option=flag)
    if rest:
        shell = rest[0].strip().lower()
        if shell not in SHELLS:
            raise UsageError(
                N_("unsupported shell {value!r} ({option}): use bash, zsh or fish"),
                value=rest[0],
                option=flag,
            )
        return flag, shell
    given = env.get("SHELL", "")
    shell = given.rpartition("/")[2]
    if shell not in SHELLS:
        raise UsageError(
            N_("cannot tell your shell from SHELL={value!r}; name it: kttn {option} bash|zsh|fish"),
            value=given,
            option=flag,
        )
    return flag, shell


def _write_script(path: Path, text: str) -> None:
    from kttn_cli.errors import CannotWrite, os_reason
    from kttn_cli.i18n import N_
    from kttn_cli.storage.atomic import replace_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotWrite(
            N_("cannot write {path}: {reason}"), path=path.parent, reason=os_reason(exc)
        ) from None
    replace_file(path, text.encode("utf-8"), mode=0o644)


def _installed_text(shell: str, path: Path, env: Mapping[str, str]) -> str:
    from kttn_cli.i18n import _

    lines = [_("Installed the {shell} completion: {path}").format(shell=shell, path=path)]
    if shell == "bash":
        lines.append(
            _(
                "New bash sessions load it through the bash-completion package. Without that "
                "package, add this line to ~/.bashrc: {line}"
            ).format(line=f"source {path}")
        )
    elif shell == "zsh":
        from pathlib import Path

        zshrc = Path(env.get("ZDOTDIR") or env.get("HOME") or "~") / ".zshrc"
        try:
            known = str(path.parent.name) in zshrc.read_text(encoding="utf-8", errors="replace")
        except OSError:
            known = False
        if known:
            lines.append(
                _("~/.zshrc already names {folder}: start a new zsh.").format(folder=path.parent)
            )
        else:
            lines.append(
                _("Add these lines to ~/.zshrc (before any other compinit), then start a new zsh:")
            )
            lines.append(f"    fpath=({path.parent} $fpath)")
            lines.append("    autoload -Uz compinit && compinit")
    else:
        lines.append(_("New fish sessions load it."))
    lines.append(
        _(
            "Tab offers the plan's ids (milestones, units, tasks) once kttn has read the "
            "plan; any command, e.g. `kttn status`, does that."
        )
    )
    return "\n".join(lines)


def _warm_ids(env: Mapping[str, str]) -> None:
    """Read the default plan once, so that the first Tab already knows its ids."""
    try:
        from kttn_cli.cli.session import Session

        Session.for_command(env, {}).state  # noqa: B018 - loading writes the id list
    except Exception:  # best effort: the next command writes it
        return
