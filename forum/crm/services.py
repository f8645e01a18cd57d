"""The CRM import: accounts and opportunities become accounts and win/loss records.

Idempotent by CRM id: a row that matches what is stored changes nothing, a changed row updates
its account or report in place (and the summary says which fields), a new one is created. The
body and title of a report are never touched once it exists: they are the rep's words.

The file is streamed in batches of ``batch_size`` rows. ``Importer.batches`` flushes each
batch and yields; the caller commits after each yield (or, for a dry run, rolls back at the
end), so a failure never leaves half a batch. Services never commit.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from typing import BinaryIO

import sqlalchemy as sa

from forum.accounts.models import Account, Segment
from forum.accounts.services import account_key
from forum.auth.models import Team, TeamKind, User, normalize_email, normalize_name
from forum.core import audit
from forum.core.money import check_currency
from forum.core.rates import reporting_currency
from forum.core.time import utcnow
from forum.crm import mappings
from forum.crm.models import CrmImport, CrmRejection, CrmTermName
from forum.crm.reader import Export
from forum.crm.results import ImportError_, Progress, Rejection, RowRejected, Summary, Tally
from forum.crm.values import CellError, amount, day, fold, is_formula
from forum.extensions import db
from forum.feedback.models import Follow, Outcome, Post, PostKind, PostStatus
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm

BATCH = 500
IMPORTED_BODY = (
    "Imported from the CRM (opportunity {crm_id}). The rep has not written about this deal yet: "
    "edit this report to say why it was won or lost."
)
LIMITS = {"crm_id": 64, "account_crm_id": 64, "name": 120, "owner_email": 254}
SEGMENT_OF = (
    {fold(s.label): s.value for s in Segment}
    | {fold(s.value.replace("_", " ")): s.value for s in Segment}
    | {fold("Mid market"): "mid_market", fold("SMB"): "smb", fold("Public"): "public_sector"}
)


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
        self._names_seen: dict[tuple[str, str], list] = {}  # this batch's unmapped names
        self._new_reports: list[Post] = []
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
        flushed batch. Raises ``ImportError_`` for a file that cannot be read at all."""
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
        self._regions = {
            fold(t.name): t.id
            for t in db.session.scalars(sa.select(Team).where(Team.kind == TeamKind.SALES))
        }
        self._terms = self._load_terms()
        for kind, export, columns, fmt in resolved:
            self.summary.formats[kind] = fmt
            tally = self.summary.files.setdefault(kind, Tally())
            seen: dict[str, int] = {}
            handle = self._account_batch if kind == "accounts" else self._opportunity_batch
            batch = []
            for record in export.records():
                batch.append(record)
                if len(batch) >= self.batch_size:
                    with db.session.no_autoflush:
                        handle(batch, columns, seen, tally)
                    yield self._done(kind, batch)
                    batch = []
            if batch:
                with db.session.no_autoflush:
                    handle(batch, columns, seen, tally)
                yield self._done(kind, batch)
        self.finish()

    def _done(self, kind: str, batch: list) -> Progress:
        # The batch's objects are referenced only by the batch's own dictionaries: the
        # session's identity map holds them weakly, so memory stays bounded whatever the size.
        self._save_names()
        if self._new_reports:
            db.session.flush()  # the new reports' ids, for their authors' follows
            db.session.add_all(
                Follow(user_id=post.author_id, post_id=post.id) for post in self._new_reports
            )
            self._new_reports = []
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

    def _reject(self, kind: str, tally: Tally, row: int, column: str, reason: str) -> None:
        tally.rejected += 1
        rejection = Rejection(kind, row, column, reason[:300])
        db.session.add(
            CrmRejection(
                import_id=self.run_id, file=kind, row=row, column=column[:80], reason=reason[:300]
            )
        )
        if self.on_reject is not None:
            self.on_reject(rejection)

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

    def _owners(self, rows: list[dict]) -> dict[str, User]:
        emails = {normalize_email(r["owner_email"]) for r in rows if r.get("owner_email")}
        if not emails:
            return {}
        users = db.session.scalars(sa.select(User).where(User.email.in_(emails)))
        return {u.email: u for u in users}

    def _owner(self, cells: dict, owners: dict[str, User], required: bool) -> User | None:
        email = cells.get("owner_email", "")
        if not email:
            if required:
                raise RowRejected("owner_email", "required, but empty.")
            return None
        user = owners.get(normalize_email(email))
        if user is None:
            raise RowRejected("owner_email", f"no user has the e-mail address “{email[:80]}”.")
        return user

    def _parse_batch(self, batch, columns, seen, tally, kind):
        """The batch's rows as (record, cells) with rejects and in-file duplicates taken out."""
        parsed = []
        for record in batch:
            try:
                cells = self._cells(record, columns, kind)
            except RowRejected as exc:
                self._reject(kind, tally, record.row, exc.column, exc.reason)
                continue
            first = seen.get(cells["crm_id"])
            if first is not None:
                self._reject(
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

    # -- accounts -------------------------------------------------------------------------

    def _account_batch(self, batch, columns, seen, tally: Tally) -> None:
        parsed = self._parse_batch(batch, columns, seen, tally, "accounts")
        ids = [c["crm_id"] for _, c in parsed]
        existing = {
            a.crm_id: a
            for a in db.session.scalars(sa.select(Account).where(Account.crm_id.in_(ids)))
        }
        keys = [account_key(c["name"]) for _, c in parsed if c["crm_id"] not in existing]
        unlinked = {}
        if keys:
            for a in db.session.scalars(
                sa.select(Account)
                .where(Account.name_key.in_(keys), Account.crm_id.is_(None))
                .order_by(Account.id)
            ):
                unlinked.setdefault(a.name_key, a)
        owners = self._owners([c for _, c in parsed])
        for record, cells in parsed:
            try:
                values = self._account_values(cells, owners)
            except RowRejected as exc:
                self._reject("accounts", tally, record.row, exc.column, exc.reason)
                continue
            account = existing.get(cells["crm_id"])
            if account is None:
                account = unlinked.pop(values["name_key"], None)
                if account is not None:
                    values["crm_id"] = cells["crm_id"]  # a typed account gets its CRM id
            if account is None:
                account = Account(crm_id=cells["crm_id"], **values)
                db.session.add(account)
                existing[cells["crm_id"]] = account
                tally.created += 1
                continue
            changed = _apply(account, values)
            if changed:
                tally.updated += 1
                self.summary.notes.append(
                    f"accounts row {record.row}: {cells['crm_id']} updated ({', '.join(changed)})"
                )
            else:
                tally.unchanged += 1

    def _account_values(self, cells: dict, owners) -> dict:
        self._owner(cells, owners, required=False)  # an unknown owner is a mistake to fix
        name = normalize_name(cells["name"])
        values = {"name": name, "name_key": account_key(name)}
        if cells.get("segment"):
            segment = SEGMENT_OF.get(fold(cells["segment"]))
            if segment is None:
                names = ", ".join(s.label for s in Segment)
                raise RowRejected(
                    "segment", f"“{cells['segment'][:40]}” is not a segment ({names})."
                )
            values["segment"] = segment
        if cells.get("region"):
            region = self._regions.get(fold(cells["region"]))
            if region is None:
                raise RowRejected("region", f"no sales region is named “{cells['region'][:60]}”.")
            values["region_id"] = region
        if cells.get("arr"):
            try:
                values["arr"], values["arr_currency"] = amount(
                    cells["arr"], cells.get("currency", ""), self.default_currency, field="ARR"
                )
            except CellError as exc:
                raise RowRejected("arr", exc.reason) from None
        return values

    # -- opportunities --------------------------------------------------------------------

    def _opportunity_batch(self, batch, columns, seen, tally: Tally) -> None:
        parsed = self._parse_batch(batch, columns, seen, tally, "opportunities")
        account_ids = {c["account_crm_id"] for _, c in parsed}
        accounts = {
            a.crm_id: a
            for a in db.session.scalars(sa.select(Account).where(Account.crm_id.in_(account_ids)))
        }
        ids = [c["crm_id"] for _, c in parsed]
        reports: dict[str, Post] = {}
        for post in db.session.scalars(
            sa.select(Post)
            .where(Post.crm_opportunity_id.in_(ids), Post.kind == PostKind.WIN_LOSS)
            .order_by(Post.id.desc())
        ):
            reports[post.crm_opportunity_id] = post  # the oldest report of the deal wins
        owners = self._owners([c for _, c in parsed])
        for record, cells in parsed:
            try:
                values = self._deal_values(cells, accounts, owners)
            except RowRejected as exc:
                self._reject("opportunities", tally, record.row, exc.column, exc.reason)
                continue
            owner = values.pop("owner")
            post = reports.get(cells["crm_id"])
            if post is None:
                post = self._new_report(cells, values, owner, accounts[cells["account_crm_id"]])
                reports[cells["crm_id"]] = post
                tally.created += 1
                continue
            changed = _apply(post, values)
            if changed:
                tally.updated += 1
                self.summary.notes.append(
                    f"opportunities row {record.row}: {cells['crm_id']} updated "
                    f"({', '.join(changed)})"
                )
            else:
                tally.unchanged += 1

    def _new_report(self, cells: dict, values: dict, owner: User, account: Account) -> Post:
        title = cells.get("name") or f"{account.name} — opportunity {cells['crm_id']}"
        closed = values.get("closed_on")
        post = Post(
            kind=PostKind.WIN_LOSS,
            author=owner,
            region_id=owner.team_id if owner.team and owner.team.kind == TeamKind.SALES else None,
            status=PostStatus.NOTED,
            status_reason="Imported from the CRM.",
            title=" ".join(title.split())[:200],
            body=IMPORTED_BODY.format(crm_id=cells["crm_id"]),
            crm_opportunity_id=cells["crm_id"],
            **values,
        )
        if closed is not None and closed <= utcnow().date():
            # A closed deal counts in the period it closed in (the board reads created_at).
            post.created_at = datetime.combine(closed, time(12), tzinfo=UTC)
        db.session.add(post)
        self._new_reports.append(post)
        return post

    def _deal_values(self, cells: dict, accounts, owners) -> dict:
        account = accounts.get(cells["account_crm_id"])
        if account is None:
            raise RowRejected(
                "account_crm_id",
                f"no account has the CRM id {cells['account_crm_id']} "
                "(import it in the accounts file).",
            )
        owner = self._owner(cells, owners, required=True)
        values: dict = {"account_id": account.id, "owner": owner}
        stage = fold(cells.get("stage", ""))
        outcome = _outcome(fold(cells.get("outcome", ""))) or _outcome(stage)
        if outcome is None and stage in mappings.STAGE_OF:
            outcome = Outcome.OPEN.value
        if outcome is None:
            column = "outcome" if cells.get("outcome") else "stage"
            shown = cells.get(column, "")[:40]
            raise RowRejected(
                column,
                f"“{shown}” is neither an outcome (won, lost, no decision, open) "
                "nor a known stage.",
            )
        values["outcome"] = outcome
        if stage in mappings.STAGE_OF:
            values["stage"] = mappings.STAGE_OF[stage]
        if cells.get("amount"):
            try:
                values["deal_value"], values["currency"] = amount(
                    cells["amount"],
                    cells.get("currency", ""),
                    self.default_currency,
                    field="Amount",
                )
            except CellError as exc:
                raise RowRejected("amount", exc.reason) from None
        if cells.get("close_date"):
            try:
                values["closed_on"] = day(cells["close_date"], day_first=self.day_first)
            except CellError as exc:
                raise RowRejected("close_date", exc.reason) from None
        for column, kind, attr in (
            ("competitor", TaxonomyKind.COMPETITOR, "competitor_id"),
            ("loss_reason", TaxonomyKind.REASON, "primary_reason_id"),
        ):
            if cells.get(column):
                term_id = self._term(kind, cells[column])
                if term_id is not None:
                    values[attr] = term_id
        return values

    # -- taxonomy -------------------------------------------------------------------------

    def _load_terms(self) -> dict[tuple[str, str], int | None]:
        terms: dict[tuple[str, str], int | None] = {}
        for term in db.session.scalars(sa.select(TaxonomyTerm)):
            terms[(str(term.kind), fold(term.name))] = term.id
        for name in db.session.scalars(sa.select(CrmTermName)):
            terms.setdefault((str(name.kind), name.name_key), name.term_id)
        return terms

    def _term(self, kind: TaxonomyKind, name: str) -> int | None:
        """The term ``name`` stands for, or None (and the name is listed for an admin)."""
        key = fold(name)[:80]
        found = self._terms.get((str(kind), key), "missing")
        if found != "missing" and found is not None:
            return found
        shown = normalize_name(name)[:80]
        self.summary.unmapped.setdefault(str(kind), set()).add(shown)
        seen = self._names_seen.setdefault((str(kind), key), [kind, shown, 0])
        seen[2] += 1
        return None

    def _save_names(self) -> None:
        """Count this batch's unmapped names on the admin page's list (one query per name)."""
        for (_kind, key), (kind, shown, rows) in self._names_seen.items():
            entry = db.session.scalar(
                sa.select(CrmTermName).where(CrmTermName.kind == kind, CrmTermName.name_key == key)
            )
            if entry is None:
                entry = CrmTermName(kind=kind, name=shown, name_key=key, rows=0)
                db.session.add(entry)
            entry.rows += rows
            entry.last_seen_at = utcnow()
        self._names_seen = {}


def _outcome(text: str) -> str | None:
    if text in mappings.WON:
        return Outcome.WON.value
    if text in mappings.LOST:
        return Outcome.LOST.value
    if text in mappings.NO_DECISION:
        return Outcome.NO_DECISION.value
    if text in mappings.OPEN:
        return Outcome.OPEN.value
    return None


def _apply(obj, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if name == "name_key":
            setattr(obj, name, value)
            continue
        current = getattr(obj, name)
        if isinstance(current, date) and isinstance(value, date):
            same = current == value
        else:
            same = current == value or (
                current is not None and value is not None and str(current) == str(value)
            )
        if not same:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def map_term_name(entry: CrmTermName, term: TaxonomyTerm, *, actor) -> CrmTermName:
    """An admin says what a CRM name means; later imports read it as ``term``. Flushes."""
    if term.kind != entry.kind:
        raise ValueError("the term is of another kind")
    entry.term_id = term.id
    db.session.flush()
    audit.record("crm.map_term", actor=actor, target=entry, name=entry.name, term=term.name)
    return entry
