"""`/healthz` says whether the database answers; a lost database gives 503, never 500."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import before_render_template

from forum.extensions import db
from tests import factories
from tests.factories import PASSWORD

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://u:p@127.0.0.1:1/x",
    "sqlite": "sqlite:////nonexistent-folder/for/voice-of-sales/test.db",
}


@contextmanager
def template_rendered_started(app, receiver):
    """Call ``receiver`` when ``app`` starts drawing a template (after the view's queries)."""
    before_render_template.connect(receiver, app)
    try:
        yield
    finally:
        before_render_template.disconnect(receiver, app)


@pytest.fixture(params=sorted(UNREACHABLE))
def down_app(request, make_app):
    """An app whose database cannot be reached."""
    return make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE[request.param])


def test_healthz_is_200_json_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_healthz_is_503_json_when_the_database_is_down(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "down"}


def test_sign_in_is_503_when_the_database_is_down(down_app):
    client = down_app.test_client()
    response = client.post("/login", data={"email": "a@example.test", "password": PASSWORD})
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "<h1>Temporarily unavailable</h1>" in body
    assert "Traceback" not in body
    assert response.headers["Retry-After"]


def test_signed_in_page_is_503_when_the_database_is_down(client, login, down_app):
    login("rep")
    down_client = down_app.test_client()
    down_client.set_cookie("session", client.get_cookie("session").value)
    response = down_client.get("/")
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)


def test_json_client_gets_503_as_json_when_the_database_is_down(client, login, down_app):
    login("rep")
    down_client = down_app.test_client()
    down_client.set_cookie("session", client.get_cookie("session").value)
    response = down_client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json()["status"] == 503


def test_login_page_still_renders_when_the_database_is_down(down_app):
    assert down_app.test_client().get("/login").status_code == 200


def test_missing_page_for_a_signed_in_user_is_not_a_500_when_the_database_is_down(
    client, login, down_app
):
    login("rep")
    down_client = down_app.test_client()
    down_client.set_cookie("session", client.get_cookie("session").value)
    response = down_client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.get_data(as_text=True)


def test_app_recovers_without_a_restart_when_the_database_comes_back(make_app, tmp_path):
    folder = tmp_path / "not-yet"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'voice.db'}")
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    folder.mkdir()
    assert client.get("/healthz").status_code == 200


def test_a_connection_lost_after_the_view_answered_leaves_the_answer_alone(make_app, caplog):
    app = make_app()
    with app.app_context():
        dialect = db.engine.dialect
    original = dialect.do_rollback
    lost = []

    def rollback_over_a_dead_connection(dbapi_connection):
        if not lost:  # once: the database stopped between the view and the end of the request
            lost.append(True)
            raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")
        return original(dbapi_connection)

    @app.get("/test-only/answered")
    def answered():
        db.session.execute(sa.text("SELECT 1"))  # the request's transaction is open
        dialect.do_rollback = rollback_over_a_dead_connection
        return "answered"

    client = app.test_client()
    try:
        response = client.get("/test-only/answered")
    finally:
        dialect.do_rollback = original
    assert lost
    assert (response.status_code, response.text) == (200, "answered")
    assert "database connection lost" in caplog.text
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("rep", "/posts/"),
        ("rep", "/"),
        ("leader", "/triage/"),
        ("leader", "/board/"),
        ("ops", "/fixes/"),
    ],
)
def test_the_database_lost_while_a_page_is_drawn_is_a_503_never_a_500(make_app, role, path):
    """PostgreSQL stopped after the view's queries, while the template runs its own (the unread
    count, the organisation's time zone): the first failure reaches the 503 handler. Nothing
    may swallow it and carry on, or the next statement finds the connection invalidated and
    raises "Can't reconnect until invalid transaction is rolled back": a 500."""
    app = make_app()
    with app.app_context():
        email = factories.user(role).email
        factories.post(title="A report with a date to draw in the viewer's zone")
        db.session.commit()
        dialect = db.engine.dialect
        engine = db.engine
    original = dialect.do_execute
    gone = []

    def execute_on_a_stopped_database(cursor, statement, parameters, context=None):
        if gone:
            raise dialect.loaded_dbapi.OperationalError("server closed the connection")
        return original(cursor, statement, parameters, context)

    def a_disconnect(context):
        if gone:
            context.is_disconnect = True  # as PostgreSQL's words are to its dialect

    def stop_the_database(*args, **kwargs):
        gone.append(True)

    client = app.test_client()
    client.sign_in_with_form(email)
    dialect.do_execute = execute_on_a_stopped_database
    sa.event.listen(engine, "handle_error", a_disconnect)
    try:
        with template_rendered_started(app, stop_the_database):
            response = client.get(path)
    finally:
        dialect.do_execute = original
        sa.event.remove(engine, "handle_error", a_disconnect)

    assert gone, "the page drew no template"
    assert response.status_code == 503, response.text[:2000]
    assert "<h1>Temporarily unavailable</h1>" in response.text
    assert client.get(path).status_code == 200  # and the next request is served again
