"""A shield label never narrows to one person: it names the author's region only when that
region has at least ``SHIELD_MIN_REGION_REPS`` reps (3 unless configured)."""

import pytest

import config
from forum.extensions import db
from forum.feedback.models import Post
from forum.feedback.shielding import shield_label
from tests import factories

NAME = "Sam Shielded"


def test_the_default_needs_three_reps_in_a_region():
    assert config.Config.SHIELD_MIN_REGION_REPS == 3


@pytest.fixture
def shielded_in(app):
    """``shielded_in(reps)``: a shielded report by the one of ``reps`` reps of a region."""

    def _make(reps: int) -> int:
        with app.app_context():
            region = factories.team("sales", name="Nordics")
            author = factories.user("rep", team_obj=region, display_name=NAME)
            for _ in range(reps - 1):
                factories.user("rep", team_obj=region)
            post = factories.post(author=author, shielded=True, region=region)
            db.session.commit()
            return post.id

    return _make


@pytest.mark.parametrize(
    "reps, label", [(1, "A verified rep"), (2, "A verified rep"), (3, "A verified rep (Nordics)")]
)
def test_the_label_names_the_region_only_when_it_has_enough_reps(
    app, client, login, shielded_in, reps, label
):
    app.config["SHIELD_MIN_REGION_REPS"] = 3
    post_id = shielded_in(reps)
    login("leader")
    page = client.get(f"/posts/{post_id}").get_data(as_text=True)
    assert NAME not in page
    assert label in page
    assert ("A verified rep (Nordics)" in page) is (reps >= 3)


def test_a_rep_who_leaves_the_region_makes_the_label_drop_it(app, shielded_in):
    app.config["SHIELD_MIN_REGION_REPS"] = 3
    post_id = shielded_in(3)
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert shield_label(post) == "A verified rep (Nordics)"
        other = next(u for u in post.region.members if u.id != post.author_id)
        other.active = False
        db.session.commit()
    with app.app_context():
        assert shield_label(db.session.get(Post, post_id)) == "A verified rep"
