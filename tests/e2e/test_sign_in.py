"""Signing in through the browser, for every role and on a phone; inviting a user end to end."""

import re

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from tests import factories
from tests.e2e.checks import ARTIFACTS

ROLES = ["rep", "ops", "leader", "admin"]
ADMIN_LINKS = ["Users", "Teams", "Audit log"]


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_can_open_every_main_navigation_link(page, sign_in, role):
    person = sign_in(page, role, display_name=f"Dana {role.title()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")
    expect(page.locator(".account")).to_contain_text(person.display_name)

    labels = main_nav(page).get_by_role("link").all_inner_texts()
    assert labels[0] == "Home"
    assert all(link in labels for link in ADMIN_LINKS) == (role == "admin"), labels
    if role == "admin":
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "home-admin-desktop.png", full_page=True)

    for label in labels:
        link = main_nav(page).get_by_role("link", name=label, exact=True)
        href = link.get_attribute("href")
        link.click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        expect(main_nav(page).get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        expect(page.get_by_role("heading", level=1)).to_have_count(1)


def test_sign_in_and_forgot_password_pages_work_without_an_account(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    page.get_by_label("E-mail").fill("nobody@example.test")
    page.get_by_role("button", name="Send the link").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("If that address belongs to an account")


def test_a_wrong_password_is_refused_with_a_message_tied_to_the_field(page, make_user):
    who = make_user("rep")
    page.goto("/login")
    page.get_by_label("E-mail").fill(who.email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Invalid e-mail or password.")
    expect(page.get_by_role("alert")).to_be_focused()  # static/js/app.js ran under the CSP
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Invalid e-mail or password.")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_admin_invites_a_user_who_sets_a_password_and_is_signed_in(app, page, new_page, sign_in):
    with app.app_context():
        factories.team("sales", name="North")
        db.session.commit()
    sign_in(page, "admin")
    main_nav(page).get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("E-mail").fill("new.rep@example.com")
    page.get_by_label("Display name").fill("Nora North")
    page.get_by_label("Role").select_option(label="Sales rep")
    page.get_by_label("Team").select_option(label="North (Sales region)")
    page.get_by_role("button", name="Send the invitation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation for Nora North")
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(app.config["BASE_URL"] + "/invite/"), link

    invitee = new_page("desktop", "invitee")
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome to Voice of Sales")
    invitee.get_by_label("New password", exact=True).fill("a long phrase for Nora")
    invitee.get_by_label("Repeat the new password").fill("a long phrase for Nora")
    invitee.get_by_role("button", name="Set my password").click()

    expect(invitee).to_have_url(re.compile(r"/$"))
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, Nora North")
    expect(invitee.get_by_role("status")).to_contain_text("Your password is set.")

    invitee.goto(link)  # the link worked once
    expect(invitee.get_by_role("heading", level=1)).not_to_have_text("Welcome to Voice of Sales")


def test_a_rep_signs_in_on_a_phone(phone_page, sign_in):
    person = sign_in(phone_page, "rep", display_name="Pat Phone")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat Phone")
    expect(phone_page.locator(".account")).to_contain_text(person.display_name)
    assert _horizontal_overflow(phone_page) == 0


def test_on_a_phone_the_menu_folds_behind_one_button_and_opens_by_keyboard(phone_page, sign_in):
    sign_in(phone_page, "rep")
    header = phone_page.locator(".site-header").bounding_box()
    assert header["height"] < 140, header  # it took about 240 px before the menu folded
    menu = phone_page.get_by_role("button", name="Menu")
    feed = main_nav(phone_page).get_by_role("link", name="Feed")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(feed).to_be_hidden()
    expect(phone_page.get_by_role("searchbox", name="Search reports and fixes")).to_be_visible()
    expect(phone_page.get_by_role("link", name=re.compile("^Notifications"))).to_be_visible()
    menu.focus()
    phone_page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(feed).to_be_visible()
    assert feed.bounding_box()["height"] >= 44  # a touch target
    phone_page.keyboard.press("Escape")
    expect(feed).to_be_hidden()
    expect(menu).to_be_focused()
    menu.click()
    feed.click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Feed")
    assert _horizontal_overflow(phone_page) == 0


def test_on_a_wide_screen_there_is_no_menu_button(page, sign_in):
    sign_in(page, "rep")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(main_nav(page).get_by_role("link", name="Feed")).to_be_visible()


def test_admin_users_page_fits_a_phone(app, phone_page, sign_in, make_user):
    for role in ("rep", "ops", "leader"):
        make_user(role)
    sign_in(phone_page, "admin", display_name="Ada Admin")
    phone_page.get_by_role("button", name="Menu").click()
    main_nav(phone_page).get_by_role("link", name="Users").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(phone_page.get_by_role("table")).to_contain_text("Ada Admin")
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.screenshot(path=ARTIFACTS / "admin-users-phone.png", full_page=True)
    assert _horizontal_overflow(phone_page) == 0


def _horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
