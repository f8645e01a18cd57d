"""The person export's sections about their account: notifications and preferences, mails,
the audit log's entries by and about them, and their tokens (never the secrets)."""

from collections.abc import Iterator

import sqlalchemy as sa

from forum.api.models import ApiToken
from forum.auth.models import AuthToken, User
from forum.auth.sso.models import UserIdentity
from forum.core.audit import AuditEntry
from forum.core.outbox import OutboxMessage
from forum.feedback.models import (
    Post,
)
from forum.notify.models import Notification, NotificationPreference
from forum.privacy.rows import LINK, LINK_REMOVED, objects


def notifications(user: User) -> Iterator[dict]:
    query = sa.select(Notification).where(Notification.user_id == user.id)
    for n in objects(query.order_by(Notification.id)):
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
    for p in objects(query.order_by(NotificationPreference.id)):
        yield {"event": p.event, "delivery": p.delivery, "updated_at": p.updated_at}


def mails(user: User) -> Iterator[dict]:
    query = sa.select(OutboxMessage).where(
        sa.or_(OutboxMessage.user_id == user.id, OutboxMessage.to_address == user.email)
    )
    for m in objects(query.order_by(OutboxMessage.id)):
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
    for e in objects(query):
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
    for e in objects(query):
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
    for t in objects(query):
        yield {
            "purpose": t.purpose,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "used_at": t.used_at,
        }


def sso_identities(user: User) -> Iterator[dict]:
    """Their identities at single sign-on providers (provider, subject, e-mail said there)."""
    query = sa.select(UserIdentity).where(UserIdentity.user_id == user.id)
    for i in objects(query.order_by(UserIdentity.id)):
        yield {
            "provider": i.provider,
            "subject": i.subject,
            "email": i.email,
            "created_at": i.created_at,
            "last_login_at": i.last_login_at,
        }


def api_tokens(user: User) -> Iterator[dict]:
    """Their personal access tokens: never the secret (only its hash is kept, and not shown)."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    for t in objects(query):
        yield {
            "name": t.name,
            "prefix": t.prefix,
            "scope": t.scope,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "revoked_at": t.revoked_at,
            "last_used_at": t.last_used_at,
            "last_used_ip": t.last_used_ip,
        }
