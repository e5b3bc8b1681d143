"""The same inputs give the same bytes: fixed timestamps inside the archives.

A .docx or .xlsx file is a zip archive. python-docx stamps each entry with the time it
saves; the document's own properties carry a created and a modified time. Both are set
from the as-of date here (not the clock), so a report can be golden-tested and two runs
diffed. xlsxwriter writes in-memory archives with the fixed 1980-01-01 stamp itself and
takes its created time as a property.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, time

# The zip format cannot hold a date before 1980.
_ZIP_EPOCH = date(1980, 1, 1)


def stamp(as_of: date) -> datetime:
    """The time written into a document made as of `as_of`: its midnight, UTC."""
    return datetime.combine(max(as_of, _ZIP_EPOCH), time(0), tzinfo=UTC)


def repack(data: bytes, when: datetime) -> bytes:
    """The archive with every entry stamped `when`, in the same order, deflated, with
    the same attributes whatever the platform."""
    stamp_tuple = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp_tuple)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # MS-DOS, as Word and Excel write it
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
