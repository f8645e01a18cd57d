"""Closing the loop: in-app notifications, e-mail through a durable outbox, preferences, digests."""

from flask import Flask, g
from flask_login import current_user

from forum.notify import mentions, receivers
from forum.notify.services import unread_count


def unread_notifications() -> int:
    """The signed-in user's unread count, for the header (one query per request)."""

    if not current_user or not current_user.is_authenticated:
        return 0
    # A database failure is not caught here: swallowed, it would leave the connection invalid
    # and the page's next statement would raise a 500. It reaches the 503 handler, and an error
    # page drawn after one falls back to the frameless page (forum.core.errors.render_error).
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user)
    return g.unread_notifications


def init_app(app: Flask) -> None:
    """Listen to the domains' signals; give templates the unread count and the @mention rule."""

    receivers.connect()
    app.jinja_env.globals.update(
        unread_notifications=unread_notifications, mention_hint=mentions.HINT
    )
