"""Everything the app holds about one person, as one JSON document (a subject access request).

The document is streamed section by section, each section one query on the person's own rows
(``yield_per``), so it never loads anyone else's data nor the whole of a long history at once.
It holds what they wrote — shielded reports included, since they are the person's own — and
what the app recorded about them; other people appear only as ids. Secrets stay out: no
password hash (only whether one is set), no token hashes (purpose and dates only), and every
link in an e-mail's text is removed (reset, invitation and unsubscribe links carry tokens).
"""

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum.auth.models import Team, User
from forum.core import audit
from forum.core.time import as_utc, utcnow
from forum.extensions import db
from forum.feedback.models import (
    Attachment,
    Comment,
    Corroboration,
    Follow,
    Post,
    PostEvent,
    PostRevision,
)
from forum.privacy.export_account import (
    api_tokens,
    audit_about_them,
    audit_as_actor,
    mails,
    notification_preferences,
    notifications,
    sso_identities,
    tokens,
)
from forum.privacy.export_work import (
    accounts_owned,
    buyer_requests,
    commitments,
    escalations,
    fix_comments,
    fix_history,
    fixes,
    follow_ups,
)
from forum.privacy.rows import name, objects, rows

FORMAT = "voice-of-sales/person-export/1"
ABOUT = (
    "Everything Voice of Sales holds about this person: their profile, what they wrote "
    "(shielded reports included), what they did and what the app recorded about them. Other "
    "people appear only as ids. Secrets are left out: no password hash, no token, no link "
    "from an e-mail."
)
SIGN_INS = (
    "The app keeps the time of the last successful sign-in only; failed sign-ins go to the "
    "server's log (with the address tried and the client's address), not to the database."
)


def _plain(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not exported")


def _json(value) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False)


def record_export(user: User, *, actor: User) -> None:
    """Write the export to the audit log. Flushes; the caller commits before streaming."""
    audit.record("user.export", actor=actor, target=user)


def person(user: User) -> dict:
    teams = db.session.execute(
        sa.select(Team.id, Team.name, Team.lead_id == user.id)
        .where(sa.or_(Team.lead_id == user.id, Team.sponsor_id == user.id))
        .order_by(Team.id)
    ).all()
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "team": (
            {"id": user.team.id, "name": user.team.name, "kind": user.team.kind}
            if user.team
            else None
        ),
        "active": user.active,
        "erased": user.is_erased,
        "password": "set" if user.password_hash else "not set",
        "session_version": user.session_version,
        "created_at": user.created_at,
        "list_filters": user.list_filters or {},  # last filters per list and named views
        "teams_led": [{"id": i, "name": n} for i, n, lead in teams if lead],
        "teams_sponsored": [{"id": i, "name": n} for i, n, lead in teams if not lead],
    }


def posts(user: User) -> Iterator[dict]:
    query = (
        sa.select(Post)
        .where(Post.author_id == user.id)
        .options(
            joinedload(Post.region),
            joinedload(Post.team),
            joinedload(Post.account),
            joinedload(Post.competitor),
            joinedload(Post.primary_reason),
            selectinload(Post.tags),
            selectinload(Post.secondary_reasons),
        )
        .order_by(Post.id)
    )
    for p in objects(query):
        yield {
            "id": p.id,
            "kind": p.kind,
            "status": p.status,
            "status_reason": p.status_reason,
            "title": p.title,
            "body": p.body,
            "shielded": p.shielded,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
            "triaged_at": p.triaged_at,
            "region": name(p.region),
            "team": name(p.team),
            "account": name(p.account),
            "tags": [t.name for t in p.tags],
            "fix_id": p.fix_id,
            "duplicate_of_id": p.duplicate_of_id,
            "outcome": p.outcome,
            "deal_value": p.deal_value,
            "currency": p.currency,
            "stage": p.stage,
            "competitor": name(p.competitor),
            "primary_reason": name(p.primary_reason),
            "secondary_reasons": [t.name for t in p.secondary_reasons],
            "crm_opportunity_id": p.crm_opportunity_id,
            "promised": p.promised,
            "contact_name": p.contact_name,
            "basis": p.basis,
            "basis_detail": p.basis_detail,
            "commitment_id": p.commitment_id,
            "promised_date": p.promised_date,
            "impact": p.impact,
            "revenue_at_risk": p.revenue_at_risk,
        }


