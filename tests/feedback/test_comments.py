"""Comments, their edit history, and internal notes that only leaders, ops and admins see."""

import pytest
import sqlalchemy as sa

from forum.core.errors import DomainError
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import Comment, CommentRevision, Post
from tests import factories
from tests.feedback.conftest import text
from tests.pagecheck import without_tokens


@pytest.fixture
def with_note(app, make_post, session):
    """A post with a public comment and an internal note (by a leader)."""
    post_id = make_post()
    with session() as s:
        post = s.get(Post, post_id)
        leader = factories.user("leader", display_name="Lena Note")
        factories.comment(post, body="Public words")
        note = factories.comment(post, author=leader, body="Secret ops note", internal=True)
        s.commit()
        return {"post": post_id, "note": note.id}


def test_a_rep_comments_on_a_post(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    response = client.post(f"/posts/{post_id}/comments", data={"body": "Same here"})
    assert response.status_code == 302
    with session() as s:
        assert s.scalar(sa.select(Comment.body)) == "Same here"


def test_an_empty_comment_is_refused(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": "   "})
    with session() as s:
        assert s.scalar(sa.select(sa.func.count(Comment.id))) == 0


@pytest.mark.parametrize("role", ["ops", "leader", "admin"])
def test_ops_leaders_and_admins_can_write_an_internal_note(client, login, make_post, session, role):
    login(role)
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": "Between us", "internal": "y"})
    with session() as s:
        assert s.scalar(sa.select(Comment.internal)) is True


def test_a_rep_asking_for_an_internal_note_writes_a_public_comment(
    client, login, make_post, session
):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": "Between us", "internal": "y"})
    with session() as s:
        assert s.scalar(sa.select(Comment.internal)) is False


def test_a_rep_gets_no_internal_note_checkbox(client, login, make_post):
    login("rep")
    assert 'name="internal"' not in text(client.get(f"/posts/{make_post()}"))


def test_the_service_refuses_an_internal_note_from_a_rep(app, make_post):
    post_id = make_post()
    with app.app_context():
        with pytest.raises(DomainError):
            services.add_comment(
                db.session.get(Post, post_id), factories.user("rep"), "x", internal=True
            )
        db.session.rollback()


def test_a_rep_does_not_see_an_internal_note_on_the_page(client, login, with_note):
    login("rep")
    page = text(client.get(f"/posts/{with_note['post']}"))
    assert "Public words" in page
    assert "Secret ops note" not in page
    assert "Lena Note" not in page
    assert "Discussion (1)" in page


@pytest.mark.parametrize("role", ["ops", "leader", "admin"])
def test_ops_leaders_and_admins_see_an_internal_note(client, login, with_note, role):
    login(role)
    page = text(client.get(f"/posts/{with_note['post']}"))
    assert "Secret ops note" in page
    assert "Discussion (2)" in page


def test_a_reps_comment_count_in_the_feed_leaves_out_internal_notes(client, login, with_note):
    login("rep")
    assert "1 comment<" in text(client.get("/posts/"))


def test_a_reps_comment_count_in_the_api_leaves_out_internal_notes(client, login, with_note):
    login("rep")
    assert client.get("/api/posts").get_json()["posts"][0]["comments"] == 1


@pytest.mark.parametrize("role", ["ops", "leader"])
def test_ops_and_leaders_comment_counts_include_internal_notes(client, login, with_note, role):
    login(role)
    assert client.get("/api/posts").get_json()["posts"][0]["comments"] == 2


def test_an_internal_notes_edit_url_is_404_to_a_rep(client, login, with_note):
    login("rep")
    missing = client.get(f"/posts/{with_note['post']}/comments/999999/edit")
    hidden = client.get(f"/posts/{with_note['post']}/comments/{with_note['note']}/edit")
    assert hidden.status_code == missing.status_code == 404
    assert without_tokens(hidden) == without_tokens(missing)


def test_a_comment_addressed_through_another_post_is_404(client, login, with_note, make_post):
    login("leader")
    other = make_post()
    assert client.get(f"/posts/{other}/comments/{with_note['note']}/edit").status_code == 404


def test_the_author_edits_a_comment_and_the_old_text_is_kept(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": "First words"})
    with session() as s:
        comment_id = s.scalar(sa.select(Comment.id))
    response = client.post(
        f"/posts/{post_id}/comments/{comment_id}/edit", data={"body": "Second words"}
    )
    assert response.status_code == 302
    with session() as s:
        comment = s.get(Comment, comment_id)
        assert comment.body == "Second words"
        assert comment.edited_at is not None
        assert [r.body for r in comment.revisions] == ["First words"]


def test_the_earlier_version_of_a_comment_shows_on_the_page(client, login, make_post):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": "First words"})
    page = text(client.get(f"/posts/{post_id}"))
    comment_id = page.split('id="comment-')[1].split('"')[0]
    client.post(f"/posts/{post_id}/comments/{comment_id}/edit", data={"body": "Second words"})
    page = text(client.get(f"/posts/{post_id}"))
    assert "Earlier versions (1)" in page
    assert "First words" in page


def test_saving_a_comment_unchanged_keeps_no_revision(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": "Same"})
    with session() as s:
        comment_id = s.scalar(sa.select(Comment.id))
    client.post(f"/posts/{post_id}/comments/{comment_id}/edit", data={"body": "Same"})
    with session() as s:
        assert s.scalar(sa.select(sa.func.count(CommentRevision.id))) == 0


def test_emptying_a_comment_is_refused(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": "Keep me"})
    with session() as s:
        comment_id = s.scalar(sa.select(Comment.id))
    response = client.post(f"/posts/{post_id}/comments/{comment_id}/edit", data={"body": " "})
    assert response.status_code == 200
    with session() as s:
        assert s.get(Comment, comment_id).body == "Keep me"


def test_comments_past_the_per_user_write_limit_get_429(make_app, make_post, session):
    app = make_app(WRITE_LIMIT_PER_USER="3 per minute")
    with app.app_context():
        rep = factories.user("rep")
        db.session.commit()
        email = rep.email
    client = app.test_client()
    client.refresh_csrf("/login")
    client.post("/login", data={"email": email, "password": factories.PASSWORD})
    client.refresh_csrf("/")
    post_id = make_post()
    codes = [
        client.post(f"/posts/{post_id}/comments", data={"body": f"n{i}"}).status_code
        for i in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    with session() as s:
        assert s.scalar(sa.select(sa.func.count(Comment.id))) == 3
