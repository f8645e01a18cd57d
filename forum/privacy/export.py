"""Everything the app holds about one person, as one JSON document (a subject access request).

The document is streamed section by section, each section one query on the person's own rows
(``yield_per``), so it never loads anyone else's data nor the whole of a long history at once.
It holds what they wrote — shielded reports included, since they are the person's own — and
what the app recorded about them; other people appear only as ids. Secrets stay out: no
password hash (only whether one is set), no token hashes (purpose and dates only), and every
link in an e-mail's text is removed (reset, invitation and unsubscribe links carry tokens).
"""

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum.auth.models import AuthToken, Team, User
from forum.catalog.models import Commitment
from forum.core import audit
from forum.core.audit import AuditEntry
from forum.core.outbox import OutboxMessage
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
from forum.fixes import history
from forum.fixes.models import Escalation, Fix, FixComment, FixEvent
from forum.notify.models import Notification, NotificationPreference

FORMAT = "voice-of-sales/person-export/1"
CHUNK = 200
LINK = re.compile(r"https?://\S+")
LINK_REMOVED = "[link removed]"
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


def _rows(query: sa.Select):
    return db.session.execute(query.execution_options(yield_per=CHUNK))


def _objects(query: sa.Select):
    return db.session.scalars(query.execution_options(yield_per=CHUNK))


def _name(obj) -> str | None:
    return obj.name if obj is not None else None


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
    for p in _objects(query):
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
            "region": _name(p.region),
            "team": _name(p.team),
            "account": _name(p.account),
            "tags": [t.name for t in p.tags],
            "fix_id": p.fix_id,
            "duplicate_of_id": p.duplicate_of_id,
            "outcome": p.outcome,
            "deal_value": p.deal_value,
            "currency": p.currency,
            "stage": p.stage,
            "competitor": _name(p.competitor),
            "primary_reason": _name(p.primary_reason),
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
    for r in _objects(query.order_by(PostRevision.id)):
        yield {"post_id": r.post_id, "title": r.title, "body": r.body, "edited_at": r.edited_at}


def post_history(user: User) -> Iterator[dict]:
    query = sa.select(PostEvent).where(PostEvent.actor_id == user.id).order_by(PostEvent.id)
    for e in _objects(query):
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
    for c in _objects(query):
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
    for c, currency in _rows(query):
        yield {
            "post_id": c.post_id,
            "account": _name(c.account),
            "amount": c.amount,
            "currency": (c.currency or currency) if c.amount is not None else None,
            "note": c.note,
            "created_at": c.created_at,
            "moved_from_post_id": c.moved_from_post_id,
        }


def follows(user: User) -> Iterator[dict]:
    query = sa.select(Follow.post_id, Follow.created_at).where(Follow.user_id == user.id)
    for post_id, at in _rows(query.order_by(Follow.id)):
        yield {"post_id": post_id, "since": at}


def attachments(user: User) -> Iterator[dict]:
    query = sa.select(Attachment).where(Attachment.uploader_id == user.id)
    for a in _objects(query.order_by(Attachment.id)):
        yield {
            "id": a.id,
            "post_id": a.post_id,
            "file_name": a.original_name,
            "content_type": a.content_type,
            "size": a.size,
            "uploaded_at": a.created_at,
        }


def fixes(user: User) -> Iterator[dict]:
    query = (
        sa.select(Fix.id, Fix.title, Fix.status, Fix.created_by_id, Fix.assignee_id)
        .where(sa.or_(Fix.created_by_id == user.id, Fix.assignee_id == user.id))
        .order_by(Fix.id)
    )
    for fix_id, title, status, created_by, assignee in _rows(query):
        yield {
            "id": fix_id,
            "title": title,
            "status": status,
            "created_by_them": created_by == user.id,
            "assigned_to_them": assignee == user.id,
        }


def fix_comments(user: User) -> Iterator[dict]:
    query = sa.select(FixComment).where(FixComment.author_id == user.id)
    for c in _objects(query.order_by(FixComment.id)):
        yield {"fix_id": c.fix_id, "body": c.body, "created_at": c.created_at}


def fix_history(user: User) -> Iterator[dict]:
    query = (
        sa.select(FixEvent)
        .where(FixEvent.actor_id == user.id)
        .order_by(FixEvent.fix_id, FixEvent.seq)
    )
    for e in _objects(query):
        said = history.shown_entry(e, {})  # others by id only (in details)
        yield {
            "fix_id": e.fix_id,
            "seq": e.seq,
            "at": e.at,
            "kind": e.kind,
            "from": said.from_value,
            "to": said.to_value,
            "note": said.note,
            "details": e.details,
        }


