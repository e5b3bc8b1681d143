"""The state cache across versions of a ledger (docs/architecture.md, "Speed"): an entry
computed from the beginning of the ledger serves the next version with only the records
appended since; anything else that differs is read in full."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import SMALL_PLAN, kttn, ok
from kttn_cli.storage import journal, loader
from kttn_cli.storage.identity import identity

PLAN = ["--plan", str(SMALL_PLAN)]


def ledger() -> Path:
    [found] = Path(os.environ["KTTN_DATA_DIR"]).glob("*.ledger.toml")
    return found


def entry() -> Path:
    [found] = Path(os.environ["KTTN_DATA_DIR"]).glob(".*.state")
    return found


@pytest.fixture
def earlier_entry(tmp_path: Path) -> Path:
    """A ledger with two more records than its cached entry knows."""
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    kept = tmp_path / "earlier.state"
    shutil.copyfile(entry(), kept)
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-27", "--ref", "3-BC/HU", *PLAN))
    ok(kttn("extend", "tong-hop", "office", "--to", "2024-10-15", "--reason", "BTV", *PLAN))
    shutil.copyfile(kept, entry())  # as if the last writes had not cached their state yet
    return tmp_path


def full_read(tmp_path: Path) -> loader.State:
    for place in loader.entry_places(SMALL_PLAN, ledger(), tmp_path / "cache"):
        place.unlink(missing_ok=True)
    return loader.load(SMALL_PLAN, ledger(), tmp_path / "cache")


def test_an_entry_for_the_ledgers_beginning_serves_it_with_the_records_appended(
    earlier_entry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_full_read(*args: object) -> None:
        raise AssertionError("the ledger was read in full")

    with monkeypatch.context() as patched:
        patched.setattr(loader, "read_ledger", no_full_read)
        state = loader.load(SMALL_PLAN, ledger(), earlier_entry / "cache")
    assert state == full_read(earlier_entry)
    assert len(state.book.submissions) == 2 and state.book.extensions


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        # the beginning changed, its length kept: the first record's date edited by hand
        (lambda text: text.replace("on = 2024-06-25", "on = 2024-06-24", 1), None),
        # appended by hand, not in kttn's layout: a key of the last record (the extension)
        (lambda text: text + "after_submission = true\n", None),
        # appended in kttn's layout, but a record that points nowhere
        (
            lambda text: (
                text
                + '\n[[records]]\nid = "r9"\ntype = "submission"\n'
                + 'recorded_at = 2024-07-01T00:00:00Z\nrecorded_by = "x"\n'
                + 'milestone = "khong-co"\nunit = "van-lam"\non = 2024-06-28\n'
            ),
            "orphan_milestone",
        ),
        # appended in kttn's layout: a void of an id no record has (yet)
        (
            lambda text: (
                text
                + '\n[[records]]\nid = "r9"\ntype = "void"\n'
                + 'recorded_at = 2024-07-01T00:00:00Z\nrecorded_by = "x"\n'
                + 'target = "r10"\nreason = "nhầm"\n'
            ),
            "unknown_target",
        ),
        # appended in kttn's layout, text in decomposed Unicode (NFD): read as NFC
        (
            lambda text: (
                text
                + '\n[[records]]\nid = "r9"\ntype = "extension"\n'
                + 'recorded_at = 2024-07-01T00:00:00Z\nrecorded_by = "x"\n'
                + 'milestone = "giao-ban"\nunit = "office"\nto = 2024-12-20\n'
                + f'reason = "{unicodedata.normalize("NFD", "Thường trực đồng ý")}"\n'
            ),
            None,
        ),
        # a second record that is not its own table in kttn's layout
        (
            lambda text: (
                text
                + '\n[[records]]\nid = "r9"\ntype = "void"\n'
                + 'recorded_at = 2024-07-01T00:00:00Z\nrecorded_by = "x"\n'
                + 'target = "r1"\nreason = "x"\n'
                + '  [[ records ]]\nid = "r10"\ntype = "void"\n'
                + 'recorded_at = 2024-07-01T00:00:00Z\nrecorded_by = "x"\n'
                + 'target = "r2"\nreason = "x"\n'
            ),
            "ledger_layout",
        ),
        # appended in kttn's layout: an id already used
        (
            lambda text: (
                text
                + '\n[[records]]\nid = "r1"\ntype = "submission"\n'
                + 'recorded_at = 2024-07-01T00:00:00Z\nrecorded_by = "x"\n'
                + 'milestone = "bc-6-thang"\nunit = "van-giang"\non = 2024-06-28\n'
            ),
            "duplicate_id",
        ),
    ],
)
def test_anything_but_records_appended_in_kttns_layout_is_read_in_full(
    earlier_entry: Path, edit: object, problem: str | None
) -> None:
    path = ledger()
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    kept = earlier_entry / "earlier-again.state"
    shutil.copyfile(entry(), kept)
    state = loader.load(SMALL_PLAN, path, earlier_entry / "cache")
    shutil.copyfile(kept, entry())
    assert state == full_read(earlier_entry)
    codes = {p.code for p in state.problems}
    assert (problem in codes) if problem else not codes, codes


def test_a_write_leaves_its_state_for_the_next_command(tmp_path: Path) -> None:
    """After the lock is released the writer caches the new state: the next read finds
    an entry for exactly the ledger's bytes."""
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    header = json.loads(entry().read_bytes().split(b"\n", 1)[0])
    assert header["version"] == journal.version(identity(ledger()))
    assert header["size"] == len(ledger().read_bytes())


