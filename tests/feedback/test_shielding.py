"""Shielded posting: the author's name and e-mail reach nobody but the author, on any output,
until a leader or admin reveals them with a reason (which is audited)."""

from io import BytesIO

import pytest
import sqlalchemy as sa

from forum.auth.models import TeamKind
from forum.core.audit import AuditEntry
from forum.feedback.models import Post
from tests import factories
from tests.conftest import Who
from tests.feedback.conftest import text
from tests.feedback.test_permissions import PNG

NAME = "Zelda Quill"
EMAIL = "zelda.quill@example.test"
LABEL = "A verified rep (Far North)"


@pytest.fixture
def shielded(app, sign_in, post_form, session):
    """A rep files a shielded report, edits it, comments on it and attaches a file whose name
    contains their own name."""
    with session() as s:
        region = factories.team(TeamKind.SALES, name="Far North")
        user = factories.user("rep", display_name=NAME, email=EMAIL, team_obj=region)
        author = Who(user.id, user.email, user.role, user.team_id)
        s.commit()
    client = sign_in(author)
    form = post_form(
        "broken_promise",
        title="Pallets late again for Initech",
        shielded="y",
        tags="late-delivery",
    )
    assert client.post("/posts/new/broken-promise", data=form).status_code == 302
    with session() as s:
        post_id = s.scalar(sa.select(Post.id))
    edit = dict(form, title="Pallets late again for Initech (update)", version="1")
    assert client.post(f"/posts/{post_id}/edit", data=edit).status_code == 302
    assert client.post(f"/posts/{post_id}/comments", data={"body": "More news"}).status_code == 302
    upload = {"evidence": (BytesIO(PNG), f"{NAME} evidence.png")}
    assert client.post(f"/posts/{post_id}/attachments", data=upload).status_code == 302
    with session() as s:
        attachment_id = s.get(Post, post_id).attachments[0].id
    return {"author": author, "post": post_id, "attachment": attachment_id, "client": client}


def _leaks(response) -> list[str]:
    """The author's name or e-mail anywhere in a response, headers included."""
    blob = (
        response.get_data().decode("utf-8", "replace")
        + "\n"
        + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    )
    blob = blob.casefold()
    return [s for s in (NAME, EMAIL, "zelda", "quill") if s.casefold() in blob]


def _outputs(shielded) -> dict[str, str]:
    post_id, author_id = shielded["post"], shielded["author"].id
    return {
        "feed": "/posts/",
        "feed by author": f"/posts/?author={author_id}",
        "feed by tag": "/posts/?tag=late-delivery",
        "feed by risk": "/posts/?sort=risk",
        "post page": f"/posts/{post_id}",
        "api feed": "/api/posts",
        "api feed by author": f"/api/posts?author={author_id}",
        "api post": f"/api/posts/{post_id}",
        "similar posts": "/posts/similar?title=pallets+late+initech",
        "download": f"/posts/{post_id}/attachments/{shielded['attachment']}",
    }


OUTPUT_NAMES = list(_outputs({"post": 0, "author": type("W", (), {"id": 0}), "attachment": 0}))


@pytest.mark.parametrize("output", OUTPUT_NAMES)
@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_no_output_names_a_shielded_author_to_anyone_else(
    shielded, make_user, sign_in, role, output
):
    client = sign_in(make_user(role))
    response = client.get(_outputs(shielded)[output])
    assert response.status_code == 200
    assert _leaks(response) == []


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_others_see_the_shield_label_on_the_post_page(shielded, make_user, sign_in, role):
    page = text(sign_in(make_user(role)).get(f"/posts/{shielded['post']}"))
    assert f"Reported by <strong>{LABEL}</strong>" in page


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_the_feed_shows_the_shield_label(shielded, make_user, sign_in, role):
    assert LABEL in text(sign_in(make_user(role)).get("/posts/"))


def test_the_shielded_authors_own_comment_wears_the_label(shielded, make_user, sign_in):
    page = text(sign_in(make_user("rep")).get(f"/posts/{shielded['post']}"))
    assert f'<p class="byline"><strong>{LABEL}</strong>' in page


