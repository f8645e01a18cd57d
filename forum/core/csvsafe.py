"""CSV that a spreadsheet cannot run, streamed row by row: every export goes through here.

Every cell that a spreadsheet could take for a formula — starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return — gets a leading apostrophe. Times are written in UTC as
ISO 8601 (``2026-12-04T09:30:00Z``), whatever the reader's zone, and the columns that hold
them say so in their names (``created_at_utc``).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flask import Response, stream_with_context

from forum.core.time import as_utc

FORMULA_STARTS = frozenset("=+-@\t\r")
CHUNK = 500


def neutralise(value) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet could run it."""
    if value.__class__ is str:  # most cells: the quick way first
        return "'" + value if value[:1] in FORMULA_STARTS else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not UTC:
            value = as_utc(value)
        return value.isoformat(timespec="seconds")[:19] + "Z"
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """CSV text in chunks of ``CHUNK`` rows (the header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for i, row in enumerate(rows, start=1):
        writer.writerow([neutralise(v) for v in row])
        if i % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def download(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    """A streamed CSV response saved as ``filename`` (the rows are read while it is sent)."""
    response = Response(stream_with_context(stream(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
