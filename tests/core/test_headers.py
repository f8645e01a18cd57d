"""Security headers on every answer: CSP without inline scripts, nosniff, referrer, framing."""

import pytest


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


@pytest.fixture(params=["/login", "/no/such/page", "/healthz"])
def response(request, client):
    return client.get(request.param)


def test_csp_allows_scripts_only_from_this_site(response):
    script_src = csp_directives(response)["script-src"]
    assert script_src == "'self'"
    assert "unsafe-inline" not in script_src


def test_csp_forbids_framing(response):
    assert csp_directives(response)["frame-ancestors"] == "'none'"


def test_csp_forbids_plugins(response):
    assert csp_directives(response)["object-src"] == "'none'"


def test_content_type_sniffing_is_off(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_referrer_policy_is_set(response):
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}


def test_signed_in_page_has_the_security_headers(client, login):
    login("admin")
    response = client.get("/admin/users")
    assert "unsafe-inline" not in csp_directives(response)["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_sent_with_nosniff(client):
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_pages_have_no_inline_scripts(client, login):
    login("admin")
    for url in ("/", "/admin/users", "/admin/teams", "/admin/audit", "/account/password"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body
        assert " on" + "click=" not in body


def test_a_background_request_does_not_send_the_session_cookie_back(app, client, login):
    """An answer to the script's lookups would otherwise put back an older cookie after a
    form's redirect, dropping its flash message."""
    login("rep")
    assert "session=" in client.get("/posts/").headers.get("Set-Cookie", "")
    for url in ("/posts/similar?title=late+pallets", "/accounts/lookup?q=ac"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, url
