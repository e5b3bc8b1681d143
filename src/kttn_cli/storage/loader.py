"""The one loader (beancount's `loader.load_file` shape): plan and ledger in, the state
and every problem out (docs/architecture.md, "Loading").

`load` runs the same steps for every command: read (regular files only), parse, check
the shape (pydantic), build core objects, check the meaning (`core.checks`), read the
ledger through the plan (`core.obligations.Book`). The result is cached per version of
both files (`storage.cache`). Problems are data: a plan that cannot be read stops every
command (exit 65); a ledger that cannot be read stops it too and is left as it is; a
ledger whose records point nowhere is read, and the problem travels with the state, so
views state it and writes refuse.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kttn_cli.core.ledger import Ledger
from kttn_cli.core.model import LedgerRecord, Plan
from kttn_cli.core.obligations import Book
from kttn_cli.core.problems import Problem, in_file_order
from kttn_cli.errors import FileProblems, MissingInput
from kttn_cli.fingerprint import package_fingerprint
from kttn_cli.i18n import N_, Nn_
from kttn_cli.storage import cache, journal
from kttn_cli.storage.files import read_data_file
from kttn_cli.storage.identity import identity

if TYPE_CHECKING:
    from kttn_cli.storage.toml_files import Parsed


@dataclass(frozen=True)
class State:
    """What a plan and a ledger come to, as of no date in particular."""

    plan: Plan  # the plan file's plan (ad-hoc tasks are in the book)
    book: Book
    problems: tuple[Problem, ...]  # located; blocking and not
    ledger_exists: bool

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]


def backup_path(ledger: Path) -> Path:
    """Where the previous version of the ledger is kept."""
    return ledger.with_name(ledger.name + ".bak")


# --- plan ---------------------------------------------------------------------------------


def check_plan(path: Path, raw: bytes) -> tuple[Plan | None, list[Problem]]:
    """The plan and its problems; None when a blocking problem leaves no usable plan."""
    from kttn_cli.core.checks import plan_problems
    from kttn_cli.storage.toml_files import parse, schema_problems

    parsed = parse(path, raw, "plan")
    if parsed.data is None:
        return None, parsed.problems
    from pydantic import ValidationError

    from kttn_cli.schema.plan import TAGS, PlanFile

    try:
        model = PlanFile.model_validate(parsed.data)
    except ValidationError as exc:
        return None, in_file_order(schema_problems(parsed, exc, TAGS, PlanFile))
    plan = model.to_core()
    problems = in_file_order([parsed.locate(p) for p in plan_problems(plan)])
    if any(p.blocking for p in problems):
        return None, problems
    return plan, problems


def invalid_plan(problems: list[Problem]) -> FileProblems:
    blocking = [p for p in problems if p.blocking]
    return FileProblems(
        blocking,
        Nn_(
            "the plan has {count} problem, first: {first} — run `kttn check` to see them all",
            "the plan has {count} problems, first: {first} — run `kttn check` to see them all",
        ),
        count=len(blocking),
    )


# --- ledger -------------------------------------------------------------------------------


def ledger_presence(path: Path) -> bool:
    """Whether the ledger exists. A missing ledger whose backup exists, or a link into a
    folder that is not there (a synced folder not mounted), is an error that says how to
    get it back, never a silent new ledger."""
    real = Path(os.path.realpath(path))
    linked = str(real) != os.path.abspath(path)  # a link on the way, at any level
    if linked and not real.parent.is_dir():
        raise MissingInput(
            N_(
                "the ledger {path} is a link to {target}, which does not exist (a folder that "
                "is not mounted?); nothing was read or written"
            ),
            path=path,
            target=real,
        )
    if real.exists():
        return True
    backup = backup_path(real)
    if backup.exists():
        raise MissingInput(
            N_(
                "the ledger {path} is missing but its backup {backup} is there: restore it "
                "with `kttn restore` (or move the backup away to start a new ledger)"
            ),
            path=path,
            backup=backup,
        )
    return False


def check_ledger(
    path: Path, raw: bytes, plan_id: str
) -> tuple[list[LedgerRecord] | None, Parsed, list[Problem]]:
    """The ledger's records, or the problems that make it unreadable (the file itself is
    never changed). Problems of meaning come later, from the `Book`."""
    from kttn_cli.storage.toml_files import parse, schema_problems

    parsed = parse(path, raw, "ledger")
    if parsed.data is None:
        return None, parsed, parsed.problems
    if not raw.strip():
        # An existing empty file is a damaged ledger (a truncated write), not a new one.
        return None, parsed, [parsed.problem("empty_ledger", ())]
    from pydantic import ValidationError

    from kttn_cli.schema.ledger import TAGS, LedgerFile

    try:
        model = LedgerFile.model_validate(parsed.data)
    except ValidationError as exc:
        problems = schema_problems(parsed, exc, frozenset(TAGS.values()), LedgerFile)
        return None, parsed, in_file_order(problems)
    if model.plan != plan_id:
        wrong = parsed.problem("wrong_plan", ("plan",), found=model.plan, expected=plan_id)
        return None, parsed, [wrong]
    with cache.paused_gc():
        records = [r.to_core() for r in model.records]
    return records, parsed, []


RECORD_HEADER = b"[[records]]"


def record_count(data: bytes) -> int:
    """How many records a ledger in kttn's layout holds, without parsing it."""
    return data.count(b"\n" + RECORD_HEADER) + (1 if data.startswith(RECORD_HEADER) else 0)


