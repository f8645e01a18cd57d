"""Merging two accounts that are one customer. Flushes; the caller commits."""

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.core import audit
from forum.core.errors import DomainError
from forum.extensions import db
from forum.feedback.models import Corroboration, Post

FACTS = ("segment", "region_id", "arr", "crm_id")


def merge_accounts(source: Account, target: Account, *, actor, reason: str = "") -> Account:
    """Fold ``source`` into ``target``: its reports and "me too"s follow (and with them the
    fixes they are linked to and the promise ledger); facts ``target`` lacks are taken from
    ``source``; ``source`` is deleted. Audited with what moved."""
    if source.id == target.id:
        raise DomainError("An account cannot be merged into itself.")
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise DomainError("Say why these are one customer (at least 5 characters).")
    posts = list(db.session.scalars(sa.select(Post).where(Post.account_id == source.id)))
    for post in posts:  # through the ORM, so search re-indexes them under the new name
        post.account = target
    corroborations = list(
        db.session.scalars(sa.select(Corroboration).where(Corroboration.account_id == source.id))
    )
    for c in corroborations:
        c.account = target
    taken = {a: getattr(source, a) for a in FACTS if not getattr(target, a) and getattr(source, a)}
    if "arr" in taken:
        taken["arr_currency"] = source.arr_currency
    details = dict(
        source_id=source.id,
        source_name=source.name,
        source_crm_id=source.crm_id,
        posts=[p.id for p in posts],
        corroborations=len(corroborations),
        took=sorted(taken),
    )
    db.session.flush()
    db.session.delete(source)
    db.session.flush()  # the CRM id is free before the target takes it
    for attr, value in taken.items():
        setattr(target, attr, value)
    db.session.flush()
    audit.record("account.merge", actor=actor, target=target, reason=reason, **details)
    return target
