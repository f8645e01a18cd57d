"""The CRM import: accounts and opportunities become accounts and win/loss records.

Idempotent by CRM id: a row that matches what is stored changes nothing, a changed row updates
its account or report in place (and the summary says which fields), a new one is created. The
body and title of a report are never touched once it exists: they are the rep's words.

The file is streamed in batches of ``batch_size`` rows, each written in a handful of bulk
statements (``forum.crm.account_rows``, ``forum.crm.deal_rows``). ``Importer.batches`` writes
each batch and yields; the caller commits after each yield (or, for a dry run, rolls back at
the end), so a failure never leaves half a batch. Services never commit.
"""

from collections.abc import Callable, Iterator
from typing import BinaryIO

from forum.auth.models import User
from forum.core import audit
from forum.core.money import check_currency
from forum.core.rates import reporting_currency
from forum.core.time import utcnow
from forum.crm import mappings
from forum.crm.account_rows import import_accounts
from forum.crm.context import Context
from forum.crm.deal_rows import import_deals
from forum.crm.models import CrmImport, CrmTermName
from forum.crm.reader import Export
from forum.crm.results import ImportError_, Progress, Rejection, RowRejected, Summary, Tally
from forum.crm.values import is_formula
from forum.extensions import db
from forum.taxonomy.models import TaxonomyTerm

BATCH = 500
LIMITS = {"crm_id": 64, "account_crm_id": 64, "name": 120, "owner_email": 254}


class Importer:
    """One import run. ``batches(accounts, opportunities)`` does the work batch by batch."""

    def __init__(
        self,
        *,
        actor: User | None = None,
        source: str = "command line",
        dry_run: bool = False,
        default_currency: str | None = None,
        day_first: bool = False,
        batch_size: int = BATCH,
        on_reject: Callable[[Rejection], None] | None = None,
    ):
        self.actor, self.source, self.dry_run = actor, source, dry_run
        self.default_currency = check_currency(default_currency or reporting_currency())
        self.day_first, self.batch_size = day_first, max(1, batch_size)
        self.on_reject = on_reject
        self.summary = Summary()
        self.run_id: int | None = None

    # -- the run --------------------------------------------------------------------------

    def batches(
        self,
        accounts: BinaryIO | None,
        opportunities: BinaryIO | None = None,
        *,
        names: tuple[str, str] = ("", ""),
    ) -> Iterator[Progress]:
        """Import ``accounts`` then ``opportunities`` (either may be None); yields after each
        written batch. Raises ``ImportError_`` for a file that cannot be read at all."""
        exports = []
        if accounts is not None:
            exports.append(("accounts", Export(accounts), mappings.ACCOUNTS))
        if opportunities is not None:
            exports.append(("opportunities", Export(opportunities), mappings.OPPORTUNITIES))
        resolved = [
            (kind, export, *self._columns(kind, export, layout)) for kind, export, layout in exports
        ]
        run = CrmImport(
            actor_id=getattr(self.actor, "id", None),
            source=self.source,
            files=", ".join(n for n in names if n)[:300],
        )
        db.session.add(run)
        db.session.flush()
        self.run_id = run.id
        self.context = Context(
            run_id=run.id,
            summary=self.summary,
            default_currency=self.default_currency,
            day_first=self.day_first,
            on_reject=self.on_reject,
        )
        for kind, export, columns, fmt in resolved:
            self.summary.formats[kind] = fmt
            tally = self.summary.files.setdefault(kind, Tally())
            seen: dict[str, int] = {}
            handle = import_accounts if kind == "accounts" else import_deals
            for batch in _chunks(export.records(), self.batch_size):
                handle(self.context, self._parse_batch(batch, columns, seen, tally, kind), tally)
                yield self._done(kind, batch)
        self.finish()

    def _done(self, kind: str, batch: list) -> Progress:
        self.context.flush_batch()
        self._save_run()
        db.session.flush()
        return Progress(kind, len(batch))

    def _save_run(self) -> None:
        run = db.session.get(CrmImport, self.run_id)
        run.summary = self.summary.as_dict()
        run.formats = ", ".join(f"{k}: {v}" for k, v in self.summary.formats.items())[:60]

    def finish(self) -> None:
        run = db.session.get(CrmImport, self.run_id)
        self._save_run()
        run.finished_at = utcnow()
        audit.record(
            "crm.import",
            actor=self.actor,
            target=run,
            dry_run=self.dry_run,
            **{k: t.as_dict() for k, t in self.summary.files.items()},
        )
        db.session.flush()

    def _columns(self, kind: str, export: Export, layout: mappings.Layout):
        if not any(export.header):
            raise ImportError_(f"The {kind} file is empty: it has no header row.")
        columns, fmt = layout.resolve(export.header)
        missing = [f for f in layout.required if f not in columns]
        if kind == "opportunities" and "outcome" not in columns and "stage" not in columns:
            missing.append("outcome or stage")
        if missing:
            raise ImportError_(
                f"The {kind} file lacks required columns: {', '.join(missing)}. "
                f"Its header reads: {', '.join(h[:40] for h in export.header[:20])}."
            )
        return columns, fmt

    def _cells(self, record, columns: dict[str, int], kind: str) -> dict[str, str]:
        """The record's cells by field; raises RowRejected for a formula or an over-long cell."""
        if record.problem:
            raise RowRejected("", record.problem)
        out = {}
        for name, index in columns.items():
            cell = record.cells[index].strip() if index < len(record.cells) else ""
            if is_formula(cell):
                raise RowRejected(name, "a spreadsheet formula, not a value.")
            if "\ufffd" in cell:
                raise RowRejected(name, "characters that are not valid in the file's encoding.")
            limit = LIMITS.get(name, 200)
            if len(cell) > limit:
                raise RowRejected(name, f"longer than {limit} characters.")
            out[name] = cell
        for name in ("crm_id",) + (
            ("account_crm_id", "owner_email") if kind == "opportunities" else ("name",)
        ):
            if not out.get(name):
                raise RowRejected(name, "required, but empty.")
        return out

    def _parse_batch(self, batch, columns, seen, tally, kind):
        """The batch's rows as (record, cells) with rejects and in-file duplicates taken out."""
        parsed = []
        for record in batch:
            try:
                cells = self._cells(record, columns, kind)
            except RowRejected as exc:
                self.context.reject(kind, tally, record.row, exc.column, exc.reason)
                continue
            first = seen.get(cells["crm_id"])
            if first is not None:
                self.context.reject(
                    kind,
                    tally,
                    record.row,
                    "crm_id",
                    f"CRM id {cells['crm_id']} is already in row {first} of this file.",
                )
                continue
            seen[cells["crm_id"]] = record.row
            parsed.append((record, cells))
        return parsed


def _chunks(records: Iterator, size: int) -> Iterator[list]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def map_term_name(entry: CrmTermName, term: TaxonomyTerm, *, actor) -> CrmTermName:
    """An admin says what a CRM name means; later imports read it as ``term``. Flushes."""
    if term.kind != entry.kind:
        raise ValueError("the term is of another kind")
    entry.term_id = term.id
    db.session.flush()
    audit.record("crm.map_term", actor=actor, target=entry, name=entry.name, term=term.name)
    return entry