def layout_problems(raw: bytes, parsed: Parsed, count: int) -> list[Problem]:
    """A write appends `[[records]]` tables to the file's bytes: that needs every record
    to be one such table (not an inline array, not even an empty `records = []`)."""
    data = parsed.data if isinstance(parsed.data, dict) else {}
    if record_count(raw) == count and (count or "records" not in data):
        return []
    return [parsed.locate(Problem("ledger_layout", "ledger", ("records",)))]


def read_book(
    path: Path, plan: Plan, raw: bytes
) -> tuple[list[LedgerRecord] | None, Book | None, list[Problem]]:
    """A ledger's records and book, with every problem a full read finds (located, in
    file order); records and book are None for a ledger that cannot be read. The one
    home of these steps: `load` and `kttn check` both use it."""
    records, parsed, problems = check_ledger(path, raw, plan.info.id)
    if records is None:
        return None, None, problems
    with cache.paused_gc():
        book = Book.read(plan, records)
    found = [parsed.locate(p) for p in book.ledger_problems()]
    return records, book, [*layout_problems(raw, parsed, len(records)), *in_file_order(found)]


def unreadable_ledger(path: Path, problems: list[Problem]) -> FileProblems:
    return FileProblems(
        problems,
        Nn_(
            "the ledger has {count} problem, first: {first} — the file was left as it is; "
            "run `kttn check` to see them all, `kttn restore` to go back to {backup}",
            "the ledger has {count} problems, first: {first} — the file was left as it is; "
            "run `kttn check` to see them all, `kttn restore` to go back to {backup}",
        ),
        count=len(problems),
        backup=backup_path(path),
    )


def read_ledger(path: Path, plan: Plan, raw: bytes | None = None) -> tuple[Ledger, Parsed | None]:
    """Every record of the ledger (exit 65 if it cannot be read); an absent ledger is
    empty. The parsed text locates later problems. `raw`: the file's bytes, if read."""
    if raw is None:
        if not ledger_presence(path):
            return Ledger(()), None
        raw = read_data_file(path, "ledger")
    records, parsed, problems = check_ledger(path, raw, plan.info.id)
    if records is None:
        raise unreadable_ledger(path, problems)
    return Ledger(tuple(records)), parsed


# --- the state, cached --------------------------------------------------------------------


