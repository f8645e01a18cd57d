"""The app starts, serves its login page and answers the health check."""


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"<h1>Sign in</h1>" in response.data


def test_healthz_answers_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_signed_in_user_sees_their_name(client, login):
    login("leader", display_name="Lena Test")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Lena Test" in response.data
