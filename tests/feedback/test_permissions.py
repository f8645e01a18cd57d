"""Who may do what to which post: every post route and the API, role × own / other's / missing.

A refused write changes nothing: the tests compare a snapshot of the posting tables before and
after each refused request.
"""

import pytest
import sqlalchemy as sa

from forum.core.audit import AuditEntry
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import (
    Attachment,
    Comment,
    CommentRevision,
    Corroboration,
    Follow,
    Post,
    PostRevision,
)
from tests import factories
from tests.feedback.conftest import text
from tests.pagecheck import without_tokens

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


MISSING = 999_999
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def snapshot() -> dict:
    """Everything a write on a post could change."""
    state = {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (
            Post,
            PostRevision,
            Comment,
            CommentRevision,
            Corroboration,
            Attachment,
            Follow,
            AuditEntry,
        )
    }
    state["posts"] = db.session.execute(
        sa.select(Post.id, Post.title, Post.body, Post.version, Post.corroboration_count)
    ).all()
    state["comments"] = db.session.execute(sa.select(Comment.id, Comment.body)).all()
    return state


@pytest.fixture
def world(app, make_user):
    """A viewer of a given role, their own (shielded) post, someone else's, with comments and
    files on each."""

    def _world(role: str) -> dict:
        viewer = make_user(role)
        with app.app_context():
            me = db.session.get(factories.User, viewer.id)
            other = factories.user("rep")
            factories.account("Other account")  # the edit form picks it
            ids = {"viewer": viewer}
            for whose, author in (("own", me), ("other", other)):
                post = factories.post(
                    "broken_promise" if whose == "own" else "field_feedback",
                    author=author,
                    shielded=True,
                )
                attachment = services.add_attachment(post, author, PNG, "shot.png")
                mine = factories.comment(post, author=me)
                theirs = factories.comment(post, author=other)
                ids[whose] = dict(
                    post=post.id, attachment=attachment.id, my_comment=mine.id, comment=theirs.id
                )
            ids["missing"] = dict(
                post=MISSING, attachment=MISSING, my_comment=MISSING, comment=MISSING
            )
            db.session.commit()
        return ids

    return _world


def _edit_form(post_id: int) -> dict:
    return {
        "title": "Rewritten by someone",
        "body": "New body",
        "promised": "Something else",
        "account": "Other account",
        "team_id": str(db.session.get(Post, post_id).team_id or ""),
        "version": "1",
    }


# route name -> (method, url template, form data)
ROUTES = {
    "detail": ("GET", "/posts/{post}", None),
    "api": ("GET", "/api/posts/{post}", None),
    "edit_form": ("GET", "/posts/{post}/edit", None),
    "edit": ("POST", "/posts/{post}/edit", "edit"),
    "corroborate": ("POST", "/posts/{post}/corroborate", {"amount": "5000"}),
    "comment": ("POST", "/posts/{post}/comments", {"body": "A new comment"}),
    "edit_comment_form": ("GET", "/posts/{post}/comments/{my_comment}/edit", None),
    "edit_comment": ("POST", "/posts/{post}/comments/{my_comment}/edit", {"body": "Changed"}),
    "edit_others_comment": ("POST", "/posts/{post}/comments/{comment}/edit", {"body": "Mine!"}),
    "attach": ("POST", "/posts/{post}/attachments", "file"),
    "download": ("GET", "/posts/{post}/attachments/{attachment}", None),
    "reveal": ("POST", "/posts/{post}/reveal", {"reason": "Customer escalation"}),
    "follow": ("POST", "/posts/{post}/follow", {"follow": "0"}),
}

REPORTERS = ("rep", "leader", "admin")


def expected(route: str, role: str, whose: str) -> int:
    reporter = role in REPORTERS
    if route in ("detail", "api", "download", "edit_comment_form"):
        return 404 if whose == "missing" else 200
    if route in ("comment", "follow", "edit_comment"):
        return 404 if whose == "missing" else 302
    if route == "edit_others_comment":
        return 404 if whose == "missing" else 403
    if route in ("edit_form", "edit", "attach"):
        if not reporter:
            return 403
        return {"own": 200 if route == "edit_form" else 302, "other": 403, "missing": 404}[whose]
    if route == "corroborate":
        if not reporter:
            return 403
        return {"own": 403, "other": 302, "missing": 404}[whose]
    if route == "reveal":
        if role not in ("leader", "admin"):
            return 403
        return 404 if whose == "missing" else 200
    raise AssertionError(route)


CASES = [
    (route, role, whose)
    for route in ROUTES
    for role in ("rep", "ops", "leader", "admin")
    for whose in ("own", "other", "missing")
]


@pytest.mark.parametrize("route, role, whose", CASES)
def test_each_post_route_answers_each_role_as_the_policy_says(
    app, sign_in, world, route, role, whose
):
    ids = world(role)
    client = sign_in(ids["viewer"])
    method, template, data = ROUTES[route]
    url = template.format(**ids[whose])
    with app.app_context():
        if data == "edit":
            data = _edit_form(ids[whose]["post"]) if whose != "missing" else {"title": "x"}
        before = snapshot()
    if data == "file":
        from io import BytesIO

        data = {"evidence": (BytesIO(PNG), "more.png")}
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=data, content_type=None)
    assert response.status_code == expected(route, role, whose), text(response)[:300]
    if method == "POST" and response.status_code >= 400:
        with app.app_context():
            assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        "/posts/",
        "/posts/mine",
        "/posts/new",
        "/posts/new/broken-promise",
        "/posts/1",
        "/posts/1/edit",
        "/posts/1/attachments/1",
        "/posts/similar?title=late+delivery",
        "/api/posts",
        "/api/posts/1",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code in (302, 401)
    assert "/login" in response.headers.get("Location", "/login")


