"""Write (or check) the rules a write checks its new records against
(docs/architecture.md, "Data safety"): src/kttn_cli/schema/ledger_records.json, derived
from the ledger's file models by `kttn_cli.schema.ledger.record_rules`.

    python scripts/ledger_rules.py            # regenerate after changing a record model
    python scripts/ledger_rules.py --check    # exit 1 if the file is not up to date
"""

from __future__ import annotations

import json
import sys

from kttn_cli.schema.ledger import record_rules
from kttn_cli.storage.new_records import RULES_FILE


def rules_text() -> str:
    return json.dumps(record_rules(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = rules_text()
    if "--check" in argv:
        if RULES_FILE.read_text(encoding="utf-8") != text:
            print(f"{RULES_FILE.name} is not up to date: run python scripts/ledger_rules.py")
            return 1
        return 0
    RULES_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {RULES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
