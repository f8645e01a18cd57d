"""The demo shows the end of the loop: customers informed, trust restored, and a lost deal
re-engaged and won back — each mark in its follow-up's history, by its rep."""

import pytest
import sqlalchemy as sa

from forum.board import filters
from forum.board.queries.comeback import comebacks
from forum.core.time import utcnow
from forum.demo import seed
from forum.demo.follow_ups import WON_BACK_TITLE
from forum.extensions import db
from forum.feedback.models import Post
from forum.loop.models import FollowUp, FollowUpEvent, FollowUpState

S = FollowUpState


@pytest.fixture(scope="module")
def demo_world(module_app):
    with module_app.app_context():
        seed("demo-password-for-tests")
        db.session.commit()
    return module_app


@pytest.fixture
def demo(app, demo_world):
    return app


def test_the_demo_has_customers_told_trust_restored_and_a_deal_won_back(demo):
    with demo.app_context():
        states = set(db.session.scalars(sa.select(FollowUp.state)))
        assert {S.TO_TELL, S.INFORMED, S.TRUST_RESTORED, S.WON_BACK} <= states
        deal = db.session.scalar(sa.select(Post).where(Post.title == WON_BACK_TITLE))
        task = db.session.scalar(sa.select(FollowUp).where(FollowUp.post_id == deal.id))
        marks = db.session.scalars(
            sa.select(FollowUpEvent.to_state)
            .where(FollowUpEvent.follow_up_id == task.id, FollowUpEvent.actor_id == task.rep_id)
            .order_by(FollowUpEvent.id)
        ).all()
        assert marks == ["reengaged", "won_back"]
        f = filters.parse({}, [], utcnow().date(), default_period="all", allow_all=True)
        assert any(c.won_back.deals for c in comebacks(f).lost)


def test_seeding_again_marks_nothing_twice(demo):
    with demo.app_context():
        before = db.session.scalar(sa.select(sa.func.count(FollowUpEvent.id)))
        summary = seed("demo-password-for-tests")
        assert any("follow-ups exist already" in line for line in summary)
        assert db.session.scalar(sa.select(sa.func.count(FollowUpEvent.id))) == before
        db.session.rollback()
