"""The benchmark organisation (``flask seed-bench``): a consistent world at the tiny scale."""

import random
from collections import Counter

import pytest
import sqlalchemy as sa

from forum import search
from forum.auth.models import Role, User
from forum.bench import reports, texts
from forum.bench.people import plan_people
from forum.bench.scales import SCALES
from forum.bench.seed import NotEmpty, seed_bench
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Comment, Corroboration, Post, PostEvent, PostStatus
from forum.fixes.history import verify_all
from forum.fixes.models import OPEN_STATUSES, EventKind, Fix, FixEvent, FixStatus
from forum.fixes.workflow import TRANSITIONS

T = SCALES["T"]


@pytest.fixture(scope="module")
def world(module_app):
    """The tiny benchmark organisation, built once for the module."""
    with module_app.app_context():
        summary = seed_bench("T", "bench-password", echo=lambda _: None)
    return summary


@pytest.fixture
def ctx(app, world):
    """An app context on the world (each test in a rolled-back transaction)."""
    with app.app_context():
        yield world


def test_the_world_has_the_scales_sizes(ctx):
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == T.users
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == T.reports
    assert db.session.scalar(sa.select(sa.func.count(Fix.id))) == T.fixes
    comments = db.session.scalar(sa.select(sa.func.count(Comment.id)))
    assert comments == ctx["rows"]["comments"]
    assert T.comments * 0.8 <= comments <= T.comments * 1.2
    entries = db.session.scalar(sa.select(sa.func.count(FixEvent.id)))
    assert T.history * 0.8 <= entries <= T.history * 1.2


def test_the_people_benchmarks_sign_in_as_exist_with_their_roles(ctx):
    roles = dict(db.session.execute(sa.select(User.email, User.role)).all())
    assert roles["leader@example.com"] == Role.LEADER
    assert roles["rep@example.com"] == Role.REP
    assert roles["ops@example.com"] == Role.OPS
    assert roles["admin@example.com"] == Role.ADMIN


def test_every_history_chain_verifies(ctx):
    reports_ = list(verify_all())
    assert len(reports_) == T.fixes
    assert all(r.intact for r in reports_), [r.problem for r in reports_ if not r.intact]


def test_every_fix_walked_the_workflow_table_to_its_status(ctx):
    fixes = {f.id: f for f in db.session.scalars(sa.select(Fix))}
    moves: dict[int, list[FixEvent]] = {i: [] for i in fixes}
    for e in db.session.scalars(sa.select(FixEvent).order_by(FixEvent.fix_id, FixEvent.seq)):
        moves[e.fix_id].append(e)
    for fix_id, entries in moves.items():
        fix = fixes[fix_id]
        assert entries[0].kind == EventKind.CREATED
        status = FixStatus.OPEN
        for e in entries[1:]:
            if e.kind == EventKind.STATUS:
                assert e.from_value == status
                assert (status, FixStatus(e.to_value)) in TRANSITIONS
                status = FixStatus(e.to_value)
            else:
                assert status in OPEN_STATUSES  # reassigned or re-prioritised while open
        assert fix.status == status
        assert fix.version == entries[-1].version_after == len(entries)
        assert (fix.closed_at is not None) == (status in {FixStatus.VERIFIED, FixStatus.WONT_FIX})
        if status in {FixStatus.RESOLVED, FixStatus.VERIFIED}:
            assert fix.root_cause_id is not None and fix.resolved_at is not None


def test_the_longest_history_and_thread_are_there(ctx):
    longest = db.session.scalar(
        sa.select(sa.func.count(FixEvent.id))
        .group_by(FixEvent.fix_id)
        .order_by(sa.func.count(FixEvent.id).desc())
        .limit(1)
    )
    assert longest == T.longest_history
    thread = db.session.scalar(
        sa.select(sa.func.count(Comment.id))
        .group_by(Comment.post_id)
        .order_by(sa.func.count(Comment.id).desc())
        .limit(1)
    )
    assert thread == T.longest_thread


def test_report_statuses_agree_with_their_links(ctx):
    for post in db.session.scalars(sa.select(Post)):
        assert (post.fix_id is not None) == (post.status == PostStatus.LINKED)
        assert (post.duplicate_of_id is not None) == (post.status == PostStatus.DUPLICATE)
        if post.duplicate_of_id is not None:
            assert post.duplicate_of_id < post.id
        assert (post.triaged_at is None) == (post.status in {PostStatus.NEW, PostStatus.NEEDS_INFO})
    events = Counter(db.session.scalars(sa.select(PostEvent.post_id)))
    untouched = db.session.scalars(sa.select(Post.id).where(Post.status == PostStatus.NEW))
    assert not any(events[i] for i in untouched)


def test_corroboration_counts_match_and_nobody_corroborates_their_own_report(ctx):
    counted = Counter(db.session.scalars(sa.select(Corroboration.post_id)))
    for post in db.session.scalars(sa.select(Post)):
        assert post.corroboration_count == counted[post.id]
    own = db.session.scalar(
        sa.select(sa.func.count(Corroboration.id))
        .join(Post, Post.id == Corroboration.post_id)
        .where(Post.author_id == Corroboration.user_id)
    )
    assert own == 0


def test_the_search_index_is_built_and_finds_the_rare_word(ctx):
    assert ctx["documents"]["post"] == T.reports
    found = search.search(texts.RARE_WORD, {"post": None})
    assert found.total == texts.RARE_COUNT


def test_a_database_with_users_is_refused(ctx):
    with pytest.raises(NotEmpty):
        seed_bench("T", "bench-password", echo=lambda _: None)


def test_the_same_scale_plans_the_same_world():
    now = utcnow().replace(minute=0, second=0, microsecond=0)

    def plan():
        rng = random.Random("same")
        people = plan_people(rng, T, "hash", now)
        return people.users, reports.plan_reports(rng, T, people, now)

    assert plan() == plan()
