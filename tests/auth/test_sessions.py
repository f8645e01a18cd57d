"""Sessions: old cookies stop working after logout, password change and deactivation."""

import sqlalchemy as sa

import config
from forum.auth.models import User
from forum.extensions import db
from tests.factories import PASSWORD


def sign_in(client, email: str, password: str = PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    client.refresh_csrf("/")
    return response


def is_sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_signs_the_client_out(client, login):
    login("rep")
    client.post("/logout")
    assert is_sent_to_login(client.get("/"))


def test_replayed_cookie_after_logout_is_refused(client, login):
    login("rep")
    old_cookie = client.get_cookie("session").value
    client.post("/logout")
    client.set_cookie("session", old_cookie)
    assert is_sent_to_login(client.get("/"))


def test_logout_by_get_is_not_allowed(client, login):
    login("rep")
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST" or "POST" in response.headers["Allow"]


def test_logout_by_get_leaves_the_user_signed_in(client, login):
    login("rep")
    client.get("/logout")
    assert client.get("/").status_code == 200


def test_logout_without_csrf_token_is_refused(client, login):
    login("rep")
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/").status_code == 200


def test_password_change_signs_out_other_clients(app, client, login):
    who = login("rep")
    other = app.test_client()
    sign_in(other, who.email)
    client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "a new password", "confirm": "a new password"},
    )
    assert is_sent_to_login(other.get("/"))


def test_password_change_keeps_this_client_signed_in(client, login):
    login("rep")
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "a new password", "confirm": "a new password"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_deactivation_signs_the_user_out(app, make_user):
    admin, rep = make_user("admin"), make_user("rep")
    admin_client, rep_client = app.test_client(), app.test_client()
    sign_in(admin_client, admin.email)
    sign_in(rep_client, rep.email)
    admin_client.post(f"/admin/users/{rep.id}/active", data={"active": "0"})
    assert is_sent_to_login(rep_client.get("/"))


def test_deactivated_user_cannot_sign_in(app, client, make_user):
    who = make_user("rep", active=False)
    response = client.post("/login", data={"email": who.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Invalid e-mail or password." in response.get_data(as_text=True)


def test_role_change_signs_the_user_out(app, make_user):
    admin, rep = make_user("admin"), make_user("rep")
    admin_client, rep_client = app.test_client(), app.test_client()
    sign_in(admin_client, admin.email)
    sign_in(rep_client, rep.email)
    admin_client.post(
        f"/admin/users/{rep.id}", data={"display_name": "Now a leader", "role": "leader"}
    )
    with app.app_context():
        assert db.session.scalar(sa.select(User.role).where(User.id == rep.id)) == "leader"
    assert is_sent_to_login(rep_client.get("/"))


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    who = make_user("rep")
    response = client.post("/login", data={"email": who.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_not_secure_in_development(client):
    assert "Secure" not in client.get("/login").headers["Set-Cookie"]


def test_session_cookie_is_secure_under_production_config(make_app):
    app = make_app(config_class=config.ProductionConfig, PROXY_FIX_X_FOR=0)
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_signed_in_pages_are_not_stored_by_caches(client, login):
    login("rep")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_signed_in_error_pages_are_not_stored_by_caches(client, login):
    login("rep")
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"


def test_a_sign_in_lasts_the_configured_lifetime(client, login):
    login("rep")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None
