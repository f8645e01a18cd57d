"""The author edits an untriaged post: the old text is kept, a stale form gets a conflict."""

import pytest
import sqlalchemy as sa

from forum.feedback.models import Post, PostRevision
from tests.feedback.conftest import text


@pytest.fixture
def own(client, login, post_form, session):
    """A broken-promise report the signed-in rep filed through the form; returns its id."""
    login("rep")
    client.post(
        "/posts/new/broken-promise",
        data=post_form("broken_promise", title="Old title", body="Old body", tags="a, b"),
    )
    with session() as s:
        return s.scalar(sa.select(Post.id))


def _edit(post_form, **changes):
    data = {"title": "Old title", "body": "Old body", "version": "1", **changes}
    return post_form("broken_promise", **data)


def test_the_edit_form_is_filled_with_the_posts_values(client, own):
    page = text(client.get(f"/posts/{own}/edit"))
    assert 'value="Old title"' in page
    assert 'value="Acme Corp"' in page
    assert 'value="a, b"' in page
    assert 'name="version" value="1"' in page


def test_the_author_edits_an_untriaged_post_and_the_old_text_is_kept(
    client, own, post_form, session
):
    response = client.post(
        f"/posts/{own}/edit", data=_edit(post_form, title="New title", body="New body")
    )
    assert response.status_code == 302
    with session() as s:
        post = s.get(Post, own)
        assert (post.title, post.body, post.version) == ("New title", "New body", 2)
        (revision,) = s.scalars(sa.select(PostRevision)).all()
        assert (revision.title, revision.body) == ("Old title", "Old body")


def test_the_post_page_shows_the_edit_history(client, own, post_form):
    client.post(f"/posts/{own}/edit", data=_edit(post_form, body="New body"))
    page = text(client.get(f"/posts/{own}"))
    assert "Edit history" in page
    assert "Old body" in page


def test_a_save_without_changes_to_the_text_keeps_no_revision(client, own, post_form, session):
    client.post(f"/posts/{own}/edit", data=_edit(post_form, impact="2"))
    with session() as s:
        assert s.scalar(sa.select(sa.func.count(PostRevision.id))) == 0
        assert s.get(Post, own).impact == 2


def test_a_stale_version_is_409_and_changes_nothing(client, own, post_form, session):
    client.post(f"/posts/{own}/edit", data=_edit(post_form, title="First edit"))
    response = client.post(f"/posts/{own}/edit", data=_edit(post_form, title="Second edit"))
    assert response.status_code == 409
    assert "changed since you opened it" in text(response)
    with session() as s:
        assert s.get(Post, own).title == "First edit"
        assert s.scalar(sa.select(sa.func.count(PostRevision.id))) == 1


@pytest.mark.parametrize("version", ["abc", "²", "-1", "99999999999999999999"])
def test_a_nonsense_version_is_refused_without_a_500(client, own, post_form, session, version):
    response = client.post(f"/posts/{own}/edit", data=_edit(post_form, version=version))
    assert response.status_code in (400, 409)
    with session() as s:
        assert s.get(Post, own).version == 1


def test_a_post_needing_information_can_still_be_edited(client, own, post_form, session):
    with session() as s:
        s.get(Post, own).status = "needs_info"
        s.commit()
    client.post(f"/posts/{own}/edit", data=_edit(post_form, body="The details asked for"))
    with session() as s:
        assert s.get(Post, own).body == "The details asked for"


def test_an_edit_cannot_change_the_kind_or_the_shield(client, own, post_form, session):
    form = _edit(post_form)
    form.update(kind="field_feedback", shielded="y", author_id="1", status="noted")
    client.post(f"/posts/{own}/edit", data=form)
    with session() as s:
        post = s.get(Post, own)
        assert (post.kind, post.shielded, post.status) == ("broken_promise", False, "new")


def test_an_invalid_edit_shows_the_errors_and_keeps_the_post(client, own, post_form, session):
    response = client.post(f"/posts/{own}/edit", data=_edit(post_form, title=""))
    assert response.status_code == 200
    assert "error-summary" in text(response)
    with session() as s:
        assert s.get(Post, own).title == "Old title"
