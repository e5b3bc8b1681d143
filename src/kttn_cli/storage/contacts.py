"""The contacts file of `kttn remind`: unit id → one or more e-mail addresses (TOML).

```toml
van-lam = "vanphong@vanlam.example.vn"
yen-my = ["bantochuc@yenmy.example.vn", "vanthu@yenmy.example.vn"]
```
"""

from __future__ import annotations

import re
from pathlib import Path

from kttn_cli.core.model import Plan
from kttn_cli.errors import DataError
from kttn_cli.i18n import Lang
from kttn_cli.storage.documents import Problem, parse_toml, read_raw

# An addr-spec kttn is willing to put in an envelope and a header: ASCII, no spaces,
# quotes, commas, angle brackets or control characters (nothing that could start a new
# header or a second address).
ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


def is_address(text: str) -> bool:
    """True for a plain `name@domain` address that is safe in headers and envelopes."""
    return ADDRESS.fullmatch(text) is not None


def load_contacts(path: Path, plan: Plan, lang: Lang) -> dict[str, tuple[str, ...]]:
    """The file's addresses by unit id; exit 66 if it is missing, 65 if it is invalid."""
    parsed = parse_toml(path, read_raw(path, "contacts"))
    problems: list[Problem] = list(parsed.problems)
    contacts: dict[str, tuple[str, ...]] = {}
    for unit_id, value in (parsed.data or {}).items():
        if not plan.has_unit(unit_id):
            problems.append(parsed.problem((unit_id,), "unknown_unit", id=unit_id))
            continue
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            problems.append(parsed.problem((unit_id,), "contacts_not_address"))
            continue
        addresses = []
        for i, address in enumerate(values):
            if not is_address(address.strip()):
                where = (unit_id, i) if isinstance(value, list) else (unit_id,)
                problems.append(parsed.problem(where, "contacts_bad_address", value=address))
            addresses.append(address.strip())
        contacts[unit_id] = tuple(dict.fromkeys(addresses))
    if problems:
        raise DataError("err.invalid_contacts", count=len(problems), first=problems[0].format(lang))
    return contacts
