"""Personal access tokens: made, found, used and revoked. Services flush; the caller commits.

A token reads ``vos_`` followed by 40 random URL-safe characters. The first 12 characters are
kept as its prefix so its owner recognises it in a list; only the SHA-256 of the whole token is
stored, so a stolen database yields no usable token.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.api.models import ApiToken, Scope
from forum.auth.models import User
from forum.auth.permissions import ensure
from forum.core import audit
from forum.core.errors import DomainError
from forum.core.time import end_of_day, utcnow
from forum.extensions import db

PREFIX = "vos_"
PREFIX_SHOWN = 12
MAX_DAYS = 366 * 2  # an expiry at most two years away
TOUCH_EVERY = timedelta(minutes=1)  # last-used time and address, written at most this often


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    user: User, *, name: str, scope: Scope | str, expires_on: date | None, today: date
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it with its secret, which is never shown again."""
    ensure(user, "api.use")
    name = " ".join((name or "").split())[:80]
    if not name:
        raise DomainError("Name the token, so you know later what uses it.")
    try:
        scope = Scope(scope)
    except ValueError:
        raise DomainError("Choose the token's scope: read, or read and write.") from None
    if expires_on is not None and not today < expires_on <= today + timedelta(days=MAX_DAYS):
        raise DomainError("The expiry date must be after today and at most two years away.")
    raw = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        user=user,
        name=name,
        prefix=raw[:PREFIX_SHOWN],
        token_hash=digest(raw),
        scope=scope,
        session_version=user.session_version,
        expires_at=end_of_day(expires_on) if expires_on else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", actor=user, target=user, token=token.prefix, scope=str(scope))
    return token, raw


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Revoke a token: its owner, or an admin."""
    ensure(actor, "api.token_revoke", token)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record("api_token.revoke", actor=actor, target=token.user, token=token.prefix)


def find_live(raw: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this secret, or None (unknown, revoked, expired, or its user was
    signed out or deactivated since)."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == digest(raw))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.is_live(now):
        return None
    return token


def touch(token: ApiToken, address: str | None, now: datetime | None = None) -> bool:
    """Note when and from where the token was last used; True if that changed anything."""
    now = now or utcnow()
    address = (address or "")[:45] or None
    if (
        token.last_used_at is not None
        and now - token.last_used_at < TOUCH_EVERY
        and token.last_used_ip == address
    ):
        return False
    token.last_used_at, token.last_used_ip = now, address
    db.session.flush()
    return True


def tokens_of(user: User) -> list[ApiToken]:
    """A user's tokens, newest first (revoked ones too, for the record)."""
    return db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def every_token() -> list[ApiToken]:
    """Every user's tokens that are not revoked, for admins."""
    return db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