def escalations(user: User) -> Iterator[dict]:
    query = (
        sa.select(Escalation)
        .where(sa.or_(Escalation.to_user_id == user.id, Escalation.acknowledged_by_id == user.id))
        .order_by(Escalation.id)
    )
    for e in _objects(query):
        yield {
            "fix_id": e.fix_id,
            "level": e.level,
            "round": e.round,
            "sent_to_them": e.to_user_id == user.id,
            "escalated_at": e.created_at,
            "acknowledged_at": e.acknowledged_at,
            "acknowledged_by_them": e.acknowledged_by_id == user.id,
        }


def commitments(user: User) -> Iterator[dict]:
    query = (
        sa.select(Commitment)
        .where(sa.or_(Commitment.owner_id == user.id, Commitment.confirmed_by_id == user.id))
        .order_by(Commitment.id)
    )
    for c in _objects(query):
        yield {
            "id": c.id,
            "team_id": c.team_id,
            "title": c.title,
            "owned_by_them": c.owner_id == user.id,
            "last_confirmed_by_them": c.confirmed_by_id == user.id,
            "last_confirmed_at": c.last_confirmed_at,
        }


def notifications(user: User) -> Iterator[dict]:
    query = sa.select(Notification).where(Notification.user_id == user.id)
    for n in _objects(query.order_by(Notification.id)):
        yield {
            "event": n.event,
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "created_at": n.created_at,
            "read_at": n.read_at,
            "email": n.email_mode,
        }


def notification_preferences(user: User) -> Iterator[dict]:
    query = sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    for p in _objects(query.order_by(NotificationPreference.id)):
        yield {"event": p.event, "delivery": p.delivery, "updated_at": p.updated_at}


def mails(user: User) -> Iterator[dict]:
    query = sa.select(OutboxMessage).where(
        sa.or_(OutboxMessage.user_id == user.id, OutboxMessage.to_address == user.email)
    )
    for m in _objects(query.order_by(OutboxMessage.id)):
        yield {
            "event": m.event,
            "to": m.to_address,
            "subject": m.subject,
            "text": LINK.sub(LINK_REMOVED, m.text_body),
            "status": m.status,
            "queued_at": m.created_at,
            "sent_at": m.sent_at,
            "attempts": m.attempts,
        }


def audit_as_actor(user: User) -> Iterator[dict]:
    """What they did that the audit log keeps (the details, which may describe someone else,
    are left out)."""
    query = sa.select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)
    for e in _objects(query):
        yield {
            "at": e.at,
            "action": e.action,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "reason": e.reason,
            "ip": e.ip,
        }


def audit_about_them(user: User) -> Iterator[dict]:
    """Entries about them or their reports (a reveal of their shielded report, say); who acted
    is an id, and the actor's address is left out."""
    own_posts = sa.select(Post.id).where(Post.author_id == user.id)
    query = (
        sa.select(AuditEntry)
        .where(
            sa.or_(
                sa.and_(AuditEntry.target_type == "user", AuditEntry.target_id == user.id),
                sa.and_(AuditEntry.target_type == "post", AuditEntry.target_id.in_(own_posts)),
            )
        )
        .order_by(AuditEntry.id)
    )
    for e in _objects(query):
        yield {
            "at": e.at,
            "action": e.action,
            "actor_id": e.actor_id,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "reason": e.reason,
            "details": e.details,
        }


def tokens(user: User) -> Iterator[dict]:
    query = sa.select(AuthToken).where(AuthToken.user_id == user.id).order_by(AuthToken.id)
    for t in _objects(query):
        yield {
            "purpose": t.purpose,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "used_at": t.used_at,
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
    ("notifications", notifications),
    ("notification_preferences", notification_preferences),
    ("mails", mails),
    ("audit_as_actor", audit_as_actor),
    ("audit_about_them", audit_about_them),
    ("tokens", tokens),
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
    for name, rows in SECTIONS:
        yield f",\n{_json(name)}: ["
        separator = "\n  "
        for row in rows(user):
            yield separator + _json(row)
            separator = ",\n  "
        yield "\n]"
    yield "\n}\n"
