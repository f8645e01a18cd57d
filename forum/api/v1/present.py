"""What the API shows of a post, a fix or a notification, as the viewer may see it: the same
shielding as the pages (``forum/feedback/shielding.py``) on every field."""

from flask import url_for

from forum.feedback.models import Post
from forum.feedback.shielding import author_label, can_see_author
from forum.fixes import workflow
from forum.fixes.models import Fix


def _money(value) -> str | None:
    return None if value is None else str(value)


def post_data(post: Post, viewer, comments: int | None = None, fix_status=None) -> dict:
    """A post; a shielded author appears only as the shield label, with no id."""
    visible = can_see_author(viewer, post)
    win_loss, promise = post.kind == "win_loss", post.kind == "broken_promise"
    return {
        "id": post.id,
        "url": url_for("feedback.detail", post_id=post.id),
        "kind": post.kind,
        "status": post.status,
        "version": post.version,
        "title": post.title,
        "body": post.body,
        "author": {"label": author_label(viewer, post), "id": post.author_id if visible else None},
        "shielded": post.shielded,
        "region": post.region.name if post.region else None,
        "team": {"id": post.team.id, "name": post.team.name} if post.team else None,
        "account": {"id": post.account.id, "name": post.account.name} if post.account else None,
        "tags": [t.name for t in post.tags],
        "corroborations": post.corroboration_count,
        "currency": post.currency,
        "at_risk_by_currency": {m.currency: str(m.amount) for m in post.at_risk_totals},
        "comments": comments,
        "fix": (
            {
                "id": post.fix_id,
                "status": fix_status,
                "url": url_for("fixes.detail", fix_id=post.fix_id),
            }
            if post.fix_id
            else None
        ),
        "created_at": post.created_at,
        "outcome": post.outcome if win_loss else None,
        "deal_value": _money(post.deal_value) if win_loss else None,
        "stage": post.stage if win_loss else None,
        "competitor": post.competitor.name if win_loss and post.competitor else None,
        "promised": post.promised if promise else None,
        "impact": post.impact if promise else None,
        "revenue_at_risk": _money(post.revenue_at_risk) if promise else None,
        "promised_date": post.promised_date if promise else None,
    }


def fix_data(fix: Fix, viewer) -> dict:
    """A fix, with the moves the workflow table offers ``viewer`` now."""
    return {
        "id": fix.id,
        "url": url_for("fixes.detail", fix_id=fix.id),
        "title": fix.title,
        "problem": fix.problem,
        "status": fix.status,
        "priority": fix.priority,
        "version": fix.version,
        "owner_team": {"id": fix.owner_team.id, "name": fix.owner_team.name},
        "assignee": fix.assignee.display_name if fix.assignee else None,
        "due_at": fix.due_at,
        "created_at": fix.created_at,
        "resolved_at": fix.resolved_at,
        "moves": [str(to) for to in workflow.allowed_moves(viewer, fix)],
    }
