"""Every error answers with a readable page of its own status, never a stack trace."""

import pytest
from flask import abort

CODES = [400, 403, 404, 405, 409, 413, 429, 500, 503]


class Boom(Exception):
    """An unexpected failure inside a view."""


@pytest.fixture
def app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/abort/<int:code>")
    def abort_with(code: int):
        abort(code)

    @app.get("/test-only/raise")
    def raise_unexpected():
        raise Boom("secret detail from deep inside")

    return app


@pytest.mark.parametrize("code", CODES)
def test_error_page_has_the_status_and_one_heading(client, code):
    response = client.get(f"/test-only/abort/{code}")
    body = response.get_data(as_text=True)
    assert response.status_code == code
    assert body.count("<h1") == 1
    assert f"Error {code}." in body


@pytest.mark.parametrize("code", CODES)
def test_error_page_shows_no_stack_trace(client, code):
    body = client.get(f"/test-only/abort/{code}").get_data(as_text=True)
    assert "Traceback" not in body
    assert "werkzeug" not in body.lower()


@pytest.mark.parametrize("code", CODES)
def test_error_page_renders_for_a_signed_in_user(client, login, code):
    login("rep")
    response = client.get(f"/test-only/abort/{code}")
    assert response.status_code == code
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("code", CODES)
def test_error_answers_json_to_a_json_client(client, code):
    response = client.get(f"/test-only/abort/{code}", headers={"Accept": "application/json"})
    assert response.status_code == code
    assert response.get_json()["status"] == code


def test_unexpected_exception_is_a_500_page(client):
    response = client.get("/test-only/raise")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in body


def test_unexpected_exception_leaks_no_detail(client):
    body = client.get("/test-only/raise").get_data(as_text=True)
    assert "Traceback" not in body
    assert "secret detail" not in body
    assert "Boom" not in body


def test_unexpected_exception_is_logged(client, caplog):
    client.get("/test-only/raise")
    assert any(r.exc_info and r.exc_info[0] is Boom for r in caplog.records)
