"""Machine formats of the obligation rows: JSON and CSV (DESIGN §4). Bytes in, bytes out.

No Rich here: cron and scripts take these paths, and they must start fast.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from kttn_cli.core.model import Plan
from kttn_cli.core.rows import ROW_KEYS, Row, document

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def json_bytes(plan: Plan, as_of: date, rows: Sequence[Row]) -> bytes:
    """The export/overdue JSON document: UTF-8, Vietnamese unescaped, stable key order."""
    doc = document(plan, as_of, list(rows))
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def csv_bytes(
    rows: Sequence[Row], *, raw: bool = False, excel: bool = False, delimiter: str = ","
) -> bytes:
    """CSV (RFC 4180 quoting) with the row keys as header.

    Text cells that a spreadsheet would run as a formula are prefixed with `'` unless
    `raw`; numbers and dates are never touched. `excel` adds the byte-order mark and the
    CRLF line ends that Excel needs to show Vietnamese.
    """
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=delimiter, lineterminator="\r\n" if excel else "\n",
        quoting=csv.QUOTE_MINIMAL,
    )
    writer.writerow(ROW_KEYS)
    for row in rows:
        writer.writerow(_cell(v, raw) for v in row.as_json().values())
    text = buffer.getvalue()
    return (("\ufeff" if excel else "") + text).encode("utf-8")


def _cell(value: Any, raw: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not raw and text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
