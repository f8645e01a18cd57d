"""Failed sign-ins are throttled per account and per address, and every throttle is logged."""

import logging

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def app(make_app):
    return make_app(
        LOGIN_LIMIT_PER_ACCOUNT="3 per 10 minutes", LOGIN_LIMIT_PER_ADDRESS="5 per hour"
    )


def sign_in(client, email, password="not the password", address="192.0.2.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_repeated_failures_on_one_account_are_throttled(client, make_user):
    who = make_user("rep")
    statuses = [sign_in(client, who.email).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_account_throttle_holds_across_addresses(client, make_user):
    who = make_user("rep")
    statuses = [sign_in(client, who.email, address=f"192.0.2.{n}").status_code for n in range(4)]
    assert statuses[-1] == 429


def test_account_throttle_also_refuses_the_right_password(client, make_user):
    who = make_user("rep")
    for _ in range(3):
        sign_in(client, who.email)
    assert sign_in(client, who.email, PASSWORD).status_code == 429


def test_account_throttle_applies_to_unknown_addresses_too(client):
    statuses = [sign_in(client, "nobody@example.test").status_code for _ in range(4)]
    assert statuses[-1] == 429


def test_account_throttle_counts_look_alike_spellings_as_one_account(client, make_user):
    who = make_user("rep", email="rep@example.com")
    for typed in ("rep@example.com", "REP@example.com", " Rep@Example.com "):
        sign_in(client, typed)
    assert sign_in(client, who.email).status_code == 429


def test_repeated_failures_from_one_address_are_throttled(client):
    statuses = [sign_in(client, f"nobody{n}@example.test").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]


def test_address_throttle_leaves_other_addresses_alone(client):
    for n in range(5):
        sign_in(client, f"nobody{n}@example.test")
    assert sign_in(client, "other@example.test", address="192.0.2.99").status_code == 200


def test_successful_sign_ins_do_not_count(app, make_user):
    who = make_user("rep")
    for _ in range(4):
        assert sign_in(app.test_client(), who.email, PASSWORD).status_code == 302
    assert sign_in(app.test_client(), who.email).status_code == 200


def test_throttled_answer_is_a_readable_page(client, make_user):
    who = make_user("rep")
    for _ in range(3):
        sign_in(client, who.email)
    response = sign_in(client, who.email)
    body = response.get_data(as_text=True)
    assert "<h1>Too many requests</h1>" in body
    assert "Traceback" not in body
    assert "Retry-After" in response.headers


def test_failed_sign_in_is_logged(client, make_user, caplog):
    who = make_user("rep")
    with caplog.at_level(logging.WARNING):
        sign_in(client, who.email)
    assert any(
        r.levelno == logging.WARNING
        and "failed login" in r.getMessage()
        and who.email in r.getMessage()
        for r in caplog.records
    )


def test_throttled_sign_in_is_logged_as_a_warning(client, make_user, caplog):
    who = make_user("rep")
    for _ in range(3):
        sign_in(client, who.email)
    with caplog.at_level(logging.WARNING):
        sign_in(client, who.email)
    assert any(
        r.levelno == logging.WARNING and "throttled" in r.getMessage() for r in caplog.records
    )


def test_throttle_state_does_not_leak_into_the_next_test_part_one(client, make_user):
    who = make_user("rep", email="leak@example.test")
    for _ in range(3):
        sign_in(client, who.email)
    assert sign_in(client, who.email).status_code == 429


def test_throttle_state_does_not_leak_into_the_next_test_part_two(client, make_user):
    who = make_user("rep", email="leak@example.test")
    assert sign_in(client, who.email).status_code == 200
