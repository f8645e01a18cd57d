"""Single sign-on in Chromium against a real OpenID Connect provider on 127.0.0.1
(tests/oidc_provider.py): a new person of an allowed domain lands with the mapped role, signs
out and is offered the provider's sign-out; every fault ends on a clear page, signed out."""

import re

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from tests import factories
from tests.oidc_provider import LABEL


@pytest.fixture
def teams(app):
    with app.app_context():
        factories.team("sales", name="North")
        db.session.commit()


def _start(page):
    page.goto("/login")
    page.get_by_role("link", name=f"Sign in with {LABEL}").click()


def test_a_new_leader_of_an_allowed_domain_signs_in_with_the_mapped_role_and_out_again(
    page, sso, teams
):
    sso.identity.name = "Lena Leader"
    sso.identity.email = "lena@corp.example"
    sso.identity.groups = ["staff", "sales-leaders"]
    _start(page)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lena Leader")
    expect(page.locator(".account")).to_contain_text("Lena Leader (Leader)")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Triage")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.get_by_role("link", name=f"Sign out of {LABEL} too").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert len(sso.logouts) == 1 and sso.logouts[0]["id_token_hint"]


@pytest.mark.parametrize(
    ("fault", "heading", "message"),
    [
        ("tamper", "You are not signed in", "could not be verified"),
        ("nonce", "You are not signed in", "could not be verified"),
        ("expired", "You are not signed in", "could not be verified"),
        ("audience", "You are not signed in", "could not be verified"),
        ("domain", "Ask your administrator", "cannot sign in through"),
    ],
)
def test_a_faulty_sign_in_ends_on_a_clear_page_signed_out(
    page, sso, teams, fault, heading, message
):
    if fault == "domain":
        sso.identity.email = "someone@elsewhere.example"
    else:
        sso.misbehave = {fault}
    _start(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_replayed_callback_is_refused(page, new_page, sso, teams):
    with page.expect_request(re.compile(r"/sso/corp/callback\?")) as callback:
        _start(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nora North")

    other = new_page("desktop", "someone replaying the link")
    other.goto(callback.value.url)
    expect(other.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(other.get_by_role("alert")).to_contain_text("already used")
    other.goto("/")
    expect(other).to_have_url(re.compile(r"/login\?next="))
