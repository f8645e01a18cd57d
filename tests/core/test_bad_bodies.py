"""Bodies that are not forms, sent to the HTML routes, get 415 (or the CSRF check's 400) and
store nothing; only the JSON API takes them."""

import re

import pytest
from flask import jsonify, request

from forum.extensions import db
from tests.fixes import builders

# What broke the forms: numbers and objects where WTForms expects text.
JSON_BODY = {"email": 1, "password": 1, "title": 1, "body": {"a": 1}, "version": 1e30}


def _post_urls(app) -> list[str]:
    """Every POST route outside the JSON API, with 1 for each id and "x" for other parts."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            urls.add(re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", "1", rule.rule)))
    return sorted(urls)


def _json(client, url, body=JSON_BODY, **headers):
    return client.post(url, json=body, headers={"X-CSRFToken": client.csrf_token, **headers})


def test_every_form_route_refuses_a_json_body_and_stores_nothing(app, client, login, row_counts):
    login("admin")
    before = row_counts()
    wrong = {
        url: status for url in _post_urls(app) if (status := _json(client, url).status_code) != 415
    }
    assert not wrong
    assert row_counts() == before


def test_comments_me_too_and_reports_sent_as_json_store_nothing(app, client, login, row_counts):
    with app.app_context():
        org = builders.org()
        post = builders.report(org.user("rep_reporter"), team_id=org.ops_team_id)
        fix = builders.open_fix(org, [post])
        db.session.commit()
        post_id, fix_id = post.id, fix.id
    login("rep")
    before = row_counts()
    for url in (
        f"/posts/{post_id}/comments",
        f"/posts/{post_id}/corroborate",
        f"/fixes/{fix_id}/comments",
        "/posts/new/field-feedback",
        "/account/password",
    ):
        assert _json(client, url).status_code == 415, url
    assert row_counts() == before


@pytest.mark.parametrize(
    "url", ["/login", "/forgot-password", "/posts/new/field-feedback", "/logout"]
)
def test_a_json_body_without_a_csrf_token_is_refused_by_the_csrf_check(
    app, client, login, url, row_counts
):
    login("rep")
    before = row_counts()
    assert client.post(url, json=JSON_BODY).status_code == 400
    assert row_counts() == before


def test_the_sign_in_form_refuses_numbers_for_the_e_mail_and_password(client):
    client.refresh_csrf("/login")
    response = _json(client, "/login", {"email": 1, "password": 1})
    assert response.status_code == 415
    assert response.text.count("<h1") == 1
    assert "<h1>Unsupported media type</h1>" in response.text
    assert "not JSON" in response.text


def test_a_json_client_gets_the_refusal_as_json(client):
    client.refresh_csrf("/login")
    response = _json(client, "/login", {"email": 1}, Accept="application/json")
    assert response.status_code == 415
    assert response.get_json()["status"] == 415


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
def test_other_bodies_are_refused_too(client, content_type):
    client.refresh_csrf("/login")
    response = client.post(
        "/login",
        data=b"email=a@example.test",
        headers={"X-CSRFToken": client.csrf_token, "Content-Type": content_type},
    )
    assert response.status_code == 415


def test_a_post_without_a_body_meets_the_csrf_check_not_the_body_check(client, login):
    login("rep")
    assert client.post("/logout", csrf=False).status_code == 400


def test_an_unknown_route_and_a_wrong_method_keep_their_answers(client, login):
    login("admin")
    assert _json(client, "/no/such/page").status_code == 404
    assert _json(client, "/admin/audit").status_code == 405


def test_the_json_api_takes_json_bodies(make_app):
    app = make_app()
    app.add_url_rule("/api/echo", "api.echo", lambda: jsonify(request.get_json()), methods=["POST"])
    client = app.test_client()
    client.refresh_csrf("/login")
    response = _json(client, "/api/echo", {"n": 1})
    assert response.status_code == 200
    assert response.get_json() == {"n": 1}