def test_the_edit_history_names_the_shield_not_the_author(shielded, make_user, sign_in):
    page = text(sign_in(make_user("ops")).get(f"/posts/{shielded['post']}"))
    assert f"edited by {LABEL}" in page


def test_the_download_of_a_shielded_file_has_a_neutral_name(shielded, make_user, sign_in):
    response = sign_in(make_user("leader")).get(
        f"/posts/{shielded['post']}/attachments/{shielded['attachment']}"
    )
    name = f"evidence-{shielded['post']}-{shielded['attachment']}.png"
    assert name in response.headers["Content-Disposition"]


def test_the_api_gives_a_shielded_author_no_id_and_only_the_label(shielded, make_user, sign_in):
    data = sign_in(make_user("leader")).get(f"/api/posts/{shielded['post']}").get_json()
    assert data["author"] == {"label": LABEL, "id": None}


def test_the_author_filter_does_not_find_a_shielded_post_for_others(shielded, make_user, sign_in):
    client = sign_in(make_user("admin"))
    data = client.get(f"/api/posts?author={shielded['author'].id}").get_json()
    assert data["posts"] == []


def test_the_author_filter_finds_ones_own_shielded_post(shielded):
    client = shielded["client"]
    data = client.get(f"/api/posts?author={shielded['author'].id}").get_json()
    assert [p["id"] for p in data["posts"]] == [shielded["post"]]


def test_the_author_sees_their_own_name_on_their_shielded_post(shielded):
    page = text(shielded["client"].get(f"/posts/{shielded['post']}"))
    assert f"Reported by <strong>{NAME}</strong>" in page


def test_the_author_keeps_their_files_own_name(shielded):
    response = shielded["client"].get(
        f"/posts/{shielded['post']}/attachments/{shielded['attachment']}"
    )
    assert "evidence.png" in response.headers["Content-Disposition"]


def test_the_api_gives_the_author_their_own_id(shielded):
    data = shielded["client"].get(f"/api/posts/{shielded['post']}").get_json()
    assert data["author"]["id"] == shielded["author"].id


@pytest.mark.parametrize("role", ["rep", "ops"])
def test_reps_and_ops_get_no_reveal_form(shielded, make_user, sign_in, role):
    page = text(sign_in(make_user(role)).get(f"/posts/{shielded['post']}"))
    assert "/reveal" not in page


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_leaders_and_admins_get_a_reveal_form(shielded, make_user, sign_in, role):
    page = text(sign_in(make_user(role)).get(f"/posts/{shielded['post']}"))
    assert f'action="/posts/{shielded["post"]}/reveal"' in page


@pytest.mark.parametrize("reason", [None, "", "   ", "why", "a  b "])
def test_a_reveal_without_a_real_reason_is_400_and_leaves_no_audit_entry(
    shielded, make_user, sign_in, session, reason
):
    client = sign_in(make_user("leader"))
    data = {} if reason is None else {"reason": reason}
    response = client.post(f"/posts/{shielded['post']}/reveal", data=data)
    assert response.status_code == 400
    assert _leaks(response) == []
    with session() as s:
        reveals = sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "post.reveal")
        assert s.scalar(reveals) == 0


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_a_reveal_with_a_reason_shows_the_author(shielded, make_user, sign_in, role):
    response = sign_in(make_user(role)).post(
        f"/posts/{shielded['post']}/reveal", data={"reason": "Customer escalation call"}
    )
    assert response.status_code == 200
    assert f"Revealed author: <strong>{NAME}</strong>" in text(response)


def test_a_reveal_is_written_to_the_audit_log(shielded, make_user, sign_in, session):
    leader = make_user("leader")
    sign_in(leader).post(
        f"/posts/{shielded['post']}/reveal", data={"reason": "  Customer   escalation  "}
    )
    with session() as s:
        entry = s.scalar(sa.select(AuditEntry).where(AuditEntry.action == "post.reveal"))
        assert (entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (
            leader.id,
            "post",
            shielded["post"],
            "Customer escalation",
        )


def test_after_a_reveal_the_post_page_wears_the_label_again(shielded, make_user, sign_in):
    client = sign_in(make_user("leader"))
    client.post(f"/posts/{shielded['post']}/reveal", data={"reason": "Customer escalation"})
    assert _leaks(client.get(f"/posts/{shielded['post']}")) == []
