"""The demo shows the buyer's voice on first run: answers on a share of the deals, buyers who
disagree with their reps, themed interview quotes, and a fix heard from buyers."""

import pytest
import sqlalchemy as sa

from forum.board import filters, queries
from forum.board.queries.agreement import agreement
from forum.buyers.models import BuyerEvidence, BuyerQuote, BuyerResponse, BuyerSurvey
from forum.core.time import utcnow
from forum.demo import seed
from forum.extensions import db
from forum.feedback.models import Post, PostKind


@pytest.fixture(scope="module")
def demo_world(module_app):
    with module_app.app_context():
        seed("demo-password-for-tests")
        db.session.commit()
    return module_app


@pytest.fixture
def demo(app, demo_world):
    return app


def test_a_share_of_the_deals_have_buyer_answers_that_agree_and_disagree(demo):
    with demo.app_context():
        deals = db.session.scalar(
            sa.select(sa.func.count(Post.id)).where(Post.kind == PostKind.WIN_LOSS)
        )
        answered = db.session.scalar(sa.select(sa.func.count(sa.distinct(BuyerResponse.post_id))))
        assert 0 < answered < deals
        f = filters.parse({"period": "year"}, queries.teams(), utcnow().date())
        data = agreement(f, queries.teams())
        assert 0 < data.matches < data.compared
        assert data.themes and data.by_rep
        assert db.session.scalar(sa.select(sa.func.count(BuyerQuote.id))) > 0
        waiting = db.session.scalar(
            sa.select(sa.func.count(BuyerSurvey.id)).where(BuyerSurvey.answered_at.is_(None))
        )
        assert waiting > 0


def test_a_fix_is_heard_from_buyers(demo, client, login):
    with demo.app_context():
        fix_id = db.session.scalar(
            sa.select(BuyerEvidence.fix_id).where(BuyerEvidence.fix_id.is_not(None))
        )
    login("leader")
    assert "Heard from" in client.get(f"/fixes/{fix_id}").get_data(as_text=True)


def test_seeding_again_adds_no_buyer(demo):
    with demo.app_context():
        before = db.session.scalar(sa.select(sa.func.count(BuyerResponse.id)))
        seed("demo-password-for-tests")
        db.session.flush()
        assert db.session.scalar(sa.select(sa.func.count(BuyerResponse.id))) == before
