"""There is no default admin: the first one is made with ``flask --app app create-admin``."""

import sqlalchemy as sa

from forum.auth.models import User
from forum.extensions import db


def create_admin(app, email="ada@example.test", name="Ada Admin", password="a long password"):
    return app.test_cli_runner().invoke(
        args=["create-admin", "--email", email, "--name", name, "--password", password]
    )


def users(app) -> list[tuple[str, str, bool]]:
    with app.app_context():
        return db.session.execute(sa.select(User.email, User.role, User.active)).all()


def test_no_user_exists_after_db_upgrade(make_app, fresh_database_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=fresh_database_url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert users(app) == []


def test_create_admin_makes_an_active_admin(app):
    result = create_admin(app)
    assert result.exit_code == 0, result.output
    assert "Admin ada@example.test created." in result.output
    assert users(app) == [("ada@example.test", "admin", True)]


def test_created_admin_can_sign_in_and_open_the_admin_pages(app, client):
    create_admin(app)
    client.post("/login", data={"email": "ada@example.test", "password": "a long password"})
    assert client.get("/admin/users").status_code == 200


def test_create_admin_stores_the_email_normalised(app):
    create_admin(app, email="  Ada@Example.TEST ")
    assert users(app) == [("ada@example.test", "admin", True)]


def test_create_admin_refuses_a_duplicate(app):
    create_admin(app)
    result = create_admin(app, name="Another Ada")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert len(users(app)) == 1


def test_create_admin_refuses_a_look_alike_duplicate(app):
    create_admin(app)
    result = create_admin(app, email="ＡＤＡ@example.test")
    assert result.exit_code == 1
    assert len(users(app)) == 1


def test_create_admin_refuses_a_short_password(app):
    result = create_admin(app, password="short")
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert users(app) == []


def test_create_admin_refuses_something_that_is_not_an_email(app):
    result = create_admin(app, email="not an address")
    assert result.exit_code == 1
    assert users(app) == []
