"""What a CRM import reports: its counts, its rejected rows and the rejected-rows CSV."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from forum.core.csvsafe import neutralise
from forum.crm.models import CrmRejection
from forum.extensions import db

KEPT_NOTES = 50  # "updated" notes kept in the summary (the counts are always complete)
REPORT_HEADER = ["file", "row", "column", "reason"]


class ImportError_(Exception):
    """A file this import cannot read at all (no header, required columns missing)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=self.rejected,
        )


@dataclass
class Rejection:
    file: str
    row: int
    column: str
    reason: str


class RowRejected(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


@dataclass
class Progress:
    """What one batch did: how many rows it read (for a progress bar)."""

    file: str
    rows: int


@dataclass
class Summary:
    files: dict[str, Tally] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unmapped: dict[str, set[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "files": {k: t.as_dict() for k, t in self.files.items()},
            "formats": self.formats,
            "notes": self.notes[:KEPT_NOTES],
            "unmapped": {k: sorted(v) for k, v in self.unmapped.items()},
        }


def rejected_rows(run_id: int) -> Iterator[list]:
    """The rejected-rows report of a run, row by row (for ``csvsafe.download``)."""
    query = (
        sa.select(CrmRejection.file, CrmRejection.row, CrmRejection.column, CrmRejection.reason)
        .where(CrmRejection.import_id == run_id)
        .order_by(CrmRejection.file, CrmRejection.row, CrmRejection.id)
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(query):
        yield list(row)


def report_writer(stream: io.TextIOBase) -> Callable[[Rejection], None]:
    """A rejected-rows report written to ``stream`` as CSV, row by row, formula-safe."""
    writer = csv.writer(stream)
    writer.writerow(REPORT_HEADER)

    def write(r: Rejection) -> None:
        writer.writerow([neutralise(v) for v in (r.file, r.row, r.column, r.reason)])

    return write
