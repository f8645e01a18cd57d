"""Requiring single sign-on: password sign-in off for everyone, except an admin given a
break-glass window from the command line; every step audited."""

import sqlalchemy as sa

from forum.auth.models import User
from forum.core import settings
from forum.core.audit import AuditEntry
from forum.extensions import db
from tests import factories
from tests.oidc_provider import LABEL

PASSWORD_OFF = "Password sign-in is turned off"


def _actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def _require(app) -> None:
    with app.app_context():
        settings.put("sso_required", 1)
        db.session.commit()


def _password_sign_in(client, email: str, password: str = factories.PASSWORD):
    client.refresh_csrf("/login")
    return client.post("/login", data={"email": email, "password": password})


def test_an_admin_requires_single_sign_on_from_the_settings_page(app, client, sso, login):
    login("admin")
    page = client.get("/admin/sso").get_data(as_text=True)
    assert LABEL in page and sso.issuer in page
    response = client.post("/admin/sso", data={"required": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert settings.get("sso_required") == 1
    assert "sso.required" in _actions(app)
    client.post("/admin/sso", data={"required": "0"})
    with app.app_context():
        assert settings.get("sso_required") == 0
    assert _actions(app)[-1] == "sso.not_required"


def test_single_sign_on_cannot_be_required_without_a_provider(app, client, login):
    login("admin")
    response = client.post("/admin/sso", data={"required": "1"}, follow_redirects=True)
    assert "Configure a single sign-on provider first" in response.get_data(as_text=True)
    with app.app_context():
        assert settings.get("sso_required") == 0


def test_while_sso_is_required_a_right_password_is_refused_like_a_wrong_one(
    app, client, sso, make_user
):
    who = make_user("rep")
    _require(app)
    right = _password_sign_in(client, who.email)
    wrong = _password_sign_in(client, who.email, "not the password")
    assert right.status_code == wrong.status_code == 200
    assert PASSWORD_OFF in right.get_data(as_text=True)
    assert PASSWORD_OFF in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    assert _actions(app).count("sso.password_refused") == 2
    with app.app_context():
        assert db.session.get(User, who.id).last_login_at is None


def test_the_sign_in_page_says_sso_is_the_way_in(app, client, sso):
    _require(app)
    page = client.get("/login").get_data(as_text=True)
    assert f"Sign in with {LABEL}" in page
    assert "emergency access" in page


def _break_glass(app, *args):
    return app.test_cli_runner().invoke(args=["break-glass", *args])


def test_break_glass_lets_one_admin_sign_in_with_a_password_and_is_audited(
    app, client, sso, make_user
):
    admin = make_user("admin")
    _require(app)
    result = _break_glass(app, "--email", admin.email, "--minutes", "30")
    assert result.exit_code == 0, result.output
    assert "may sign in with their password until" in result.output
    response = _password_sign_in(client, admin.email)
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200
    actions = _actions(app)
    assert actions.index("sso.break_glass") < actions.index("sso.break_glass_sign_in")


def test_break_glass_closed_again_refuses_the_password(app, client, sso, make_user):
    admin = make_user("admin")
    _require(app)
    _break_glass(app, "--email", admin.email)
    result = _break_glass(app, "--email", admin.email, "--close")
    assert result.exit_code == 0, result.output
    assert PASSWORD_OFF in _password_sign_in(client, admin.email).get_data(as_text=True)
    assert "sso.break_glass_closed" in _actions(app)


def test_an_expired_break_glass_window_refuses_the_password(app, client, sso, make_user):
    from datetime import timedelta

    from forum.core.time import utcnow

    admin = make_user("admin")
    _require(app)
    with app.app_context():
        db.session.get(User, admin.id).break_glass_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert PASSWORD_OFF in _password_sign_in(client, admin.email).get_data(as_text=True)


def test_break_glass_is_only_for_an_active_admin(app, sso, make_user):
    leader = make_user("leader")
    for email in (leader.email, "nobody@example.test"):
        result = _break_glass(app, "--email", email)
        assert result.exit_code == 1
        assert "No active administrator" in result.output
    with app.app_context():
        assert db.session.get(User, leader.id).break_glass_until is None
    assert "sso.break_glass" not in _actions(app)


def test_a_leader_with_an_old_window_cannot_use_a_password(app, client, sso, make_user):
    from datetime import timedelta

    from forum.core.time import utcnow

    leader = make_user("leader")
    _require(app)
    with app.app_context():
        db.session.get(User, leader.id).break_glass_until = utcnow() + timedelta(hours=1)
        db.session.commit()
    assert PASSWORD_OFF in _password_sign_in(client, leader.email).get_data(as_text=True)


def test_single_sign_on_still_works_while_required(app, client, sso):
    from tests.oidc_provider import sign_in

    with app.app_context():
        factories.team("sales", name="North")
        db.session.commit()
    _require(app)
    assert sign_in(client).status_code == 302
    assert client.get("/").status_code == 200


def test_with_no_provider_left_in_the_environment_passwords_work_again(app, client, sso, make_user):
    who = make_user("rep")
    _require(app)
    app.config["SSO_PROVIDERS"] = []
    assert _password_sign_in(client, who.email).status_code == 302
