"""Dark mode follows the system setting: a leader works through the demo organisation and a rep
files a report on a phone, both with the system set to dark. axe (colour contrast included) and
the Nu checker run on every page the two see, in the dark profile they saw it in."""

import re

from playwright.sync_api import expect

from forum.demo import seed
from forum.extensions import db
from tests.e2e.checks import ARTIFACTS

DARK_BG, LIGHT_BG = "rgb(13, 17, 23)", "rgb(246, 247, 249)"


def _background(page) -> str:
    return page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")


def test_a_leader_works_through_the_demo_in_dark_mode(app, new_page, sign_in):
    with app.app_context():
        seed("demo-password")
        db.session.commit()
    page = new_page("desktop-dark", "leader, dark")
    sign_in(page, "leader")
    assert _background(page) == DARK_BG
    nav = page.get_by_role("navigation", name="Main")
    for label in ["Feed", "Triage", "Accounts", "Fixes", "Board"]:
        nav.get_by_role("link", name=label, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "board-leader-dark.png", full_page=True)
    page.get_by_role("navigation", name="Board sections").get_by_role(
        "link", name="Win/loss"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Win/loss")
    nav.get_by_role("link", name="Fixes", exact=True).click()
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/fixes/\d+$"))
    page.screenshot(path=ARTIFACTS / "fix-leader-dark.png", full_page=True)
    nav.get_by_role("link", name="Feed", exact=True).click()
    page.locator(".post-title a").first.click()
    expect(page).to_have_url(re.compile(r"/posts/\d+$"))

    light = new_page("desktop", "leader, light")
    light.goto("/login")
    assert _background(light) == LIGHT_BG  # the same stylesheet, the system set to light


def test_a_rep_files_a_report_on_a_phone_in_dark_mode(new_page, sign_in):
    page = new_page("phone-dark", "rep, dark")
    sign_in(page, "rep")
    assert _background(page) == DARK_BG
    page.goto("/posts/new/field-feedback")
    page.get_by_role("button", name=re.compile("^(Post|Submit|File)")).first.click()
    expect(page.get_by_role("alert").first).to_be_visible()  # the error summary, in dark
    page.screenshot(path=ARTIFACTS / "new-report-errors-phone-dark.png", full_page=True)
