"""Read models for the landing page: what each role has waiting for it."""

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.permissions import can
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Corroboration, Post, PostStatus
from forum.fixes.models import OPEN_STATUSES, Escalation, Fix, FixStatus
from forum.loop import queries as follow_ups
from forum.loop.models import FollowUpKind


def awaiting_my_verification(user: User) -> list[Fix]:
    """Resolved fixes of posts the user reported or corroborated: 'did this fix hold?'"""
    mine = sa.select(Post.fix_id).where(Post.author_id == user.id, Post.fix_id.is_not(None))
    corroborated = (
        sa.select(Post.fix_id)
        .join(Corroboration, Corroboration.post_id == Post.id)
        .where(Corroboration.user_id == user.id, Post.fix_id.is_not(None))
    )
    return db.session.scalars(
        sa.select(Fix)
        .where(
            Fix.status == FixStatus.RESOLVED,
            Fix.id.in_(mine.union(corroborated).subquery().select()),
        )
        .order_by(Fix.resolved_at)
    ).all()


def landing(user: User) -> dict:
    """The landing page's figures and lists for ``user``, as template variables."""
    now = utcnow()
    open_statuses = OPEN_STATUSES
    ctx: dict = {"now": now}
    if can(user, "post.create"):
        ctx["verify"] = awaiting_my_verification(user)
        pending = follow_ups.my_follow_ups(user)
        ctx["customers_to_tell"] = [f for f in pending if f.kind == FollowUpKind.CUSTOMER]
        ctx["deals_to_reengage"] = [f for f in pending if f.kind == FollowUpKind.DEAL]
        ctx["my_posts"] = db.session.scalars(
            sa.select(Post)
            .where(Post.author_id == user.id)
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(5)
        ).all()
    if can(user, "fix.work") and user.team_id:
        team_fixes = sa.select(Fix).where(
            Fix.owner_team_id == user.team_id, Fix.status.in_(open_statuses)
        )
        ctx["queue_open"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(team_fixes.subquery())
        )
        ctx["queue_overdue"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(team_fixes.where(Fix.due_at < now).subquery())
        )
        ctx["queue_new"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(
                team_fixes.where(Fix.status == FixStatus.OPEN).subquery()
            )
        )
    if can(user, "fix.escalations"):
        ctx["my_escalations"] = db.session.scalar(
            sa.select(sa.func.count(Escalation.id)).where(
                Escalation.to_user_id == user.id, Escalation.acknowledged_at.is_(None)
            )
        )
    if can(user, "triage.view"):
        ctx["inbox"] = db.session.scalar(
            sa.select(sa.func.count(Post.id)).where(Post.status == PostStatus.NEW)
        )
    if can(user, "followup.oversee"):
        ctx["not_told"] = follow_ups.not_yet_told_count(now)
    if can(user, "board.view"):
        ctx["overdue"] = db.session.scalar(
            sa.select(sa.func.count(Fix.id)).where(Fix.status.in_(open_statuses), Fix.due_at < now)
        )
    return ctx
