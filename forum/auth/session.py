"""Loading the signed-in user from the session cookie."""

from forum.auth.models import User
from forum.core.params import to_id, to_int
from forum.extensions import db


def load_user(user_id: str) -> User | None:
    """Return the user only if the cookie's session version is current and the user active."""
    ident, _, version = (user_id or "").partition(":")
    try:
        ident, version = to_id(ident), to_int(version)
    except ValueError:
        return None
    user = db.session.get(User, ident)
    if user is None or not user.active or user.session_version != version:
        return None
    return user
