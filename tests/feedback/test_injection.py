"""Script in any text a user types never runs: every field, every page that shows it."""

import pytest
import sqlalchemy as sa

from forum.feedback.models import Post
from tests.feedback.conftest import PAYLOADS, existing_account, live_markup, text

FIELDS = ["title", "body", "promised", "contact_name", "basis_detail", "tags", "account"]


def _pages(post_id: int) -> list[str]:
    return [
        f"/posts/{post_id}",
        "/posts/",
        "/posts/mine",
        f"/posts/{post_id}/edit",
        "/posts/new/broken-promise",
        "/posts/new/field-feedback",
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", FIELDS)
def test_script_typed_into_a_report_field_never_runs_on_any_page(
    client, login, post_form, session, field, payload
):
    login("rep")
    form = post_form("broken_promise", **{field: f"Before {payload} after"})
    assert client.post("/posts/new/broken-promise", data=form).status_code == 302
    with session() as s:
        post_id = s.scalar(sa.select(Post.id))
    for url in _pages(post_id):
        response = client.get(url)
        assert response.status_code == 200
        assert live_markup(text(response)) == [], url


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_report_field_with_script_is_stored_exactly_as_typed(
    client, login, post_form, session, payload
):
    login("rep")
    body = f"Before {payload} after\n\n* a list"
    client.post("/posts/new/broken-promise", data=post_form("broken_promise", body=body))
    with session() as s:
        assert s.scalar(sa.select(Post.body)) == body


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_in_a_comment_never_runs(client, login, make_post, payload):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": payload})
    page = text(client.get(f"/posts/{post_id}"))
    assert live_markup(page) == []
    comment_id = page.split('id="comment-')[1].split('"')[0]
    edit_page = text(client.get(f"/posts/{post_id}/comments/{comment_id}/edit"))
    assert live_markup(edit_page) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_in_an_edited_comments_history_never_runs(client, login, make_post, payload):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/comments", data={"body": payload})
    page = text(client.get(f"/posts/{post_id}"))
    comment_id = page.split('id="comment-')[1].split('"')[0]
    client.post(f"/posts/{post_id}/comments/{comment_id}/edit", data={"body": "clean now"})
    assert live_markup(text(client.get(f"/posts/{post_id}"))) == []


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["note", "account"])
def test_script_in_a_me_too_never_runs(app, client, login, make_post, field, payload):
    login("rep")
    post_id = make_post()
    if field == "account":
        existing_account(app, payload[:120])
    client.post(f"/posts/{post_id}/corroborate", data={field: payload[:120]})
    page = text(client.get(f"/posts/{post_id}"))
    assert "“Me too” (1)" in page
    assert live_markup(page) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_in_an_edited_reports_history_never_runs(client, login, post_form, session, payload):
    login("rep")
    client.post("/posts/new/field-feedback", data=post_form(title=payload, body=payload))
    with session() as s:
        post_id = s.scalar(sa.select(Post.id))
    client.post(f"/posts/{post_id}/edit", data=post_form(title="Clean", body="Clean", version="1"))
    page = text(client.get(f"/posts/{post_id}"))
    assert "Edit history" in page
    assert live_markup(page) == []


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java&#x09;script:alert(1))",
        "[click]( javascript:alert(1))",
        "<javascript:alert(1)>",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![img](data:image/png;base64,iVBORw0KGgo=)",
        "[click](vbscript:msgbox(1))",
        "[ref]\n\n[ref]: javascript:alert(1)",
    ],
)
@pytest.mark.parametrize("where", ["body", "comment"])
def test_javascript_and_data_links_are_dropped(
    client, login, post_form, make_post, latest, where, link
):
    login("rep")
    if where == "body":
        client.post("/posts/new/field-feedback", data=post_form(body=link))
        page = text(client.get(f"/posts/{latest()}"))
    else:
        post_id = make_post()
        client.post(f"/posts/{post_id}/comments", data={"body": link})
        page = text(client.get(f"/posts/{post_id}"))
    assert live_markup(page) == []


def test_an_http_link_in_a_body_gets_nofollow_noopener(client, login, post_form, latest):
    login("rep")
    client.post("/posts/new/field-feedback", data=post_form(body="[site](https://example.com)"))
    page = text(client.get(f"/posts/{latest()}"))
    anchor = page.split('href="https://example.com"')[1].split(">")[0]
    assert "nofollow" in anchor
    assert "noopener" in anchor


@pytest.mark.parametrize("field", ["title", "body", "account", "tags"])
def test_template_syntax_shows_literally(client, login, post_form, latest, field):
    login("rep")
    value = "{{7*7}} {% raw %}x"
    client.post("/posts/new/field-feedback", data=post_form(**{field: value}))
    detail, feed = text(client.get(f"/posts/{latest()}")), text(client.get("/posts/"))
    if field == "tags":
        assert "#77-raw-x" in detail
        return
    assert "{{7*7}}" in detail
    assert "{{7*7}}" in feed or field == "body"


def test_an_account_name_with_markup_is_escaped_in_the_did_you_mean_choices(
    app, client, login, post_form
):
    login("rep")
    existing_account(app, '"><svg onload=alert(1)> Holdings')
    form = post_form()
    form["account"] = '"><svg onload=alert(1)> Holding'  # misspelt: the search step answers
    page = text(client.post("/posts/new/field-feedback", data=form))
    assert "Did you mean one of these accounts?" in page
    assert "&lt;svg onload=alert(1)&gt; Holdings" in page
    assert live_markup(page) == []


def test_the_api_returns_script_as_json_text_not_html(client, login, post_form, latest):
    login("rep")
    client.post("/posts/new/field-feedback", data=post_form(title=PAYLOADS[0]))
    response = client.get(f"/api/posts/{latest()}")
    assert response.mimetype == "application/json"
    assert response.get_json()["title"] == PAYLOADS[0]


def test_the_similar_posts_json_is_served_as_json(client, login, post_form):
    login("rep")
    client.post("/posts/new/field-feedback", data=post_form(title=f"late {PAYLOADS[1]} pallets"))
    response = client.get("/posts/similar?title=late+pallets")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
