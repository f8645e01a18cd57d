"""Bad requests get a clear 400/404/405/413 page, never a 500, and change nothing."""

import sqlalchemy as sa

from forum.auth.models import User
from forum.extensions import db


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_form_without_csrf_token_is_refused(client, make_user):
    who = make_user("rep")
    response = client.post("/login", data={"email": who.email, "password": "x" * 10}, csrf=False)
    assert response.status_code == 400


def test_refused_csrf_page_tells_the_user_what_to_do(client):
    response = client.post("/login", data={"email": "a@example.test"}, csrf=False)
    body = response.get_data(as_text=True)
    assert "<h1>Bad request</h1>" in body
    assert "Your form expired or was sent from elsewhere." in body
    assert "Traceback" not in body


def test_form_with_a_wrong_csrf_token_is_refused(client):
    response = client.post(
        "/login", data={"email": "a@example.test", "csrf_token": "forged"}, csrf=False
    )
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_csrf_token_of_another_session_is_refused(app, client):
    other = app.test_client()
    token = other.refresh_csrf("/login")
    client.get("/login")
    response = client.post(
        "/login", data={"email": "a@example.test", "csrf_token": token}, csrf=False
    )
    assert response.status_code == 400


def test_admin_write_without_csrf_token_changes_nothing(app, client, login):
    login("admin")
    before = user_count(app)
    response = client.post(
        "/admin/users/invite",
        data={"email": "new@example.com", "display_name": "New", "role": "leader"},
        csrf=False,
    )
    assert response.status_code == 400
    assert user_count(app) == before


def test_get_on_a_post_only_route_is_405(client, login):
    login("rep")
    response = client.get("/logout")
    assert response.status_code == 405
    assert "<h1>Method not allowed</h1>" in response.get_data(as_text=True)


def test_post_on_a_get_only_route_is_405_with_allow_header(client, login):
    login("admin")
    response = client.post("/admin/audit")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}


def test_oversized_body_is_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.test", "password": "x" * 2048})
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "<h1>Too large</h1>" in body
    assert "Traceback" not in body


def test_body_under_the_limit_is_accepted(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.test", "password": "x" * 100})
    assert response.status_code == 200


def test_nul_byte_in_a_form_is_400(client):
    response = client.post("/login", data={"email": "a\x00@example.test", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_byte_in_a_form_field_name_is_400(client):
    response = client.post("/login", data={"email\x00": "a@example.test", "password": "x"})
    assert response.status_code == 400


def test_nul_byte_in_a_query_is_400(client, login):
    login("admin")
    response = client.get("/admin/users?q=a%00b")
    assert response.status_code == 400


def test_nul_byte_in_the_path_is_400(client):
    assert client.get("/admin/users/%00").status_code == 400


def test_nul_byte_in_an_admin_form_stores_nothing(app, client, login):
    login("admin")
    before = user_count(app)
    response = client.post(
        "/admin/users/invite",
        data={"email": "new@example.com", "display_name": "Ne\x00w", "role": "leader"},
    )
    assert response.status_code == 400
    assert user_count(app) == before


def test_invalid_utf8_in_a_query_is_not_a_server_error(client, login):
    login("admin")
    assert client.get("/admin/users?q=%ff%fe").status_code == 200


def test_huge_id_in_a_url_is_404(client, login):
    login("admin")
    assert client.get("/admin/users/99999999999999999999").status_code == 404


def test_largest_integer_id_is_404(client, login):
    login("admin")
    assert client.get(f"/admin/users/{2**31 - 1}").status_code == 404


def test_negative_id_in_a_url_is_404(client, login):
    login("admin")
    assert client.get("/admin/users/-1").status_code == 404


def test_absurd_page_number_is_404(client, login):
    login("admin")
    assert client.get("/admin/users?page=99999999").status_code == 404


def test_page_number_that_is_not_a_number_is_400(client, login):
    login("admin")
    assert client.get("/admin/audit?page=abc").status_code == 400


def test_unknown_url_is_a_404_page_with_one_heading(client):
    response = client.get("/no/such/page")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert body.count("<h1") == 1
    assert "<h1>Not found</h1>" in body


def test_json_client_gets_errors_as_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
