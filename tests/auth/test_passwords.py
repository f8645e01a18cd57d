"""Passwords: at least 8 characters, long and Unicode ones welcome, stored with a slow hash."""

import pytest
import sqlalchemy as sa

import config
from forum.auth.models import User
from forum.extensions import db
from tests.factories import PASSWORD


def change_password(client, new: str, current: str = PASSWORD):
    return client.post(
        "/account/password", data={"current": current, "password": new, "confirm": new}
    )


def stored_hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_password_of_seven_characters_is_refused(app, client, login):
    who = login("rep")
    before = stored_hash(app, who.id)
    response = change_password(client, "1234567")
    assert response.status_code == 200
    assert "Use at least 8 characters" in response.get_data(as_text=True)
    assert stored_hash(app, who.id) == before


def test_password_of_eight_characters_is_accepted(app, client, login):
    who = login("rep")
    assert change_password(client, "12345678").status_code == 302
    assert can_sign_in(app, who.email, "12345678")


def test_thousand_character_password_is_accepted(app, client, login):
    who = login("rep")
    long_password = ("correct horse battery staple " * 35)[:1000]
    assert len(long_password) == 1000
    assert change_password(client, long_password).status_code == 302
    assert can_sign_in(app, who.email, long_password)


def test_unicode_password_is_accepted(app, client, login):
    who = login("rep")
    unicode_password = "pässwörd 密码 🔑 парол"
    assert change_password(client, unicode_password).status_code == 302
    assert can_sign_in(app, who.email, unicode_password)


def test_wrong_current_password_is_refused(app, client, login):
    who = login("rep")
    before = stored_hash(app, who.id)
    response = change_password(client, "a new password", current="not my password")
    assert "That is not your current password." in response.get_data(as_text=True)
    assert stored_hash(app, who.id) == before


def test_stored_hash_is_not_the_password(app, client, login):
    who = login("rep")
    change_password(client, "a brand new password")
    stored = stored_hash(app, who.id)
    assert "a brand new password" not in stored


@pytest.mark.parametrize("config_class", [config.Config, config.ProductionConfig])
def test_outside_tests_passwords_are_hashed_with_scrypt(config_class):
    assert config_class.PASSWORD_HASH_METHOD == "scrypt"


def test_scrypt_hash_is_what_gets_stored_outside_tests(make_app):
    app = make_app(PASSWORD_HASH_METHOD=config.Config.PASSWORD_HASH_METHOD)
    client = app.test_client()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "ada@example.test",
            "--name",
            "Ada",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash))
    assert stored.startswith("scrypt:")
    response = client.post("/login", data={"email": "ada@example.test", "password": PASSWORD})
    assert response.status_code == 302
