"""/api/v1/fixes: the list with its filters, one fix, its hash-chained history, moving it
along the workflow table (with the version the move is based on) and commenting."""

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.v1 import auth
from forum.api.v1 import schemas as s
from forum.api.v1.present import fix_data
from forum.auth.permissions import ensure
from forum.core.errors import Conflict
from forum.core.params import arg_choice, arg_int
from forum.extensions import db
from forum.fixes import queries, services
from forum.fixes.models import FixStatus, Priority

bp = Blueprint("api_fixes", __name__, url_prefix="/api/v1/fixes", description="Operational fixes")
auth.protect(bp)


@bp.route("")
class Fixes(MethodView):
    @bp.arguments(s.FixArgsSchema, location="query", as_kwargs=True)
    @bp.response(200, s.FixPageSchema)
    def get(self, **_):
        """Fixes, by status (open ones unless asked), owner team, priority and overdue."""
        ensure(current_user, "fix.view")
        status = arg_choice(
            "status", {"active", "any"} | {x.value for x in FixStatus}, "active", "Unknown status."
        )
        team = arg_int("team", min=1, message="Unknown team.")
        priority = arg_choice("priority", {p.value for p in Priority}, message="Unknown priority.")
        overdue = request.args.get("overdue") == "1"
        page = queries.fix_list(status=status, team=team, priority=priority, overdue=overdue)
        return {
            "fixes": [fix_data(f, current_user) for f in page.items],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
        }


@bp.route("/<int:fix_id>")
class OneFix(MethodView):
    @bp.response(200, s.FixSchema)
    def get(self, fix_id: int):
        """One fix, with the moves you may make now."""
        ensure(current_user, "fix.view")
        return fix_data(queries.visible_fix_or_404(fix_id, current_user), current_user)


@bp.route("/<int:fix_id>/history")
class History(MethodView):
    @bp.response(200, s.HistorySchema)
    def get(self, fix_id: int):
        """The fix's history as its page shows it to you, and whether its hash chain holds."""
        ensure(current_user, "fix.view")
        fix = queries.visible_fix_or_404(fix_id, current_user)
        page = queries.fix_page(fix, current_user)
        entries = [
            {
                "at": at,
                "who": who,
                "kind": str(e.kind),
                "from_value": said.from_value,
                "to_value": said.to_value,
                "note": said.note,
            }
            for what, at, e, who, said in page.timeline
            if what == "event"
        ]
        return {
            "entries": entries,
            "chain": {"intact": page.chain.intact, "entries": page.chain.entries},
        }


@bp.route("/<int:fix_id>/transitions")
class Transitions(MethodView):
    @bp.arguments(s.TransitionSchema)
    @bp.response(200, s.FixSchema)
    def post(self, data, fix_id: int):
        """Move the fix (the workflow table decides who may). A move based on an old
        ``version`` is a 409 saying what changed since."""
        fix = queries.visible_fix_or_404(fix_id, current_user)
        try:
            services.transition(
                fix,
                data["to"],
                actor=current_user,
                version=data["version"],
                note=data["note"],
                resolution_note=data["resolution_note"],
                root_cause_id=data["root_cause_id"],
                prevention=data["prevention"],
            )
        except Conflict as exc:
            if "changes" not in exc.details:
                raise
            db.session.rollback()
            fix = queries.visible_fix_or_404(fix_id, current_user)
            raise Conflict(
                queries.stale_message(fix, exc.details["changes"], current_user),
                version=fix.version,
                status=str(fix.status),
            ) from None
        db.session.commit()
        return fix_data(fix, current_user)


@bp.route("/<int:fix_id>/comments")
class FixComments(MethodView):
    @bp.arguments(s.FixCommentCreateSchema)
    @bp.response(201, s.FixSchema)
    def post(self, data, fix_id: int):
        """Comment on the fix."""
        fix = queries.visible_fix_or_404(fix_id, current_user)
        ensure(current_user, "fix.comment")
        services.add_comment(fix, current_user, data["body"])
        db.session.commit()
        return fix_data(fix, current_user)
