"""The board in another currency: on the demo organisation (amounts in USD, EUR, GBP and BRL,
USD the reporting currency), an admin opens the headline's breakdown by currency with the
keyboard, switches the reporting currency to EUR on the rates page and sees the board
re-expressed in euros, its breakdown saying which rates into EUR were used; the top fixes are
ranked by ARR through the keyboard. A leader with the system set to dark then reads the same
board. axe and the Nu checker run on every page, in the light and the dark profile."""

import re

from playwright.sync_api import expect

from forum.demo import seed
from forum.extensions import db
from tests.e2e.checks import ARTIFACTS


def _headline(page):
    """The headline "revenue at risk on open fixes": its figure and the breakdown beside it."""
    item = page.locator(".figures li").filter(has_text="revenue at risk on open fixes")
    return item.locator(".figure-value"), item.locator("details.money-breakdown")


def _open_breakdown_by_keyboard(page, check_page):
    figure, breakdown = _headline(page)
    figure.get_by_role("link").focus()
    page.keyboard.press("Tab")  # the next stop after the figure is its breakdown's summary
    summary = breakdown.locator("summary")
    expect(summary).to_be_focused()
    expect(breakdown.locator("ul")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(breakdown.locator("ul")).to_be_visible()
    check_page(page)  # the opened breakdown, as only interaction shows it
    return breakdown


def _amount(text: str) -> int:
    return int(re.search(r"[\d,]+", text).group().replace(",", ""))


def test_an_admin_switches_the_reporting_currency_and_the_board_is_re_expressed(
    app, page, new_page, sign_in, check_page
):
    with app.app_context():
        seed("demo-password")
        db.session.commit()
    sign_in(page, "admin")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Board", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accountability board")
    figure, _ = _headline(page)
    expect(figure).to_have_text(re.compile(r"^USD [\d,]+$"))
    in_dollars = _amount(figure.inner_text())
    breakdown = _open_breakdown_by_keyboard(page, check_page)
    expect(breakdown).to_contain_text(re.compile(r"Rates of \d{4}-\d\d into USD\."))
    expect(
        breakdown.locator("li").filter(has_text=re.compile(r"^EUR [\d,]+ at "))
    ).not_to_have_count(0)

    page.goto("/admin/rates/")
    page.get_by_label("Reporting currency", exact=True).select_option("EUR")
    page.get_by_role("button", name="Change the reporting currency").click()
    expect(page.get_by_role("heading", name="Reporting currency: EUR")).to_be_visible()
    expect(page.get_by_text("Totals are now shown in EUR.")).to_be_visible()

    nav.get_by_role("link", name="Board", exact=True).click()
    figure, _ = _headline(page)
    expect(figure).to_have_text(re.compile(r"^EUR [\d,]+$"))
    assert _amount(figure.inner_text()) != in_dollars
    breakdown = _open_breakdown_by_keyboard(page, check_page)
    expect(breakdown).to_contain_text(re.compile(r"Rates of \d{4}-\d\d into EUR\."))
    # dollars now converted into euros (the EUR into USD rates, used inverted)
    dollars = breakdown.locator("li").filter(has_text=re.compile(r"^USD [\d,]+ at .* = EUR"))
    expect(dollars).not_to_have_count(0)
    # the team rows and the top fixes are in euros too
    expect(page.locator(".board-table .money-figure").first).to_have_text(re.compile(r"^EUR "))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "board-in-eur.png", full_page=True)

    ranking = page.get_by_role("navigation", name="Rank the top fixes")
    ranking.get_by_role("link", name="ARR of the accounts touched").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"rank=arr"))
    expect(page.get_by_role("heading", name="Open fixes with the most ARR of the accounts touched"))
    expect(ranking.get_by_role("link", name="ARR of the accounts touched")).to_have_attribute(
        "aria-current", "true"
    )
    top = page.locator("table.top-fixes tbody tr")
    expect(top.first.locator("td").last).to_contain_text("EUR")

    dark = new_page("desktop-dark", "leader, dark")
    sign_in(dark, "leader")
    dark.goto("/board/?rank=arr")
    figure, _ = _headline(dark)
    expect(figure).to_have_text(re.compile(r"^EUR [\d,]+$"))
    _open_breakdown_by_keyboard(dark, check_page)
    dark.screenshot(path=ARTIFACTS / "board-in-eur-dark.png", full_page=True)