def test_appended_text_nested_too_deep_is_the_located_problem_of_a_full_read(
    earlier_entry: Path,
) -> None:
    from kttn_cli.errors import FileProblems

    path = ledger()
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\n[[records]]\nid = "r9"\nnote = ' + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(FileProblems) as raised:
        loader.load(SMALL_PLAN, path, earlier_entry / "cache")
    assert [p.code for p in raised.value.problems] == ["too_deep"]


# --- the journal of writes (storage/journal.py) -------------------------------------------


def journal_file() -> Path:
    return journal.place_of(entry())


def no_ledger_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the ledger's text (to parse it) fails the test."""

    def refuse(*args: object) -> None:
        raise AssertionError("the ledger's text was read")

    monkeypatch.setattr(loader, "check_ledger", refuse)
    monkeypatch.setattr(loader, "_appended", refuse)


def test_writes_leave_lines_that_the_next_read_follows_without_the_ledgers_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    first = entry().read_bytes()
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-27", "--ref", "3-BC/HU", *PLAN))
    ok(kttn("extend", "tong-hop", "office", "--to", "2024-10-15", "--reason", "BTV", *PLAN))
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-28", "--replace", *PLAN))
    assert entry().read_bytes() == first  # the writes after the first left lines instead
    assert len(journal_file().read_bytes().splitlines()) == 1 + 3  # the header, 3 lines
    with monkeypatch.context() as patched:
        no_ledger_text(patched)
        state = loader.load(SMALL_PLAN, ledger(), tmp_path / "cache", keep=False)
    assert state == full_read(tmp_path)
    assert len(state.book.submissions) == 2 and state.book.extensions


