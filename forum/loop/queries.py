"""Read models of the follow-ups: a rep's own, one follow-up's page, and the customers not yet
told that leaders oversee (which name a shielded report's author by the shield only)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum.auth.models import User
from forum.core import settings
from forum.extensions import db
from forum.feedback.models import Post
from forum.feedback.shielding import author_label
from forum.fixes.models import Fix, FixStatus
from forum.loop.models import CLOSED_STATES, FIRST_STATE, FollowUp, FollowUpKind, FollowUpState

PENDING = sorted({*FIRST_STATE.values(), FollowUpState.INFORMED, FollowUpState.REENGAGED})
WAITING_LIMIT = 200


def _loaded():
    return (
        joinedload(FollowUp.fix),
        joinedload(FollowUp.post).joinedload(Post.account),
        joinedload(FollowUp.post).joinedload(Post.competitor),
    )


def my_follow_ups(user: User, *, pending_only: bool = True) -> list[FollowUp]:
    """``user``'s follow-ups, the ones waiting for them first (oldest first), then done ones."""
    query = sa.select(FollowUp).options(*_loaded()).where(FollowUp.rep_id == user.id)
    if pending_only:
        query = query.where(FollowUp.state.in_(PENDING))
    else:
        query = query.where(FollowUp.state != FollowUpState.WITHDRAWN)
    closed = sa.case((FollowUp.state.in_(sorted(CLOSED_STATES)), 1), else_=0)
    return db.session.scalars(query.order_by(closed, FollowUp.created_at, FollowUp.id)).all()


@dataclass
class MyCounts:
    customers_to_tell: int = 0
    customers_informed: int = 0
    trust_restored: int = 0
    deals_to_reengage: int = 0
    deals_reengaged: int = 0
    won_back: int = 0


def my_counts(user: User) -> MyCounts:
    """How far ``user`` has taken their follow-ups (one statement)."""
    rows = db.session.execute(
        sa.select(FollowUp.state, sa.func.count())
        .where(FollowUp.rep_id == user.id)
        .group_by(FollowUp.state)
    ).all()
    n = {FollowUpState(s): c for s, c in rows}
    S = FollowUpState
    return MyCounts(
        customers_to_tell=n.get(S.TO_TELL, 0),
        customers_informed=n.get(S.INFORMED, 0)
        + n.get(S.TRUST_RESTORED, 0)
        + n.get(S.STILL_UNHAPPY, 0),
        trust_restored=n.get(S.TRUST_RESTORED, 0),
        deals_to_reengage=n.get(S.TO_REENGAGE, 0),
        deals_reengaged=n.get(S.REENGAGED, 0) + n.get(S.WON_BACK, 0),
        won_back=n.get(S.WON_BACK, 0),
    )


def follow_up(follow_up_id: int) -> FollowUp | None:
    return db.session.get(
        FollowUp,
        follow_up_id,
        options=[
            *_loaded(),
            joinedload(FollowUp.post).selectinload(Post.secondary_reasons),
            selectinload(FollowUp.events),
        ],
    )


@dataclass(frozen=True)
class Waiting:
    """A customer not yet told, for leaders: the rep is named unless the report is shielded."""

    follow_up_id: int
    post_id: int
    title: str
    account: str
    fix_id: int
    fix_title: str
    verified_at: datetime
    rep: str


def waiting_after(now: datetime) -> datetime:
    return now - timedelta(days=settings.get("customer_told_days"))


def not_yet_told_query(now: datetime):
    """Customer follow-ups still to do whose fix was verified ``customer_told_days`` ago."""
    return (
        sa.select(FollowUp)
        .join(Fix, FollowUp.fix_id == Fix.id)
        .where(
            FollowUp.kind == FollowUpKind.CUSTOMER,
            FollowUp.state == FollowUpState.TO_TELL,
            Fix.status == FixStatus.VERIFIED,
            Fix.verified_at <= waiting_after(now),
        )
    )


def not_yet_told_count(now: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(not_yet_told_query(now).subquery())
    )


def not_yet_told(viewer: User, now: datetime) -> list[Waiting]:
    """The customers not yet told, longest-waiting first (two statements)."""
    rows = db.session.scalars(
        not_yet_told_query(now)
        .options(
            *_loaded(),
            joinedload(FollowUp.post).joinedload(Post.author),
            joinedload(FollowUp.post).joinedload(Post.region),
        )
        .order_by(Fix.verified_at, FollowUp.id)
        .limit(WAITING_LIMIT)
    ).all()
    return [
        Waiting(
            follow_up_id=f.id,
            post_id=f.post_id,
            title=f.post.title,
            account=f.post.account.name if f.post.account else "",
            fix_id=f.fix_id,
            fix_title=f.fix.title,
            verified_at=f.fix.verified_at,
            rep=author_label(viewer, f.post),
        )
        for f in rows
    ]