@pytest.mark.parametrize(
    "url, codes",
    [
        ("/posts/", {"rep": 200, "ops": 200, "leader": 200, "admin": 200}),
        ("/posts/mine", {"rep": 200, "ops": 403, "leader": 200, "admin": 200}),
        ("/posts/new", {"rep": 200, "ops": 403, "leader": 200, "admin": 200}),
        ("/posts/new/win-loss", {"rep": 200, "ops": 403, "leader": 200, "admin": 200}),
        ("/posts/similar?title=late", {"rep": 200, "ops": 200, "leader": 200, "admin": 200}),
        ("/api/posts", {"rep": 200, "ops": 200, "leader": 200, "admin": 200}),
    ],
)
@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_list_and_form_pages_answer_each_role_as_the_policy_says(client, login, url, codes, role):
    login(role)
    assert client.get(url).status_code == codes[role]


def test_ops_cannot_file_a_report_and_nothing_is_stored(client, login, post_form, session):
    login("ops")
    response = client.post("/posts/new/field-feedback", data=post_form())
    assert response.status_code == 403
    with session() as s:
        assert s.scalar(sa.select(sa.func.count(Post.id))) == 0


def test_a_missing_post_answers_like_any_other_missing_post(client, login):
    login("rep")
    first, second = client.get(f"/posts/{MISSING}"), client.get("/posts/424242")
    assert first.status_code == second.status_code == 404
    assert without_tokens(first) == without_tokens(second)


def test_a_missing_post_in_the_api_answers_like_any_other_missing_post(client, login):
    login("rep")
    first, second = client.get(f"/api/posts/{MISSING}"), client.get("/api/posts/424242")
    assert first.status_code == second.status_code == 404
    assert first.get_json() == second.get_json()


def test_a_huge_post_id_is_404_not_a_database_error(client, login):
    login("rep")
    assert client.get("/posts/99999999999999999999").status_code == 404


def test_an_attachment_of_another_post_answers_like_a_missing_one(app, sign_in, world):
    ids = world("rep")
    client = sign_in(ids["viewer"])
    foreign = client.get(f"/posts/{ids['own']['post']}/attachments/{ids['other']['attachment']}")
    missing = client.get(f"/posts/{ids['own']['post']}/attachments/{MISSING}")
    assert foreign.status_code == missing.status_code == 404
    assert without_tokens(foreign) == without_tokens(missing)


def test_a_refused_edit_of_another_reps_post_keeps_its_text(app, sign_in, world):
    ids = world("rep")
    client = sign_in(ids["viewer"])
    with app.app_context():
        form = _edit_form(ids["other"]["post"])
    client.post(f"/posts/{ids['other']['post']}/edit", data=form)
    with app.app_context():
        post = db.session.get(Post, ids["other"]["post"])
        assert post.title != "Rewritten by someone"
        assert post.version == 1


def test_an_author_cannot_edit_a_triaged_post(client, login, make_post, session):
    who = login("rep")
    post_id = make_post(author=who, status="linked", title="Original")
    response = client.post(
        f"/posts/{post_id}/edit", data={"title": "Changed", "body": "b", "version": "1"}
    )
    assert response.status_code == 200
    assert "can no longer be edited" in text(response)
    with session() as s:
        assert s.get(Post, post_id).title == "Original"


def test_the_edit_button_is_hidden_on_a_triaged_post(client, login, make_post):
    who = login("rep")
    post_id = make_post(author=who, status="noted")
    assert f"/posts/{post_id}/edit" not in text(client.get(f"/posts/{post_id}"))


def test_a_rep_cannot_reveal_an_author_even_with_a_reason(client, login, make_post, session):
    login("rep")
    post_id = make_post(shielded=True)
    response = client.post(f"/posts/{post_id}/reveal", data={"reason": "curious about it"})
    assert response.status_code == 403
    with session() as s:
        reveals = sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "post.reveal")
        assert s.scalar(reveals) == 0


def test_a_leader_cannot_reveal_an_unshielded_post(client, login, make_post):
    login("leader")
    post_id = make_post(shielded=False)
    assert client.post(f"/posts/{post_id}/reveal", data={"reason": "because"}).status_code == 404


def test_the_withdraw_of_a_me_too_never_given_is_refused(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    response = client.post(f"/posts/{post_id}/corroborate/withdraw")
    assert response.status_code == 400
    assert "You have not corroborated this post." in text(response)


def test_ops_cannot_withdraw_a_me_too(client, login, make_post):
    login("ops")
    post_id = make_post()
    assert client.post(f"/posts/{post_id}/corroborate/withdraw").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/posts/{post}/corroborate",
        "/posts/{post}/comments",
        "/posts/{post}/follow",
        "/posts/{post}/reveal",
        "/posts/{post}/corroborate/withdraw",
    ],
)
def test_a_write_without_csrf_token_is_refused_and_changes_nothing(
    app, client, login, make_post, url
):
    login("leader")
    post_id = make_post(shielded=True)
    with app.app_context():
        before = snapshot()
    response = client.post(
        url.format(post=post_id), data={"body": "x", "reason": "a good reason"}, csrf=False
    )
    assert response.status_code == 400
    with app.app_context():
        assert snapshot() == before


@pytest.mark.parametrize("url", ["/posts/{post}/comments", "/posts/{post}/follow"])
def test_a_get_never_changes_state(app, client, login, make_post, url):
    login("rep")
    post_id = make_post()
    with app.app_context():
        before = snapshot()
    assert client.get(url.format(post=post_id)).status_code == 405
    with app.app_context():
        assert snapshot() == before
