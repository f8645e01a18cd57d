"""The JSON API: the same permissions, filters and shielding as the pages.

Session-cookie authenticated; state-changing calls (none yet) need the CSRF token header.
"""

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user

from forum.auth.permissions import require
from forum.feedback import queries
from forum.feedback.models import Post
from forum.feedback.shielding import author_label, can_see_author

bp = Blueprint("api", __name__, url_prefix="/api")


def _money(value) -> str | None:
    return None if value is None else str(value)


def post_json(post: Post, comments: int | None = None, fix_status: str | None = None) -> dict:
    """A post as JSON; a shielded author appears only as the shield label."""
    visible = can_see_author(current_user, post)
    data = {
        "id": post.id,
        "url": url_for("feedback.detail", post_id=post.id, _external=False),
        "kind": post.kind,
        "status": post.status,
        "title": post.title,
        "body": post.body,
        "author": {
            "label": author_label(current_user, post),
            "id": post.author_id if visible else None,
        },
        "shielded": post.shielded,
        "region": post.region.name if post.region else None,
        "team": post.team.name if post.team else None,
        "account": {"id": post.account.id, "name": post.account.name} if post.account else None,
        "tags": [t.name for t in post.tags],
        "corroborations": post.corroboration_count,
        "total_at_risk": _money(post.total_at_risk),
        "currency": post.currency,
        # With its "me too"s, each account once, per currency (never added across them).
        "at_risk_by_currency": {m.currency: _money(m.amount) for m in post.at_risk_totals},
        "created_at": post.created_at.isoformat(),
    }
    if comments is not None:
        data["comments"] = comments
    if post.fix_id:
        data["fix"] = {
            "id": post.fix_id,
            "status": fix_status,
            "url": url_for("fixes.detail", fix_id=post.fix_id),
        }
    if post.kind == "win_loss":
        data.update(
            outcome=post.outcome,
            deal_value=_money(post.deal_value),
            stage=post.stage,
            competitor=post.competitor.name if post.competitor else None,
        )
    if post.kind == "broken_promise":
        data.update(
            promised=post.promised,
            impact=post.impact,
            revenue_at_risk=_money(post.revenue_at_risk),
            promised_date=post.promised_date.isoformat() if post.promised_date else None,
        )
    return data


@bp.get("/posts")
@require("post.view")
def posts():
    """The feed as JSON, with the feed's filters and cursor."""
    f = queries.FeedFilter.from_args(request.args)  # BadFilter: 400
    rows, next_cursor = queries.feed_page(f, current_user, request.args.get("after"))
    return jsonify(posts=[post_json(p, n, s) for p, n, s in rows], next=next_cursor)


@bp.get("/posts/<int:post_id>")
@require("post.view")
def post(post_id: int):
    """One post as JSON."""
    return jsonify(post_json(queries.visible_post_or_404(post_id, current_user)))
