"""The end of the loop in the demo: customers told of verified fixes (some trust restored, one
still unhappy), and a deal lost to a broken promise re-engaged and won back once its fix held.

Verifying the demo fixes opened the follow-ups (``forum.loop``); this walks some of them on
through the same services, so every mark is in their history. Idempotent: it does nothing once
the won-back deal exists.
"""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from forum.auth.models import User
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Outcome, Post, PostKind
from forum.fixes.models import Fix, FixStatus
from forum.loop import services
from forum.loop.models import FollowUp, FollowUpKind, FollowUpState
from forum.taxonomy.models import ReasonBranch, TaxonomyKind, TaxonomyTerm

S = FollowUpState
WON_BACK_TITLE = "Lost the renewal after the late pallets — back on the table"


def _day(follow_up: FollowUp, days: int):
    return min(utcnow().date(), follow_up.fix.verified_at.date() + timedelta(days=days))


def _won_back_deal(fix: Fix, promise: Post) -> Post | None:
    """A lost deal of the promise's rep, its delivery reason pointing at the broken promise."""
    reason = db.session.scalar(
        sa.select(TaxonomyTerm)
        .where(
            TaxonomyTerm.kind == TaxonomyKind.REASON, TaxonomyTerm.branch == ReasonBranch.DELIVERY
        )
        .order_by(TaxonomyTerm.id)
        .limit(1)
    )
    competitor = db.session.scalar(
        sa.select(TaxonomyTerm)
        .where(TaxonomyTerm.kind == TaxonomyKind.COMPETITOR)
        .order_by(TaxonomyTerm.id)
        .limit(1)
    )
    if reason is None:
        return None
    deal = Post(
        kind=PostKind.WIN_LOSS,
        title=WON_BACK_TITLE,
        body=(
            "The buyer liked the product but would not renew after the late delivery. "
            f"They told us: fix the lead times and call us again. ({promise.title})"
        ),
        author_id=promise.author_id,
        region_id=promise.region_id,
        account_id=promise.account_id,
        outcome=str(Outcome.LOST),
        deal_value=Decimal("84000"),
        currency=promise.currency or "USD",
        competitor=competitor,
        primary_reason=reason,
        cause_post_id=promise.id,
        created_at=fix.created_at,
    )
    db.session.add(deal)
    db.session.flush()
    return deal


def seed_follow_ups(users: dict[str, User]) -> int:
    """Walk the demo's follow-ups along; returns how many were marked. Flushes."""
    if db.session.scalar(sa.select(Post.id).where(Post.title == WON_BACK_TITLE)) is not None:
        return 0
    customers = db.session.scalars(
        sa.select(FollowUp)
        .join(Fix, FollowUp.fix_id == Fix.id)
        .where(
            FollowUp.kind == FollowUpKind.CUSTOMER,
            FollowUp.state == S.TO_TELL,
            Fix.status == FixStatus.VERIFIED,
        )
        .order_by(Fix.verified_at, FollowUp.id)
    ).all()
    marked = 0
    # The rep's own demo account (rep@example.com) keeps one customer to tell on first sign-in.
    riley = users.get("rep@example.com")
    kept = next((f for f in reversed(customers) if riley and f.rep_id == riley.id), None)
    for i, follow_up in enumerate(customers):
        if follow_up is kept or i % 3 == 2:
            continue  # not yet told: the leaders' list shows the older ones
        rep = follow_up.rep
        services.move(
            follow_up, S.INFORMED, actor=rep, on=_day(follow_up, 2), note="Called the buyer"
        )
        marked += 1
        if i % 3 == 0 or i == 1:
            answer = S.STILL_UNHAPPY if i == 3 else S.TRUST_RESTORED
            note = "Wants a credit first" if answer == S.STILL_UNHAPPY else "Happy to order again"
            services.move(follow_up, answer, actor=rep, note=note)
            marked += 1
    # One lost deal comes back: the promise behind it is made good, its rep wins it back.
    story = next((f for f in customers if f.post.account_id is not None), None)
    if story is not None:
        deal = _won_back_deal(story.fix, story.post)
        if deal is not None:
            services.open_for_fix(story.fix)
            task = db.session.scalar(sa.select(FollowUp).where(FollowUp.post_id == deal.id))
            services.move(task, S.REENGAGED, actor=task.rep, on=_day(task, 3), note="Lunch booked")
            services.move(task, S.WON_BACK, actor=task.rep, note="Renewed for two years")
            marked += 2
    db.session.flush()
    return marked
