"""What every batch of a CRM import needs: the run's options, the caches it fills once per
import (sales regions, owners by e-mail, taxonomy terms by folded name), how a row is rejected
and how a changed row is told. Nothing here commits; ``flush_batch`` writes what the batch
collected (rejected rows, unmapped names) in a few statements."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from forum.auth.models import Team, TeamKind, User, normalize_email, normalize_name
from forum.core.time import utcnow
from forum.crm.models import CrmRejection, CrmTermName
from forum.crm.results import KEPT_NOTES, Rejection, RowRejected, Summary, Tally
from forum.crm.values import fold
from forum.extensions import db
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm

OWNERS_KEPT = 10_000  # e-mail addresses remembered (known or not) before the cache starts over


@dataclass(frozen=True)
class Owner:
    """A user an export names as owner: their id, and their sales team if they have one."""

    id: int
    region_id: int | None


class Context:
    """One import run's options and caches, shared by its account and deal batches."""

    def __init__(
        self,
        *,
        run_id: int,
        summary: Summary,
        default_currency: str,
        day_first: bool,
        on_reject: Callable[[Rejection], None] | None,
    ):
        self.run_id, self.summary = run_id, summary
        self.default_currency, self.day_first = default_currency, day_first
        self.on_reject = on_reject
        self.regions = {
            fold(name): id_
            for id_, name in db.session.execute(
                sa.select(Team.id, Team.name).where(Team.kind == TeamKind.SALES)
            )
        }
        self.terms = _load_terms()
        self._owners: dict[str, Owner | None] = {}
        self._rejections: list[dict] = []
        self._names_seen: dict[tuple[str, str], list] = {}  # this batch's unmapped names

    # -- rejections and notes -------------------------------------------------------------

    def reject(self, kind: str, tally: Tally, row: int, column: str, reason: str) -> None:
        tally.rejected += 1
        rejection = Rejection(kind, row, column[:80], reason[:300])
        self._rejections.append(
            dict(import_id=self.run_id, file=kind, row=row, column=column[:80], reason=reason[:300])
        )
        if self.on_reject is not None:
            self.on_reject(rejection)

    def updated(self, kind: str, tally: Tally, row: int, crm_id: str, fields: list[str]) -> None:
        tally.updated += 1
        if len(self.summary.notes) < KEPT_NOTES:  # the counts stay complete
            self.summary.notes.append(f"{kind} row {row}: {crm_id} updated ({', '.join(fields)})")

    def flush_batch(self) -> None:
        """Write the batch's rejected rows and count its unmapped names (a few statements)."""
        if self._rejections:
            db.session.execute(sa.insert(CrmRejection.__table__), self._rejections)
            self._rejections = []
        if self._names_seen:
            keys = {key for _, key in self._names_seen}
            stored = {
                (str(e.kind), e.name_key): e
                for e in db.session.scalars(
                    sa.select(CrmTermName).where(CrmTermName.name_key.in_(keys))
                )
            }
            for found, (kind, shown, rows) in self._names_seen.items():
                entry = stored.get(found)
                if entry is None:
                    entry = CrmTermName(kind=kind, name=shown, name_key=found[1], rows=0)
                    db.session.add(entry)
                entry.rows += rows
                entry.last_seen_at = utcnow()
            self._names_seen = {}

    # -- owners ---------------------------------------------------------------------------

    def load_owners(self, rows: Iterable[dict]) -> None:
        """Look up, in one query, the owners of ``rows`` this import has not met yet."""
        wanted = {normalize_email(r["owner_email"]) for r in rows if r.get("owner_email")}
        wanted -= self._owners.keys()
        if not wanted:
            return
        if len(self._owners) + len(wanted) > OWNERS_KEPT:
            self._owners = {}
        self._owners.update(dict.fromkeys(wanted))
        for id_, email, team_id, kind in db.session.execute(
            sa.select(User.id, User.email, User.team_id, Team.kind)
            .outerjoin(Team, Team.id == User.team_id)
            .where(User.email.in_(wanted))
        ):
            self._owners[email] = Owner(id_, team_id if kind == TeamKind.SALES else None)

    def owner(self, cells: dict, *, required: bool) -> Owner | None:
        """The owner the row names (``load_owners`` first); raises RowRejected for an address
        that is no user's, or a missing one when ``required``."""
        email = cells.get("owner_email", "")
        if not email:
            if required:
                raise RowRejected("owner_email", "required, but empty.")
            return None
        owner = self._owners.get(normalize_email(email))
        if owner is None:
            raise RowRejected("owner_email", f"no user has the e-mail address “{email[:80]}”.")
        return owner

    # -- taxonomy -------------------------------------------------------------------------

    def term(self, kind: TaxonomyKind, name: str) -> int | None:
        """The term ``name`` stands for, or None (and the name is listed for an admin)."""
        key = fold(name)[:80]
        found = self.terms.get((str(kind), key))
        if found is not None:
            return found
        shown = normalize_name(name)[:80]
        self.summary.unmapped.setdefault(str(kind), set()).add(shown)
        seen = self._names_seen.setdefault((str(kind), key), [kind, shown, 0])
        seen[2] += 1
        return None


def _load_terms() -> dict[tuple[str, str], int | None]:
    terms: dict[tuple[str, str], int | None] = {
        (str(kind), fold(name)): id_
        for id_, kind, name in db.session.execute(
            sa.select(TaxonomyTerm.id, TaxonomyTerm.kind, TaxonomyTerm.name)
        )
    }
    for kind, key, term_id in db.session.execute(
        sa.select(CrmTermName.kind, CrmTermName.name_key, CrmTermName.term_id)
    ):
        terms.setdefault((str(kind), key), term_id)
    return terms


def changes(current, values: dict) -> dict:
    """What in ``values`` differs from the stored row ``current`` (a Row of those columns).
    A Decimal and its text, or a date and a date, compare by value."""
    out = {}
    for name, value in values.items():
        stored = getattr(current, name)
        if isinstance(stored, date) and isinstance(value, date):
            same = stored == value
        else:
            same = stored == value or (
                stored is not None and value is not None and str(stored) == str(value)
            )
        if not same:
            out[name] = value
    return out


def column_defaults(table: sa.Table, names: Iterable[str]) -> dict:
    """The scalar default of each of ``names`` (None where there is none), so every row of a
    bulk insert names the same columns (one statement, not one per set of keys)."""
    out = {}
    for name in names:
        default = table.c[name].default
        out[name] = default.arg if default is not None and default.is_scalar else None
    return out
