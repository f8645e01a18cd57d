"""/api/v1/triage: a leader's actions on one untriaged report, through the triage services."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.v1 import auth
from forum.api.v1 import schemas as s
from forum.api.v1.present import post_data
from forum.auth.permissions import ensure
from forum.core.errors import DomainError
from forum.extensions import db
from forum.feedback import queries
from forum.feedback.models import Post
from forum.fixes.models import Fix
from forum.triage import services

bp = Blueprint("api_triage", __name__, url_prefix="/api/v1/triage", description="Triage")
auth.protect(bp)


def _act(post: Post, data: dict) -> None:
    action, text = data["action"], data["text"]
    if action == "decline":
        services.decline(post, actor=current_user, reason=text)
    elif action == "needs_info":
        services.ask_for_info(post, actor=current_user, question=text)
    elif action == "note":
        services.note(post, actor=current_user, remark=text)
    elif action == "duplicate":
        original = db.session.get(Post, data.get("original_id") or 0)
        if original is None:
            raise DomainError("Name the report it repeats (original_id).")
        services.mark_duplicate(post, original, actor=current_user)
    else:
        fix = db.session.get(Fix, data.get("fix_id") or 0)
        if fix is None:
            raise DomainError("Name the fix to link it to (fix_id).")
        services.attach_to_fix(post, fix, actor=current_user)


@bp.route("/posts/<int:post_id>")
class TriagePost(MethodView):
    @bp.arguments(s.TriageSchema)
    @bp.response(200, s.PostSchema)
    def post(self, data, post_id: int):
        """Decline, ask for information, note, merge as a duplicate, or link to a fix."""
        ensure(current_user, "triage.act", message="Only leaders triage reports.")
        post = queries.visible_post_or_404(post_id, current_user)
        _act(post, data)
        db.session.commit()
        return post_data(post, current_user)
