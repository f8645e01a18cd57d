"""/api/v1/posts: the feed, filing and editing reports, comments, "me too"s and following.

Views are thin: the schema parses, the policy table decides, one service acts, one commit.
"""

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.v1 import auth
from forum.api.v1 import schemas as s
from forum.api.v1.present import post_data
from forum.auth.permissions import ensure
from forum.extensions import db
from forum.feedback import queries, services
from forum.feedback.models import PostKind
from forum.feedback.shielding import person_label

bp = Blueprint(
    "api_posts", __name__, url_prefix="/api/v1/posts", description="Reports and their discussion"
)
auth.protect(bp)


def _input(data: dict, kind: PostKind) -> services.PostInput:
    fields = {k: v for k, v in data.items() if k not in {"kind", "version"}}
    fields.setdefault("tags", [])
    fields.setdefault("secondary_reason_ids", [])
    return services.PostInput(kind=kind, **fields)


@bp.route("")
class Posts(MethodView):
    @bp.arguments(s.FeedArgsSchema, location="query", as_kwargs=True)
    @bp.response(200, s.PostPageSchema)
    def get(self, **_):
        """The feed, with the feed page's filters and a cursor."""
        ensure(current_user, "post.view")
        f = queries.FeedFilter.from_args(request.args)  # BadFilter: 400
        rows, next_cursor = queries.feed_page(f, current_user, request.args.get("after"))
        return {
            "posts": [post_data(p, current_user, n, st) for p, n, st in rows],
            "next": next_cursor,
        }

    @bp.arguments(s.PostCreateSchema)
    @bp.response(201, s.PostSchema)
    def post(self, data):
        """File a report of any kind (field feedback, win/loss, broken promise)."""
        ensure(current_user, "post.create")
        post = services.create_post(current_user, _input(data, PostKind(data["kind"])))
        db.session.commit()
        return post_data(post, current_user, 0)


@bp.route("/<int:post_id>")
class OnePost(MethodView):
    @bp.response(200, s.PostSchema)
    def get(self, post_id: int):
        """One report."""
        ensure(current_user, "post.view")
        return post_data(queries.visible_post_or_404(post_id, current_user), current_user)

    @bp.arguments(s.PostEditSchema)
    @bp.response(200, s.PostSchema)
    def put(self, data, post_id: int):
        """Edit one's own report while it is untriaged (send its ``version``). Every field of
        the kind is replaced: send the whole report, as the edit form does."""
        post = queries.visible_post_or_404(post_id, current_user)
        ensure(current_user, "post.edit", post, message="Only the author may edit a report.")
        services.update_post(post, current_user, _input(data, post.kind), version=data["version"])
        db.session.commit()
        return post_data(post, current_user)


@bp.route("/<int:post_id>/comments")
class Comments(MethodView):
    @bp.response(200, s.CommentListSchema)
    def get(self, post_id: int):
        """The report's comments, and its internal notes for those who may read them."""
        post = queries.visible_post_or_404(post_id, current_user)
        return {"comments": [_comment(post, c) for c in queries.all_comments(post, current_user)]}

    @bp.arguments(s.CommentCreateSchema)
    @bp.response(201, s.CommentSchema)
    def post(self, data, post_id: int):
        """Comment, or (ops, leaders, admins) write an internal note."""
        post = queries.visible_post_or_404(post_id, current_user)
        ensure(current_user, "post.comment")
        comment = services.add_comment(post, current_user, data["body"], internal=data["internal"])
        db.session.commit()
        return _comment(post, comment)


def _comment(post, comment) -> dict:
    return {
        "id": comment.id,
        "author": person_label(current_user, post, comment.author_id, comment.author.display_name),
        "body": comment.body,
        "internal": comment.internal,
        "created_at": comment.created_at,
    }


@bp.route("/<int:post_id>/corroborations")
class Corroborations(MethodView):
    @bp.arguments(s.CorroborationCreateSchema)
    @bp.response(201, s.PostSchema)
    def post(self, data, post_id: int):
        """Say "me too", optionally naming another affected account and amount."""
        post = queries.visible_post_or_404(post_id, current_user)
        ensure(current_user, "post.corroborate", post, message="You cannot corroborate this.")
        services.corroborate(post, current_user, **data)
        db.session.commit()
        return post_data(post, current_user)

    @bp.response(200, s.PostSchema)
    def delete(self, post_id: int):
        """Take back one's "me too"."""
        post = queries.visible_post_or_404(post_id, current_user)
        ensure(current_user, "post.corroborate", post, message="You cannot corroborate this.")
        services.withdraw_corroboration(post, current_user)
        db.session.commit()
        return post_data(post, current_user)


@bp.route("/<int:post_id>/follow")
class Follow(MethodView):
    @bp.response(200, s.FollowSchema)
    def put(self, post_id: int):
        """Follow the report (its news reaches you)."""
        return _set_following(post_id, True)

    @bp.response(200, s.FollowSchema)
    def delete(self, post_id: int):
        """Stop following the report."""
        return _set_following(post_id, False)


def _set_following(post_id: int, on: bool) -> dict:
    post = queries.visible_post_or_404(post_id, current_user)
    ensure(current_user, "post.follow")
    services.set_following(current_user, post, on)
    db.session.commit()
    return {"following": on}
