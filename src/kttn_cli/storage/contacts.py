"""The contacts file of `kttn remind`: unit id → one or more e-mail addresses (TOML).

```toml
van-lam = "vanphong@vanlam.example.vn"
yen-my = ["Văn phòng Huyện ủy Yên Mỹ <vanphong@yenmy.example.vn>", "vanthu@yenmy.example.vn"]
```

Read like the plan: every problem at once, each located (`FILE:LINE:COL`). What an
address is belongs to the mail package; it is passed in as `parse`, so storage does not
depend on mail (nor mail on storage).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

from kttn_cli.core.problems import Problem, in_file_order
from kttn_cli.errors import FileProblems
from kttn_cli.i18n import Nn_
from kttn_cli.storage.files import read_data_file
from kttn_cli.storage.toml_files import parse as parse_toml

T = TypeVar("T")


def load_contacts(
    path: Path, unit_ids: Collection[str], parse: Callable[[str], T | None]
) -> dict[str, tuple[T, ...]]:
    """The file's addresses by unit id, each parsed by `parse` (None: not an address).

    Exit 66 if the file is missing, 65 with every problem located if it is not valid:
    a key that is not a unit of the plan, a value that is not an address or a list of
    them, an address `parse` refuses.
    """
    parsed = parse_toml(path, read_data_file(path, "contacts"), "contacts")
    problems: list[Problem] = list(parsed.problems)
    contacts: dict[str, tuple[T, ...]] = {}
    for unit_id, value in (parsed.data or {}).items():
        if unit_id not in unit_ids:
            problems.append(parsed.problem("contacts_unknown_unit", (unit_id,), id=unit_id))
            continue
        values: list[Any] = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            problems.append(parsed.problem("contacts_not_address", (unit_id,)))
            continue
        found: list[T] = []
        for i, text in enumerate(values):
            address = parse(text)
            if address is None:
                where = (unit_id, i) if isinstance(value, list) else (unit_id,)
                problems.append(parsed.problem("contacts_bad_address", where, value=text))
            elif address not in found:
                found.append(address)
        contacts[unit_id] = tuple(found)
    if problems:
        raise FileProblems(
            in_file_order(problems),
            Nn_(
                "the contacts file has {count} problem, first: {first}",
                "the contacts file has {count} problems, first: {first}",
            ),
            count=len(problems),
        )
    return contacts
