"""Similar posts while a title is typed, and duplicates and recurrences at triage, all found by
the search engine."""

from datetime import timedelta

from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import Post, PostKind, PostStatus
from forum.feedback.similar import similar_posts
from forum.fixes.creation import create_fix
from forum.fixes.models import FixStatus
from forum.triage import services as triage
from tests import factories


def _file(author, title, **fields):
    return services.create_post(
        author,
        services.PostInput(kind=PostKind.FIELD_FEEDBACK, title=title, body="Details.", **fields),
    )


def _verified_fix(title, days_ago):
    fix = create_fix(
        title=title,
        problem="Details.",
        owner_team_id=factories.team("operations").id,
        priority="P3",
        actor=factories.user("leader"),
    )
    fix.status = FixStatus.VERIFIED
    fix.verified_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return fix


def test_the_title_endpoint_suggests_posts_while_the_last_word_is_being_typed(app, client, login):
    who = login("rep")
    with app.app_context():
        post = _file(db.session.get(factories.User, who.id), "Pallets arrived three weeks late")
        db.session.commit()
        post_id = post.id
    response = client.get("/posts/similar?title=late+pallets+arr")
    assert response.status_code == 200
    assert [p["id"] for p in response.get_json()["posts"]] == [post_id]


def test_the_title_endpoint_ignores_operators_and_odd_input(client, login):
    login("rep")
    for title in ['"', "AND OR NEAR(", "*:^", "\u202e", "x" * 500, "'; DROP TABLE posts"]:
        response = client.get("/posts/similar", query_string={"title": title})
        assert response.status_code == 200
        assert response.get_json() == {"posts": []}


def test_posts_sharing_two_title_words_are_similar(app):
    with app.app_context():
        rep = factories.user("rep")
        post = _file(rep, "Invoices sent twice to Globex")
        assert similar_posts("Globex invoices duplicated") == [post]


def test_one_shared_word_is_not_enough_when_the_title_has_several(app):
    with app.app_context():
        rep = factories.user("rep")
        _file(rep, "Invoices sent twice to Globex")
        assert similar_posts("Globex shipping delayed") == []


def test_similar_posts_leave_out_duplicates_and_the_post_itself(app):
    with app.app_context():
        rep = factories.user("rep")
        original = _file(rep, "Invoices sent twice")
        duplicate = _file(rep, "Invoices sent twice again")
        db.session.get(Post, duplicate.id).status = PostStatus.DUPLICATE
        db.session.flush()
        assert similar_posts("Invoices sent twice", exclude_id=original.id) == []


def test_triage_shows_a_post_with_a_similar_title_as_a_possible_duplicate(app):
    with app.app_context():
        rep = factories.user("rep")
        first = _file(rep, "Support hours too short in APAC")
        second = _file(rep, "APAC support hours are too short")
        assert triage.possible_duplicates(second) == [first]


def test_triage_flags_a_recently_verified_fix_as_a_possible_recurrence(app):
    with app.app_context():
        fix = _verified_fix("Carrier capacity for pallets", days_ago=10)
        post = _file(factories.user("rep"), "Pallets stuck again: carrier capacity")
        assert triage.possible_recurrences(post) == [fix]


def test_a_fix_verified_long_ago_is_not_a_possible_recurrence(app):
    with app.app_context():
        _verified_fix("Carrier capacity for pallets", days_ago=120)
        post = _file(factories.user("rep"), "Pallets stuck again: carrier capacity")
        assert triage.possible_recurrences(post) == []


def test_the_triage_inbox_counts_similar_reports(app, client, login):
    with app.app_context():
        rep = factories.user("rep")
        _file(rep, "Support hours too short in APAC")
        _file(rep, "APAC support hours are too short")
        db.session.commit()
    login("leader")
    assert "1 similar report" in client.get("/triage/").text
