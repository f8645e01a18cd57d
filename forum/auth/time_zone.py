"""A person's own time zone: chosen in their settings, or taken once from the browser at the
first sign-in. Both flush; the caller commits."""

from forum.auth.models import User
from forum.core import zones
from forum.extensions import db


def set_time_zone(user: User, name: str | None) -> None:
    """Show ``user`` times in ``name`` (an IANA zone; empty: the organisation's). Flushes;
    DomainError for a name that is no zone."""
    user.time_zone = zones.check_zone(name) if name else None
    db.session.flush()


def take_browser_zone(user: User, name: str | None) -> bool:
    """Take the browser's zone for ``user`` if they have none yet; False (and nothing
    changed) when they have one or the browser's is no zone we know. Flushes."""
    name = (name or "").strip()
    if user.time_zone is not None or not zones.is_zone(name):
        return False
    user.time_zone = name
    db.session.flush()
    return True
