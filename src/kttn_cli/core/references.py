"""Document numbers (số ký hiệu văn bản) in the two forms the plan's world uses."""

from __future__ import annotations

import re

# A document type or issuer abbreviation starts with a capital; a few carry lower-case
# letters by rule: TTr (tờ trình), CTr (chương trình), QĐi (Party quy định, HD 36-HD/VPTW),
# TTg (Thủ tướng, Decree 30/2020/NĐ-CP).
_TYPE = r"[A-ZĐ][A-Za-zĐđ]{0,5}"
_ISSUER = r"[A-ZĐ0-9][A-Za-zĐđ0-9.]*"
# Party documents: number-type/issuer, e.g. 12-BC/HU, 01-KH/BCĐ, 08-QĐi/TW, 45-BC/ĐUK.
_PARTY = re.compile(rf"[0-9]{{1,5}}-{_TYPE}/{_ISSUER}(?:[/-]{_ISSUER})*")
# State documents: number[/year]/type-issuer, e.g. 12/BC-UBND, 05/2024/NĐ-CP, 45/CĐ-TTg.
_STATE = re.compile(rf"[0-9]{{1,5}}(?:/[0-9]{{4}})?/{_TYPE}-{_ISSUER}(?:-{_ISSUER})*")
# Printed documents read "Số: 12-BC/HU"; the word is not part of the number.
_PREFIX = re.compile(r"^(?:số|so)\.?:?", re.IGNORECASE)


def reference_form_ok(reference: str) -> bool:
    """True when `reference` follows the Party or the State form (spaces ignored)."""
    compact = re.sub(r"\s+", "", reference)
    compact = _PREFIX.sub("", compact, count=1)
    return bool(_PARTY.fullmatch(compact) or _STATE.fullmatch(compact))
