"""One JSON error shape for every status of /api/v1, and bad input that changes nothing."""

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.feedback.models import Post
from tests.api.conftest import bearer, error_of

NEW_POST = {"kind": "field_feedback", "title": "Buyers want EUR invoices", "body": "Three said so."}


@pytest.fixture
def token(make_user, make_token):
    return make_token(make_user("rep"))


def _posts(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Post.id)))


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/nothing", "/api/v1/posts/999999"])
def test_unknown_routes_and_things_under_api_are_a_json_404(client, token, path):
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_method_the_resource_does_not_take_is_a_json_405_with_allow(client, token):
    response = client.delete("/api/v1/fixes", headers=bearer(token))
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("author_id", 1), ("status", "linked"), ("corroboration_count", 99), ("role", "admin")],
)
def test_a_field_the_caller_may_not_set_is_a_422_naming_it_and_nothing_is_stored(
    app, client, token, field, value
):
    before = _posts(app)
    response = client.post("/api/v1/posts", json=NEW_POST | {field: value}, headers=bearer(token))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid" and field in error["message"]
    assert field in error["details"]["fields"]["json"]
    assert _posts(app) == before


@pytest.mark.parametrize(
    "body",
    [
        NEW_POST | {"title": 5},
        NEW_POST | {"title": "a\x00b"},
        NEW_POST | {"team_id": 2**40},
        NEW_POST | {"team_id": -1},
        NEW_POST | {"kind": "gossip"},
        {"title": "no kind"},
        [],
    ],
)
def test_wrong_types_and_out_of_range_values_are_a_422(app, client, token, body):
    before = _posts(app)
    response = client.post("/api/v1/posts", json=body, headers=bearer(token))
    assert response.status_code == 422
    assert error_of(response)["details"]["fields"]
    assert _posts(app) == before


def test_malformed_json_is_a_json_400(client, token):
    response = client.post(
        "/api/v1/posts", data="{not json", content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_a_body_that_is_not_json_is_a_415(app, client, token):
    response = client.post("/api/v1/posts", data={"title": "form"}, headers=bearer(token))
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_a_huge_body_is_a_json_413(app, client, token):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = NEW_POST | {"body": "x" * 5000}
    response = client.post("/api/v1/posts", json=body, headers=bearer(token))
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


@pytest.mark.parametrize("query", ["team=-1", "team=%C2%B2", "author=1e30", "kind=x", "after=zz"])
def test_a_bad_filter_is_a_json_400(client, token, query):
    response = client.get(f"/api/v1/posts?{query}", headers=bearer(token))
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_a_parameter_the_feed_does_not_read_is_ignored(client, token):
    assert client.get("/api/v1/posts?limit=1e30", headers=bearer(token)).status_code == 200


def test_the_rate_limit_is_per_token_and_says_when_to_retry(app, client, make_user, make_token):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    first, second = make_token(make_user("rep")), make_token(make_user("rep"))
    assert [client.get("/api/v1/me", headers=bearer(first)).status_code for _ in range(2)] == [
        200,
        200,
    ]
    limited = client.get("/api/v1/me", headers=bearer(first))
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_the_existing_endpoints_keep_their_answers(client, login):
    login("rep")
    assert client.get("/api/posts").status_code == 200
    assert client.get("/api/posts/999999").get_json()["status"] == 404