def _base(plan_path: Path, ledger_path: Path) -> str:
    """What an entry's ledger must share with the current one to be its beginning: this
    kttn, this version of the plan, this ledger file."""
    parts = [
        package_fingerprint(),
        os.path.realpath(plan_path),
        repr(identity(plan_path)),
        os.path.realpath(ledger_path),
    ]
    return "\0".join(parts)


def _key_of(base: str, ident: tuple[int, ...] | None) -> str:
    return base + "\0" + repr(ident)


def _digest(data: bytes) -> str:
    import hashlib  # only where an entry is written or a ledger's text compared with one

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def entry_places(plan_path: Path, ledger_path: Path, cache_dir: Path) -> list[Path]:
    """Where a state entry may be: beside the ledger, shared by everyone who reads it (a
    write by one clerk leaves the next reader warm), then the user's own cache."""
    plan_tag = f"{zlib.crc32(os.path.realpath(plan_path).encode()):08x}"
    both = f"{os.path.realpath(plan_path)}\0{os.path.realpath(ledger_path)}"
    mine = cache_dir / f"state-{zlib.crc32(both.encode()):08x}.json"
    real = Path(os.path.realpath(ledger_path))
    if real.exists():
        return [real.with_name(f".{real.name}.{plan_tag}.state"), mine]
    return [mine]


def plan_entry(plan_path: Path, cache_dir: Path) -> tuple[Path, str]:
    """Where the plan alone is cached, and the key of its current version."""
    real = os.path.realpath(plan_path)
    key = "\0".join([package_fingerprint(), real, repr(identity(plan_path))])
    return cache_dir / f"plan-{zlib.crc32(real.encode()):08x}.json", key


def load_plan(plan_path: Path, cache_dir: Path) -> tuple[Plan, list[Problem]]:
    """The plan and its (non-blocking) problems, from the cache when the file is the
    version it was computed from; exit 65 when it has a blocking problem."""
    place, key = plan_entry(plan_path, cache_dir)
    found = cache.read_entry(place, key)
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], Plan):
        return found[0], list(found[1])
    plan_raw = read_data_file(plan_path, "plan")
    plan, problems = check_plan(plan_path, plan_raw)
    if plan is None:
        raise invalid_plan(problems)
    cache.write_entry(place, key, (plan, tuple(problems)))
    return plan, problems


def plan_identity(plan_path: Path, cache_dir: Path) -> str:
    """The plan's id (which names its default ledger)."""
    return load_plan(plan_path, cache_dir)[0].info.id


@dataclass(frozen=True)
class Loaded:
    """A state; what it was computed from: this kttn and this version of the plan
    (`base`), and the version of the ledger (`journal.version`; None when a write may
    have replaced the file while it was read); and how many records it took from the
    journal since the entry it started from (None: computed from the file, not from an
    entry), and that entry's version (`since`)."""

    state: State
    base: str
    version: str | None
    behind: int | None
    since: str | None = None


def load(plan_path: Path, ledger_path: Path, cache_dir: Path, *, keep: bool = True) -> State:
    """The state of this plan and ledger: from the cache when both files are the
    versions it was computed from; else, when an entry was computed from an earlier
    version of this very ledger, that entry and the records appended since (from the
    journal of writes, else from the ledger's text); else read and checked in full. The
    state is cached for the next command unless `keep` is false."""
    return load_versioned(plan_path, ledger_path, cache_dir, keep=keep).state


