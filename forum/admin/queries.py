"""Read models for the admin pages: the audit log, as a page and as CSV, from one filter."""

import json
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from forum.auth.models import User
from forum.core.audit import AuditEntry
from forum.core.csvsafe import CHUNK
from forum.extensions import db

AUDIT_HEADER = [
    "id",
    "at_utc",
    "actor_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "reason",
    "ip",
    "details",
]


def audit_query(action: str = "") -> sa.Select:
    """The audit entries the page's filter selects (every entry when ``action`` is empty)."""
    query = sa.select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    return query


def audit_rows(query: sa.Select) -> Iterator[list]:
    """The entries of ``query``, oldest first, with the name of who acted ("system": nobody)."""
    actor = aliased(User)
    rows = db.session.execute(
        query.add_columns(actor.display_name)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id)
        .execution_options(yield_per=CHUNK)
    )
    for entry, name in rows:
        yield [
            entry.id,
            entry.at,
            entry.actor_id,
            name if entry.actor_id is not None else "system",
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.reason,
            entry.ip,
            json.dumps(entry.details or {}, sort_keys=True, ensure_ascii=False, default=str),
        ]
