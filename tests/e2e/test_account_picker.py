"""A rep types a misspelt account and is offered the right one — while typing (the typeahead)
and, without JavaScript, as the form's "Did you mean" search step. No account is invented."""

import sqlalchemy as sa
from playwright.sync_api import expect

from forum.accounts.models import Account
from forum.extensions import db
from forum.feedback.models import Post
from tests import factories


def _world(app) -> tuple[int, int]:
    with app.app_context():
        region = factories.team("sales", name="LATAM")
        banco = factories.account("Banco Austral", crm_id="0015g00000BncAus1")
        factories.account("Koala Freight")
        db.session.commit()
        return region.id, banco.id


def _report(page, account_text: str) -> None:
    page.goto("/posts/new/field-feedback")
    page.get_by_label("Title").fill("Card statements arrive late")
    page.get_by_label("What the market is saying").fill("Their treasurer says so every month.")
    page.get_by_role("combobox", name="Account").fill(account_text)


def test_a_misspelt_account_is_offered_the_right_one_while_typing(app, page, sign_in):
    region_id, banco_id = _world(app)
    sign_in(page, "rep", team_id=region_id)
    _report(page, "Banco Austrl")
    option = page.get_by_role("option", name="Did you mean Banco Austral?")
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name="Koala Freight")).to_have_count(0)
    option.click()
    expect(page.get_by_role("combobox", name="Account")).to_have_value("Banco Austral")
    page.get_by_role("button", name="File the report").click()
    expect(page.get_by_role("status")).to_contain_text("your report is filed")
    with app.app_context():
        assert db.session.scalar(sa.select(Post.account_id)) == banco_id
        assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 2


def test_without_javascript_the_form_asks_did_you_mean(app, browser, live_server, sign_in):
    region_id, banco_id = _world(app)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, "rep", team_id=region_id)
        page.goto("/posts/new/field-feedback")
        page.get_by_label("Title").fill("Card statements arrive late")
        page.get_by_label("What the market is saying").fill("Their treasurer says so.")
        page.get_by_label("Account", exact=True).fill("Banco Austrl")
        page.get_by_role("button", name="File the report").click()
        expect(page.locator("#account-error")).to_contain_text("Did you mean Banco Austral?")
        page.get_by_role("radio", name="Banco Austral").check()
        page.get_by_role("button", name="File the report").click()
        expect(page.get_by_role("status")).to_contain_text("your report is filed")
    finally:
        context.close()
    with app.app_context():
        assert db.session.scalar(sa.select(Post.account_id)) == banco_id