def test_a_write_catches_up_under_its_lock_with_what_others_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state a write reads before its lock, brought up to date under it with the
    lines of the writes that came in between."""
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    before = loader.load_versioned(SMALL_PLAN, ledger(), tmp_path / "cache", keep=False)
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-27", *PLAN))
    ok(kttn("extend", "tong-hop", "office", "--to", "2024-10-15", "--reason", "BTV", *PLAN))
    with monkeypatch.context() as patched:
        no_ledger_text(patched)
        now = loader.catch_up(before, SMALL_PLAN, ledger(), tmp_path / "cache")
    assert now.version == journal.version(identity(ledger()))
    assert now.state == full_read(tmp_path)


def cut_last_line(data: bytes) -> bytes:
    return data[: data.rstrip(b"\n").rfind(b"\n") + 20]


def resealed(change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """A damage to each line's records that keeps its checksum right (as a bug in a
    writer, or a careful hand, would)."""

    def damage(data: bytes) -> bytes:
        header, *lines = data.split(b"\n")
        out = [header]
        for line in lines:
            parts = line.split(b" ", 3)
            if len(parts) == 4:
                payload = change(parts[3])
                parts[2] = f"{zlib.crc32(payload):08x}".encode()
                parts[3] = payload
            out.append(b" ".join(parts))
        return b"\n".join(out)

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        cut_last_line,  # a writer killed while adding its line
        lambda data: data + b"0123456789abcdef fedcba9876543210 {not json\n",
        lambda data: data.replace(b'"base": "', b'"base": "another kttn ', 1),
        lambda data: data.replace(b'"$c":["Submission"', b'"$c":["Receipt"'),  # no such record
        lambda data: data.replace(b'{"$d":"2024-06-27"}', b'{"$d":"2024-06-17"}'),  # checksum
        resealed(lambda p: p.replace(b'{"$d":"2024-06-27"}', b'"2024-06-27"')),  # a text date
        resealed(lambda p: p.replace(b'"van-giang"', b'"van giang"')),  # a unit's id
        lambda data: data + b"\n".join(data.splitlines()[1:]) + b"\n",  # each version twice
        lambda data: b"",
    ],
    ids=[
        "a line cut short",
        "a line that is not JSON",
        "another kttn's journal",
        "a record of no known type",
        "a changed date",
        "a text for a date, checksum right",
        "an id with a space, checksum right",
        "each version twice",
        "empty",
    ],
)
def test_a_damaged_journal_makes_a_read_slower_never_wrong(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-27", *PLAN))
    ok(kttn("extend", "tong-hop", "office", "--to", "2024-10-15", "--reason", "BTV", *PLAN))
    kept = entry().read_bytes()
    original = journal_file().read_bytes()
    assert damage(original) != original
    journal_file().write_bytes(damage(original))
    state = loader.load(SMALL_PLAN, ledger(), tmp_path / "cache", keep=False)
    assert state == full_read(tmp_path)
    entry().write_bytes(kept)
    # The next write starts the journal again, and the read after it follows it.
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-29", "--replace", *PLAN))
    assert loader.load(SMALL_PLAN, ledger(), tmp_path / "cache", keep=False) == full_read(tmp_path)


def test_a_new_entry_is_written_once_the_journal_is_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "SNAPSHOT_AFTER", 3)
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    first = entry().read_bytes()
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-27", *PLAN))
    assert entry().read_bytes() == first
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-28", "--replace", *PLAN))
    header = json.loads(entry().read_bytes().split(b"\n", 1)[0])  # 1 + 2 records: a new one
    assert header["version"] == journal.version(identity(ledger()))


def test_a_write_that_started_before_a_newer_entry_leaves_it_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writers that start together read the same entry; once one of them has stored a
    newer entry, the others' catch-ups (as long as its) are not stored again."""
    monkeypatch.setattr(journal, "SNAPSHOT_AFTER", 2)
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    early = loader.load_versioned(SMALL_PLAN, ledger(), tmp_path / "cache", keep=False)
    ok(kttn("submit", "bc-6-thang", "van-giang", "--on", "2024-06-27", *PLAN))
    ok(kttn("extend", "tong-hop", "office", "--to", "2024-10-15", "--reason", "BTV", *PLAN))
    newer = entry().read_bytes()  # stored by the write that made the journal long
    assert json.loads(newer.split(b"\n", 1)[0])["version"] != early.since
    reads = iter([early])  # the late writer's read happened before those two writes
    real_read = loader.load_versioned
    monkeypatch.setattr(
        loader, "load_versioned", lambda *a, **k: next(reads, None) or real_read(*a, **k)
    )
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-28", "--replace", *PLAN))
    assert entry().read_bytes() == newer
    monkeypatch.setattr(loader, "load_versioned", real_read)
    assert loader.load(SMALL_PLAN, ledger(), tmp_path / "cache", keep=False) == full_read(tmp_path)


def test_an_entry_of_another_kttn_beside_the_ledger_is_not_a_newer_one(tmp_path: Path) -> None:
    """A command that could not start from the shared entry (another kttn or plan
    version wrote it) started from the user's own: its long catch-up replaces the
    shared entry, or every later write would replay the same journal again."""
    ok(kttn("submit", "bc-6-thang", "van-lam", "--on", "2024-06-25", *PLAN))
    loaded = loader.load_versioned(SMALL_PLAN, ledger(), tmp_path / "cache", keep=False)
    assert not loader.snapshot_taken(loaded, SMALL_PLAN, ledger(), tmp_path / "cache")
    first, rest = entry().read_bytes().split(b"\n", 1)
    header = json.loads(first)

    def rewrite(**changes: str) -> bool:
        entry().write_bytes(json.dumps(header | changes).encode() + b"\n" + rest)
        return loader.snapshot_taken(loaded, SMALL_PLAN, ledger(), tmp_path / "cache")

    assert rewrite(version="1-2-3-4-5")  # a newer entry of this kttn: taken
    assert not rewrite(version="1-2-3-4-5", base="another kttn")
