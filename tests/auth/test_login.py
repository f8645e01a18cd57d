"""Signing in: one answer for every failure, normalised e-mails, safe ``next=`` targets."""

import re

import pytest

from forum.auth import services
from tests.factories import PASSWORD

CSRF_VALUE_RE = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]+(")')


def mask_csrf(body: str) -> str:
    return CSRF_VALUE_RE.sub(r"\1CSRF\2", body)


def sign_in(client, email: str, password: str = PASSWORD, **data):
    return client.post("/login", data={"email": email, "password": password, **data})


def test_wrong_password_and_unknown_email_get_the_same_status(client, make_user):
    who = make_user("rep")
    wrong_password = sign_in(client, who.email, "not the password")
    unknown_email = sign_in(client, "nobody@example.test", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_page(client, make_user):
    who = make_user("rep")
    wrong_password = sign_in(client, who.email, "not the password").get_data(as_text=True)
    unknown_email = sign_in(client, "nobody@example.test", "not the password").get_data(
        as_text=True
    )
    # The form echoes what was typed; everything else must be identical.
    wrong_password = mask_csrf(wrong_password.replace(who.email, "EMAIL"))
    unknown_email = mask_csrf(unknown_email.replace("nobody@example.test", "EMAIL"))
    assert wrong_password == unknown_email
    assert "Invalid e-mail or password." in unknown_email


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "invited, no password"])
def test_every_failed_sign_in_costs_one_password_hash_check(client, make_user, monkeypatch, case):
    calls = []
    real_check = services.check_password_hash

    def counting_check(pwhash, password):
        calls.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting_check)
    email = "nobody@example.test"
    if case == "wrong password":
        email = make_user("rep").email
    elif case == "invited, no password":
        email = make_user("rep", password=None, active=False).email
    response = sign_in(client, email, "not the password")
    assert response.status_code == 200
    assert len(calls) == 1


def test_sign_in_changes_the_session_cookie(client, make_user):
    who = make_user("rep")
    client.get("/login")
    before = client.get_cookie("session").value
    sign_in(client, who.email)
    assert client.get_cookie("session").value != before


def test_email_is_stripped_and_case_folded_at_sign_in(client, make_user):
    make_user("rep", email="rep@example.com")
    response = sign_in(client, "  REP@Example.COM ")
    assert response.status_code == 302


@pytest.mark.parametrize(
    "typed",
    ["  RÉP@Example.COM ", "  RE\u0301P@Example.COM ", "ｒéｐ@ｅｘａｍｐｌｅ.ｃｏｍ"],
    ids=["composed accent", "combining accent", "full-width letters"],
)
def test_email_is_nfkc_normalised_at_sign_in(client, make_user, typed):
    # NFKC and casefold keep the accent: "RÉP" is "rép", a different address from "rep".
    make_user("rep", email="rép@example.com")
    response = sign_in(client, typed)
    assert response.status_code == 302


def test_sign_in_as_an_accented_address_does_not_match_the_plain_one(client, make_user):
    make_user("rep", email="rep@example.com")
    response = sign_in(client, "RÉP@example.com")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "/\\evil.com",
        "https:evil.com",
        "javascript:alert(1)",
        "/%09/evil.com",
        "\t//evil",
        "http://evil.com",
        "///evil.com",
        "/\t/evil.com",
    ],
)
def test_next_pointing_off_site_lands_on_the_start_page(client, make_user, target):
    who = make_user("admin")
    response = sign_in(client, who.email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_pointing_at_a_page_of_this_site_is_honoured(client, make_user):
    who = make_user("admin")
    response = sign_in(client, who.email, next="/admin/users")
    assert response.headers["Location"] == "/admin/users"


def test_login_page_carries_next_into_the_form(client):
    response = client.get("/login?next=/admin/users")
    assert 'name="next" type="hidden" value="/admin/users"' in response.get_data(as_text=True)


def test_signed_in_user_visiting_login_with_an_off_site_next_lands_on_the_start_page(client, login):
    login("rep")
    response = client.get("/login?next=//evil.com")
    assert response.headers["Location"] == "/"


def test_page_behind_login_sends_anonymous_user_to_login_with_a_local_next(client):
    response = client.get("/admin/users?q=x")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "evil" not in response.headers["Location"]
