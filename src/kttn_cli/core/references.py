"""Document numbers (số ký hiệu văn bản) in the two forms the plan's world uses."""

from __future__ import annotations

import re

# Party documents: number-type/issuer, e.g. 12-BC/HU, 01-KH/BCĐ, 998-QĐ/TU, 45-BC/ĐUK.
_PARTY = re.compile(r"\d{1,5}-[A-ZĐ]{1,6}/[A-ZĐ0-9][A-ZĐ0-9./-]*")
# State documents: number/type-issuer, e.g. 12/BC-UBND, 05/2024/NĐ-CP.
_STATE = re.compile(r"\d{1,5}(?:/\d{4})?/[A-ZĐ]{1,6}-[A-ZĐ0-9][A-ZĐ0-9-]*")


def reference_form_ok(reference: str) -> bool:
    """True when `reference` follows the Party or the State form (spaces ignored)."""
    compact = re.sub(r"\s+", "", reference)
    return bool(_PARTY.fullmatch(compact) or _STATE.fullmatch(compact))
