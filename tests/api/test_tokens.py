"""Personal access tokens: shown once, stored hashed, scoped, expiring, revocable, and dead
with the user's sessions."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.api.models import ApiToken
from forum.auth import services as auth_services
from forum.auth.models import User
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from tests.api.conftest import bearer, error_of

NEW_POST = {"kind": "field_feedback", "title": "Buyers want EUR invoices", "body": "Three said so."}


def _posts(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Post.id)))


def _token_row(app, raw: str) -> ApiToken:
    with app.app_context():
        digest = hashlib.sha256(raw.encode()).hexdigest()
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
        db.session.expunge_all()
        return token


def test_a_token_made_on_the_settings_page_is_shown_once_and_stored_only_as_its_hash(
    app, client, login
):
    login("rep")
    made = client.post("/settings/tokens/", data={"name": "CRM sync", "scope": "read"})
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("vos_") and len(secret) > 40
    token = _token_row(app, secret)
    assert token is not None and token.prefix == secret[:12] and token.scope == "read"
    assert secret not in client.get("/settings/tokens/").get_data(as_text=True)
    assert token.prefix in client.get("/settings/tokens/").get_data(as_text=True)


def test_a_bearer_token_acts_as_its_user_and_records_its_last_use(
    app, client, make_user, make_token
):
    who = make_user("ops")
    raw = make_token(who, "read")
    response = client.get(
        "/api/v1/me", headers=bearer(raw), environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert response.status_code == 200
    me = response.get_json()
    assert (me["id"], me["role"], me["token"]["scope"]) == (who.id, "ops", "read")
    token = _token_row(app, raw)
    assert token.last_used_ip == "10.1.2.3" and token.last_used_at is not None


def test_a_read_token_cannot_write_and_nothing_is_stored(app, client, make_user, make_token):
    raw = make_token(make_user("rep"), "read")
    before = _posts(app)
    response = client.post("/api/v1/posts", json=NEW_POST, headers=bearer(raw))
    assert response.status_code == 403
    assert "read" in error_of(response)["message"]
    assert _posts(app) == before


def test_a_write_token_files_a_report_without_a_csrf_token(app, client, make_user, make_token):
    who = make_user("rep")
    response = client.post("/api/v1/posts", json=NEW_POST, headers=bearer(make_token(who)))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["author"]["id"], data["status"], data["title"]) == (
        who.id,
        "new",
        NEW_POST["title"],
    )


@pytest.mark.parametrize(
    "header",
    ["Bearer vos_unknown", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500, "vos_abc"],
)
def test_a_missing_or_malformed_token_is_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_no_credentials_at_all_is_401(client):
    assert error_of(client.get("/api/v1/posts"))["code"] == "unauthorized"


def test_an_expired_token_is_refused(app, client, make_user, make_token):
    raw = make_token(make_user("rep"))
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == raw[:12]))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_an_expiry_in_the_past_or_too_far_away_is_refused_on_the_page(client, login):
    login("rep")
    for day in [utcnow().date().isoformat(), (utcnow().date() + timedelta(days=800)).isoformat()]:
        response = client.post(
            "/settings/tokens/", data={"name": "x", "scope": "read", "expires_on": day}
        )
        assert response.status_code == 400


def test_a_revoked_token_is_refused(app, client, login, make_token):
    who = login("rep")
    raw = make_token(who)
    token_id = _token_row(app, raw).id
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 303
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


@pytest.mark.parametrize("how", ["sign out everywhere", "new password", "deactivation"])
def test_a_token_dies_with_the_users_sessions(app, client, make_user, make_token, how):
    who = make_user("rep")
    raw = make_token(who)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    with app.app_context():
        user = db.session.get(User, who.id)
        admin = db.session.get(User, make_user("admin").id)
        if how == "sign out everywhere":
            auth_services.end_sessions(user)
        elif how == "new password":
            auth_services.set_password(user, "an entirely new password")
        else:
            auth_services.set_active(user, False, actor=admin)
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_someone_elses_token_cannot_be_revoked_but_an_admin_may(
    app, client, login, make_user, make_token
):
    owner = make_user("rep")
    raw = make_token(owner)
    token_id = _token_row(app, raw).id
    login("leader")
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    login("admin")
    assert owner_listed(client, raw[:12])
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 303
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def owner_listed(client, prefix: str) -> bool:
    return prefix in client.get("/settings/tokens/").get_data(as_text=True)


def test_only_admins_see_everyones_tokens(client, login, make_user, make_token):
    prefix = make_token(make_user("rep"))[:12]
    login("leader")
    assert not owner_listed(client, prefix)


def test_the_token_is_not_a_session_cookie(app, client, make_user, make_token):
    raw = make_token(make_user("rep"))
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/v1/me").status_code == 401


def test_a_signed_in_browser_writes_only_with_the_csrf_header(app, client, login):
    login("rep")
    before = _posts(app)
    refused = client.post("/api/v1/posts", json=NEW_POST)
    assert refused.status_code == 400 and "CSRF" in error_of(refused)["message"]
    assert _posts(app) == before
    accepted = client.post(
        "/api/v1/posts", json=NEW_POST, headers={"X-CSRFToken": client.csrf_token}
    )
    assert accepted.status_code == 201
    assert client.get("/api/v1/me").get_json()["token"] is None
