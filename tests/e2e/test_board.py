"""A leader reads the accountability board: filters it to one region, opens a team's scorecard,
exports CSV, finds the top reporters and opens one's track record, and prints the period
review. axe, vnu and the CSP checks run on every page; screenshots of the board and of the
reporters land in test-artifacts/ to be looked at."""

import csv
import io
import re

from playwright.sync_api import expect

from forum.demo import seed
from forum.extensions import db
from tests.e2e.checks import ARTIFACTS


def test_a_leader_filters_the_board_opens_a_scorecard_exports_and_prints(app, page, sign_in):
    with app.app_context():
        seed("demo-password")  # the demo organisation: teams, accounts, fixes with histories
        db.session.commit()
    sign_in(page, "leader")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accountability board")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "board-leader-desktop.png", full_page=True)

    page.get_by_label("Period").select_option("year")
    page.get_by_label("Region").select_option(label="EMEA")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"period=year.*region=\d+|region=\d+.*period=year"))
    expect(page.get_by_label("Region").locator("option:checked")).to_have_text("EMEA")

    page.get_by_role("link", name="Shipping & Logistics").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shipping & Logistics: scorecard")
    page.get_by_role("link", name="Back to the board").click()

    with page.expect_download() as download:
        page.get_by_role("link", name="fixes", exact=True).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows and rows[0], "the CSV has a header"
    for row in rows[1:]:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), row

    sections = page.get_by_role("navigation", name="Board sections")
    sections.get_by_role("link", name="Reporters").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("whose reports lead to fixes")
    first = page.get_by_role("table").get_by_role("rowheader").first.get_by_role("link")
    name = first.inner_text()
    page.screenshot(path=ARTIFACTS / "reporters-leader-desktop.png", full_page=True)
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}: track record")
    page.go_back()

    sections.get_by_role("link", name="Period review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Period review")
    expect(page.get_by_role("button", name="Print this review")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "period-review-print.png", full_page=True)
