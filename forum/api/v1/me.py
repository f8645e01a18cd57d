"""/api/v1/me and /api/v1/notifications: the caller, and their own notifications."""

import sqlalchemy as sa
from flask import abort, g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.v1 import auth
from forum.api.v1 import schemas as s
from forum.auth.permissions import ensure
from forum.core.pagination import paginate
from forum.extensions import db
from forum.notify import services as notify_services
from forum.notify.models import Notification

bp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="You and your notifications")
auth.protect(bp)


@bp.route("/me")
class Me(MethodView):
    @bp.response(200, s.MeSchema)
    def get(self):
        """Who you are to the API, and the token you called with."""
        user = current_user
        token = g.get("api_token")
        return {
            "id": user.id,
            "display_name": user.display_name,
            "email": user.email,
            "role": str(user.role),
            "team": {"id": user.team.id, "name": user.team.name} if user.team else None,
            "token": (
                {"prefix": token.prefix, "scope": str(token.scope), "expires_at": token.expires_at}
                if token
                else None
            ),
        }


def _notification(n: Notification) -> dict:
    return {
        "id": n.id,
        "event": n.event,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@bp.route("/notifications")
class Notifications(MethodView):
    @bp.arguments(s.PageArgsSchema, location="query", as_kwargs=True)
    @bp.response(200, s.NotificationPageSchema)
    def get(self, **_):
        """Your notifications, newest first (30 a page)."""
        ensure(current_user, "notify.view")
        page = paginate(
            sa.select(Notification)
            .where(Notification.user_id == current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()),
            per_page=30,
        )
        return {
            "notifications": [_notification(n) for n in page.items],
            "unread": notify_services.unread_count(current_user),
        }


@bp.route("/notifications/<int:notification_id>/read")
class MarkRead(MethodView):
    @bp.response(200, s.NotificationSchema)
    def post(self, notification_id: int):
        """Mark one of your notifications read."""
        ensure(current_user, "notify.view")
        notification = db.session.get(Notification, notification_id)
        if notification is None or notification.user_id != current_user.id:
            abort(404)  # someone else's answers like a missing one
        notify_services.mark_read(current_user, notification)
        db.session.commit()
        return _notification(notification)
