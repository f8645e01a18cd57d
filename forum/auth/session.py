"""Loading the signed-in user from the session cookie."""

from forum.auth.models import User
from forum.extensions import db


def load_user(user_id: str) -> User | None:
    """Return the user only if the cookie's session version is current and the user active."""
    ident, _, version = (user_id or "").partition(":")
    if not ident.isdigit() or not version.isdigit() or len(ident) > 12:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
