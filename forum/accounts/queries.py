"""Read-only queries behind the accounts pages: the list, the typeahead and the ledger."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from forum.accounts.models import Account, Segment
from forum.accounts.services import account_key, similar_accounts
from forum.auth.models import Team, TeamKind
from forum.extensions import db
from forum.feedback.models import Post, PostKind, PostStatus

LOOKUP_LIMIT = 10
LEDGER_LIMIT = 100


def sales_regions() -> list[Team]:
    """Every sales region, by name (the choices of the region filter and field)."""
    return list(
        db.session.scalars(sa.select(Team).where(Team.kind == TeamKind.SALES).order_by(Team.name))
    )


def _matching(text: str):
    """Accounts whose name or CRM id contains ``text`` literally (case-insensitive)."""
    return sa.or_(
        Account.name_key.contains(account_key(text), autoescape=True),
        Account.crm_id.icontains(text, autoescape=True),
    )


def account_list(q: str = "", segment: str = "", region_id: int | None = None) -> sa.Select:
    """The accounts list query, filtered; its region is loaded with it."""
    query = (
        sa.select(Account)
        .options(sa.orm.joinedload(Account.region))
        .order_by(Account.name_key, Account.id)
    )
    if q:
        query = query.where(_matching(q))
    if segment in {s.value for s in Segment}:
        query = query.where(Account.segment == segment)
    if region_id is not None:
        query = query.where(Account.region_id == region_id)
    return query


def lookup(q: str, limit: int = LOOKUP_LIMIT) -> list[Account]:
    """Up to ``limit`` accounts matching ``q``, those whose name or CRM id starts with it first."""
    if not q:
        return []
    prefix = sa.or_(
        Account.name_key.startswith(account_key(q), autoescape=True),
        Account.crm_id.istartswith(q, autoescape=True),
    )
    query = (
        sa.select(Account)
        .where(_matching(q))
        .order_by(sa.case((prefix, 0), else_=1), Account.name_key, Account.id)
        .limit(limit)
    )
    found = list(db.session.scalars(query))
    if len(found) < limit:
        # A misspelt name ("Banco Austrl") finds nothing literally: offer the names like it.
        seen = {a.id for a in found}
        found += similar_accounts(q, limit=limit - len(found), exclude=seen)
    return found


@dataclass(frozen=True)
class LedgerEntry:
    """One post on an account's ledger, without its author (shielding is not decided here)."""

    id: int
    kind_label: str
    title: str
    status_label: str
    created_at: datetime


def ledger(account: Account, limit: int = LEDGER_LIMIT) -> list[LedgerEntry]:
    """The account's posts, newest first; only the columns the ledger shows are read."""
    rows = db.session.execute(
        sa.select(Post.id, Post.kind, Post.title, Post.status, Post.created_at)
        .where(Post.account_id == account.id)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return [
        LedgerEntry(
            id=row.id,
            kind_label=PostKind(row.kind).label,
            title=row.title,
            status_label=PostStatus(row.status).label,
            created_at=row.created_at,
        )
        for row in rows
    ]