def load_versioned(
    plan_path: Path, ledger_path: Path, cache_dir: Path, *, keep: bool = True
) -> Loaded:
    """`load`, saying which version of the ledger the state is for (what a write needs
    to catch up under its lock, `catch_up`)."""
    exists = ledger_presence(ledger_path)
    ident = identity(ledger_path)
    base = _base(plan_path, ledger_path)
    key = _key_of(base, ident)
    places = entry_places(plan_path, ledger_path, cache_dir)
    earlier: tuple[dict[str, object], State] | None = None
    for place in places:
        found = cache.read_entry_where(place, lambda header: header.get("base") == base)
        if found is None or not isinstance(found[1], State):
            continue
        if found[0].get("key") == key:
            now = journal.version(ident)
            return Loaded(found[1], base, now, 0, now)
        earlier = earlier or found
    if earlier is not None and exists:
        start = earlier[0].get("version")
        records = _journaled(earlier[1], places[0], base, start, journal.version(ident))
        if records is not None:
            state = _with(earlier[1], records)
            if state is not None:
                count, since = len(records), start if isinstance(start, str) else None
                now = journal.version(ident)
                if keep and count >= journal.SNAPSHOT_AFTER:
                    text = read_data_file(ledger_path, "ledger")
                    if identity(ledger_path) == ident:
                        store(state, base, plan_path, ledger_path, cache_dir, ident, text)
                        count, since = 0, now
                return Loaded(state, base, now, count, since)
            earlier = None  # its book holds some of the records now: a full read
    plan, problems = load_plan(plan_path, cache_dir)
    raw = read_data_file(ledger_path, "ledger") if exists else None
    state = (
        _appended(earlier, raw, ledger_path) if earlier is not None and raw is not None else None
    )
    if state is None:
        book = Book()
        if raw is not None:
            records, read, found = read_book(ledger_path, plan, raw)
            if records is None or read is None:
                raise unreadable_ledger(ledger_path, found)
            book = read
            problems += found
        state = State(plan, book, tuple(problems), exists)
    # A write may have replaced the file while this read went on: then the state read is
    # not the key's version, and the entry that write left must not be overwritten.
    unchanged = identity(ledger_path) == ident
    if keep and unchanged:
        store(state, base, plan_path, ledger_path, cache_dir, ident, raw)
    return Loaded(state, base, journal.version(ident) if unchanged else None, None)


def _journaled(
    state: State, entry: Path, base: str, start: object, end: str | None
) -> list[LedgerRecord] | None:
    """The records the journal says were written from the entry's version `start` to
    the current version `end`; None when the journal does not lead there, or when the
    entry's ledger has problems (new records may resolve them: only a full read says
    which remain)."""
    if not isinstance(start, str) or end is None:
        return None
    if any(p.source == "ledger" for p in state.problems):
        return None
    return journal.follow(journal.place_of(entry), base, start, end)


def _with(state: State, records: list[LedgerRecord]) -> State | None:
    """`state` with records from the journal applied to its book; None if they bring a
    problem (then the book holds some of them, and must not be used)."""
    if records and state.book.add(state.plan, records):
        return None
    return State(state.plan, state.book, state.problems, True)


def catch_up(before: Loaded, plan_path: Path, ledger: Path, cache_dir: Path) -> Loaded:
    """Under a write's lock: the state of the ledger as it is now, from `before` (loaded
    before the lock was taken) and the journal's lines since, else read again (also when
    the plan changed while the write waited)."""
    base = _base(plan_path, ledger)
    ident = identity(ledger)
    now = journal.version(ident)
    if base != before.base:
        return load_versioned(plan_path, ledger, cache_dir, keep=False)
    if before.version is not None and before.version == now:
        return before
    entry = entry_places(plan_path, ledger, cache_dir)[0]
    records = _journaled(before.state, entry, base, before.version, now)
    state = _with(before.state, records) if records is not None else None
    if state is None or records is None:
        return load_versioned(plan_path, ledger, cache_dir, keep=False)
    behind = None if before.behind is None else before.behind + len(records)
    return Loaded(state, base, now, behind, before.since)


