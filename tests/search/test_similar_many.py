"""``similar_many`` answers, in one statement, what ``similar`` answers title by title."""

import sqlalchemy as sa

from forum import search
from forum.extensions import db
from forum.feedback.models import Post, PostStatus
from tests import factories

TITLES = [
    "Pallets delivered late to Hamburg",
    "Pallets delivered late again",
    "Late pallets in Rotterdam",
    "Invoice sent twice to Acme",
    "Invoice sent in the wrong currency",
    "Support line closed at noon",
    "Brochure typo",
    "Pallets",
    "a",
]


def _not_duplicate(post_id):
    return sa.exists().where(Post.id == post_id, Post.status != PostStatus.DUPLICATE)


def test_similar_many_agrees_with_similar_for_every_title(app, count_queries):
    with app.app_context():
        posts = [factories.post(title=t) for t in TITLES]
        posts[1].status = PostStatus.DUPLICATE
        db.session.flush()
        titles = {p.id: p.title for p in posts}
        one_by_one = {
            i: search.similar(t, "post", limit=3, scope=_not_duplicate, exclude_id=i)
            for i, t in titles.items()
        }
        with count_queries() as statements:
            together = search.similar_many(
                titles, "post", limit=3, scope=_not_duplicate, exclude_self=True
            )
        assert together == one_by_one
        assert any(together.values())
        assert len(statements) == 1


def test_similar_many_of_nothing_asks_nothing(app, count_queries):
    with app.app_context(), count_queries() as statements:
        assert search.similar_many({}, "post") == {}
        assert search.similar_many({7: "a"}, "post") == {7: []}
    assert statements == []
