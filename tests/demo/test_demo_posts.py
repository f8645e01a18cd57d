"""The demo posts: a few hundred believable reports, seeded once, fast, on existing data."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import Role
from forum.core.time import utcnow
from forum.demo import seed_organisation
from forum.demo.posts import seed_posts
from forum.extensions import db
from forum.feedback.models import Comment, Corroboration, Post
from forum.feedback.services import recompute_totals


@pytest.fixture(scope="module")
def demo_world(module_app):
    """The demo organisation and its posts, seeded once for the module and committed."""
    with module_app.app_context():
        seed_posts(seed_organisation("demo-password"))
        db.session.commit()


@pytest.fixture
def seeded(app, demo_world):
    """An app context on top of the demo posts (the test's writes are rolled back)."""
    with app.app_context():
        yield


def count(*where, model=Post) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_demo_has_a_few_hundred_posts_of_every_kind(seeded):
    kinds = dict(
        db.session.execute(sa.select(Post.kind, sa.func.count()).group_by(Post.kind)).all()
    )
    assert sum(kinds.values()) >= 250
    assert set(kinds) == {"field_feedback", "win_loss", "broken_promise"}
    assert min(kinds.values()) >= 50


def test_the_demo_posts_spread_over_the_last_nine_months(seeded):
    oldest = db.session.scalar(sa.select(sa.func.min(Post.created_at)))
    newest = db.session.scalar(sa.select(sa.func.max(Post.created_at)))
    assert utcnow() - oldest > timedelta(days=240)
    assert utcnow() - newest < timedelta(days=7)


def test_seeding_again_adds_no_posts(seeded):
    before = count()
    assert seed_posts({}) == ["Posts exist already: demo posts are not seeded again."]
    assert count() == before


def test_only_reps_shield_their_demo_posts(seeded):
    shielded = db.session.scalars(sa.select(Post).where(Post.shielded)).all()
    assert shielded
    assert {p.author.role for p in shielded} == {Role.REP}


def test_demo_posts_have_internal_notes_by_staff_only(seeded):
    notes = db.session.scalars(sa.select(Comment).where(Comment.internal)).all()
    assert notes
    assert Role.REP not in {c.author.role for c in notes}


def test_nobody_corroborates_their_own_demo_post(seeded):
    own = sa.select(sa.func.count(Corroboration.id)).join(Post, Post.id == Corroboration.post_id)
    assert db.session.scalar(own.where(Post.author_id == Corroboration.user_id)) == 0
    assert count(model=Corroboration) > 100


def test_demo_counters_and_risk_totals_match_the_corroborations(seeded):
    for post in db.session.scalars(sa.select(Post)).all():
        seeded_totals = (post.corroboration_count, post.total_at_risk)
        recompute_totals(post)
        assert (post.corroboration_count, post.total_at_risk) == seeded_totals


def test_demo_post_ids_follow_the_order_they_were_filed(seeded):
    dates = db.session.scalars(sa.select(Post.created_at).order_by(Post.id)).all()
    assert dates == sorted(dates)


def test_every_demo_duplicate_points_at_an_earlier_original(seeded):
    duplicates = db.session.scalars(sa.select(Post).where(Post.status == "duplicate")).all()
    assert duplicates
    assert all(p.duplicate_of and p.duplicate_of.created_at < p.created_at for p in duplicates)


def test_win_loss_demo_posts_have_outcomes_and_values(seeded):
    posts = db.session.scalars(sa.select(Post).where(Post.kind == "win_loss")).all()
    assert {p.outcome for p in posts} == {"won", "lost", "no_decision", "open"}
    assert all(p.deal_value and p.primary_reason for p in posts)


def test_broken_promise_demo_posts_have_their_essentials(seeded):
    posts = db.session.scalars(sa.select(Post).where(Post.kind == "broken_promise")).all()
    assert all(p.promised and p.account and p.team.kind == "operations" for p in posts)
    assert any(p.commitment for p in posts)