def _appended(earlier: tuple[dict[str, object], State], raw: bytes, path: Path) -> State | None:
    """The state of a ledger that is an earlier entry's ledger with records appended in
    kttn's layout (the ledger is append-only, so old state + new records is exact), or
    None when it is not: then the caller reads it in full. Appended records go through
    what a full read does to every record — parsing (NFC, the depth guard), their file
    model, one `[[records]]` table each, `Book.add` — and any problem means a full read,
    which locates it."""
    header, state = earlier
    size, digest = header.get("size"), header.get("digest")
    if not isinstance(size, int) or not 0 < size <= len(raw) or _digest(raw[:size]) != digest:
        return None
    if any(p.source == "ledger" for p in state.problems):
        return None  # new records may resolve them: only a full read says which remain
    tail = raw[size:]
    if not tail:
        return state  # the same bytes (the file was copied or touched)
    if not tail.startswith(b"\n[[records]]\n"):
        return None
    from pydantic import ValidationError

    from kttn_cli.schema.ledger import LedgerFile
    from kttn_cli.storage.toml_files import parse

    parsed = parse(path, tail, "ledger")
    if parsed.data is None or parsed.problems:
        return None
    try:
        model = LedgerFile.model_validate(
            {"schema_version": 1, "plan": state.plan.info.id, **parsed.data}
        )
    except (ValidationError, TypeError):
        return None
    if record_count(tail) != len(model.records):
        return None  # not one [[records]] table each (`layout_problems`)
    new = [record.to_core() for record in model.records]
    if state.book.add(state.plan, new):
        return None
    return State(state.plan, state.book, state.problems, True)


def store(
    state: State,
    base: str,
    plan_path: Path,
    ledger_path: Path,
    cache_dir: Path,
    ident: tuple[int, ...] | None,
    raw: bytes | None = None,
) -> None:
    """Keep the state of the ledger's version `ident`, computed from `base` (this kttn
    and plan, `Loaded.base`), beside the ledger if that directory takes it (with the
    ledger's read permissions), else in the user's cache. `raw`: the ledger's bytes the
    state was computed from, so that a later version of the ledger can start from it."""
    places = entry_places(plan_path, ledger_path, cache_dir)
    mode = _shared_mode(ledger_path) if len(places) == 2 else 0o600
    about: dict[str, object] = {"base": base, "version": journal.version(ident)}
    if raw is not None:
        about |= {"size": len(raw), "digest": _digest(raw)}
    key = _key_of(base, ident)
    for place in places:
        if cache.write_entry(
            place, key, state, mode=mode if place is places[0] else 0o600, about=about
        ):
            return


def snapshot_taken(loaded: Loaded, plan_path: Path, ledger: Path, cache_dir: Path) -> bool:
    """Whether the shared state entry is no longer the one `loaded` started from: another
    command stored a newer one since, and the records `loaded` counts as behind are
    mostly in it (writers that started together would otherwise each store the same
    long catch-up, docs/architecture.md, "Speed")."""
    if loaded.since is None:
        return False
    header = cache.header_of(entry_places(plan_path, ledger, cache_dir)[0])
    # An entry of another kttn or plan version is not one this command could start from
    # (it read the user's own entry instead): that one is overwritten, as before.
    return (
        header is not None
        and header.get("base") == loaded.base
        and header.get("version") != loaded.since
    )


def journal_write(
    loaded: Loaded,
    plan_path: Path,
    ledger: Path,
    cache_dir: Path,
    after: tuple[int, ...] | None,
    records: list[LedgerRecord],
) -> bool:
    """Under a write's lock, right after its commit: the journal line from the version
    the write started from (`loaded`) to the new one, beside the ledger's shared state
    entry."""
    made = journal.version(after)
    places = entry_places(plan_path, ledger, cache_dir)
    if loaded.version is None or made is None or len(places) < 2:
        return False
    path = journal.place_of(places[0])
    return journal.add(path, loaded.base, loaded.version, made, records, _shared_mode(ledger))


def _shared_mode(ledger: Path) -> int:
    """The permissions of what kttn keeps beside a ledger: readable by who reads it."""
    try:
        return os.stat(ledger).st_mode & 0o644
    except OSError:
        return 0o600