def post_revisions(user: User) -> Iterator[dict]:
    query = sa.select(PostRevision).where(PostRevision.editor_id == user.id)
    for r in objects(query.order_by(PostRevision.id)):
        yield {"post_id": r.post_id, "title": r.title, "body": r.body, "edited_at": r.edited_at}


def post_history(user: User) -> Iterator[dict]:
    query = sa.select(PostEvent).where(PostEvent.actor_id == user.id).order_by(PostEvent.id)
    for e in objects(query):
        yield {
            "post_id": e.post_id,
            "at": e.at,
            "from": e.from_status,
            "to": e.to_status,
            "note": e.note,
            "details": e.details,
        }


def _comments(user: User, internal: bool) -> Iterator[dict]:
    query = (
        sa.select(Comment)
        .where(Comment.author_id == user.id, Comment.internal.is_(internal))
        .options(selectinload(Comment.revisions))
        .order_by(Comment.id)
    )
    for c in objects(query):
        yield {
            "id": c.id,
            "post_id": c.post_id,
            "body": c.body,
            "created_at": c.created_at,
            "edited_at": c.edited_at,
            "earlier_versions": [{"body": r.body, "replaced_at": r.edited_at} for r in c.revisions],
        }


def comments(user: User) -> Iterator[dict]:
    return _comments(user, internal=False)


def internal_notes(user: User) -> Iterator[dict]:
    return _comments(user, internal=True)


def corroborations(user: User) -> Iterator[dict]:
    query = (
        sa.select(Corroboration, Post.currency)
        .join(Post, Post.id == Corroboration.post_id)
        .where(Corroboration.user_id == user.id)
        .options(joinedload(Corroboration.account))
        .order_by(Corroboration.id)
    )
    for c, currency in rows(query):
        yield {
            "post_id": c.post_id,
            "account": name(c.account),
            "amount": c.amount,
            "currency": (c.currency or currency) if c.amount is not None else None,
            "note": c.note,
            "created_at": c.created_at,
            "moved_from_post_id": c.moved_from_post_id,
        }


def follows(user: User) -> Iterator[dict]:
    query = sa.select(Follow.post_id, Follow.created_at).where(Follow.user_id == user.id)
    for post_id, at in rows(query.order_by(Follow.id)):
        yield {"post_id": post_id, "since": at}


def attachments(user: User) -> Iterator[dict]:
    query = sa.select(Attachment).where(Attachment.uploader_id == user.id)
    for a in objects(query.order_by(Attachment.id)):
        yield {
            "id": a.id,
            "post_id": a.post_id,
            "file_name": a.original_name,
            "content_type": a.content_type,
            "size": a.size,
            "uploaded_at": a.created_at,
        }


SECTIONS: list[tuple[str, Callable[[User], Iterator[dict]]]] = [
    ("posts", posts),
    ("post_revisions", post_revisions),
    ("post_history", post_history),
    ("comments", comments),
    ("internal_notes", internal_notes),
    ("corroborations", corroborations),
    ("follows", follows),
    ("attachments", attachments),
    ("fixes", fixes),
    ("fix_comments", fix_comments),
    ("fix_history", fix_history),
    ("escalations", escalations),
    ("commitments", commitments),
    ("accounts_owned", accounts_owned),
    ("follow_ups", follow_ups),
    ("buyer_requests", buyer_requests),
    ("notifications", notifications),
    ("notification_preferences", notification_preferences),
    ("mails", mails),
    ("audit_as_actor", audit_as_actor),
    ("audit_about_them", audit_about_them),
    ("tokens", tokens),
    ("sso_identities", sso_identities),
    ("api_tokens", api_tokens),
]


def document(user_id: int) -> Iterator[str]:
    """The JSON document about the person ``user_id``, in pieces: the profile, then each
    section as an array written row by row."""
    user = db.session.get(User, user_id)
    yield "{\n"
    yield f'"format": {_json(FORMAT)},\n"about": {_json(ABOUT)},\n'
    yield f'"exported_at": {_json(utcnow())},\n'
    yield f'"person": {_json(person(user))},\n'
    yield f'"sign_ins": {_json({"last_at": user.last_login_at, "kept": SIGN_INS})}'
    for section, section_rows in SECTIONS:
        yield f",\n{_json(section)}: ["
        separator = "\n  "
        for row in section_rows(user):
            yield separator + _json(row)
            separator = ",\n  "
        yield "\n]"
    yield "\n}\n"
