"""Reps file each kind of report on a phone, a second rep says "me too", and a leader reveals a
shielded author (audited). axe, vnu and the CSP checks run on every page visited."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from forum.core.audit import AuditEntry
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from tests import factories


def _teams(app) -> tuple[int, int]:
    with app.app_context():
        region = factories.team("sales", name="EMEA")
        ops = factories.team("operations", name="Shipping & Logistics")
        for name in ("Acme GmbH", "Globex", "Initech"):  # reports pick existing accounts
            factories.account(name)
        db.session.commit()
        return region.id, ops.id


def _open_new_report(page, kind_label):
    page.goto("/posts/new")
    page.get_by_role("link", name=kind_label).click()


def test_a_rep_files_a_broken_promise_on_a_phone(app, phone_page, sign_in):
    region_id, _ = _teams(app)
    sign_in(phone_page, "rep", team_id=region_id)
    _open_new_report(phone_page, "Broken promise")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("New broken promise")
    phone_page.get_by_label("Title").fill("Promised 5-day delivery, took 3 weeks")
    phone_page.get_by_label("What was promised").fill("Delivery within 5 working days")
    phone_page.get_by_label("Account the promise was made to").fill("Acme GmbH")
    phone_page.get_by_label("Responsible operations team").select_option(
        label="Shipping & Logistics"
    )
    phone_page.get_by_label("What actually happened").fill("The pallets arrived **15 days** late.")
    phone_page.get_by_text("More details (optional)").click()
    phone_page.get_by_label("Revenue at risk").fill("120000")
    phone_page.get_by_label("3 — serious").check()
    phone_page.get_by_role("button", name="File the report").click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Promised 5-day delivery, took 3 weeks"
    )
    expect(phone_page.get_by_role("status")).to_contain_text("your report is filed")
    expect(phone_page.locator(".facts")).to_contain_text("USD 120,000")
    expect(phone_page.locator(".markdown strong")).to_have_text("15 days")


def test_a_rep_files_a_win_loss_report_on_a_phone(app, phone_page, sign_in):
    region_id, _ = _teams(app)
    sign_in(phone_page, "rep", team_id=region_id)
    _open_new_report(phone_page, "Win/loss report")
    phone_page.get_by_label("Title").fill("Lost Globex renewal on delivery times")
    phone_page.get_by_role("radio", name="Lost").check()
    phone_page.get_by_label("Account").fill("Globex")
    phone_page.get_by_label("Why we won or lost").fill("They chose a vendor with 2-day shipping.")
    phone_page.get_by_role("button", name="File the report").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Lost Globex renewal on delivery times"
    )
    expect(phone_page.locator(".facts")).to_contain_text("Lost")


def test_a_rep_files_field_feedback_on_a_phone(app, phone_page, sign_in):
    region_id, _ = _teams(app)
    sign_in(phone_page, "rep", team_id=region_id)
    _open_new_report(phone_page, "Field feedback")
    phone_page.get_by_label("Title").fill("Prospects ask for SSO on every call")
    phone_page.get_by_label("What the market is saying").fill("Three of five demos this week.")
    phone_page.get_by_label("Tags").fill("sso, security")
    phone_page.get_by_role("button", name="File the report").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Prospects ask for SSO on every call"
    )
    expect(phone_page.get_by_role("list", name="Tags")).to_contain_text("#sso")


def test_a_second_rep_says_me_too_with_another_account(app, page, new_page, sign_in):
    region_id, ops_id = _teams(app)
    with app.app_context():
        author = factories.user("rep", team_id=region_id)
        post = Post(
            kind="broken_promise",
            title="Invoices arrive a month late",
            body="Again.",
            author=author,
            region_id=region_id,
            team_id=ops_id,
            promised="Monthly",
        )
        db.session.add(post)
        db.session.commit()
        post_id = post.id
    sign_in(page, "rep", team_id=region_id)
    page.goto(f"/posts/{post_id}")
    page.get_by_text("Add another affected account (optional)").click()
    page.get_by_label("Another affected account (optional)").fill("Initech")
    page.get_by_label("Amount at risk for that account (optional)").fill("30000")
    page.get_by_role("button", name="Me too").click()
    expect(page.get_by_role("status")).to_contain_text("your “me too” is counted")
    expect(page.get_by_role("heading", name=re.compile("Me too"))).to_contain_text("(1)")
    expect(page.locator(".corroborations")).to_contain_text("Initech")
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Corroboration.id)).where(Corroboration.post_id == post_id)
            )
            == 1
        )


def test_a_leader_reveals_a_shielded_author_and_the_reveal_is_audited(app, page, new_page, sign_in):
    region_id, ops_id = _teams(app)
    rep_page = new_page("phone", "rep")
    sign_in(rep_page, "rep", team_id=region_id, display_name="Sam Shielded")
    _open_new_report(rep_page, "Field feedback")
    rep_page.get_by_label("Title").fill("Our onboarding deck oversells the API")
    rep_page.get_by_label("What the market is saying").fill("Two prospects felt misled.")
    rep_page.get_by_label(re.compile("Shield my name")).check()
    rep_page.get_by_role("button", name="File the report").click()
    expect(rep_page.get_by_role("heading", level=1)).to_have_text(
        "Our onboarding deck oversells the API"
    )
    post_id = int(rep_page.url.rsplit("/", 1)[1])

    sign_in(page, "leader", display_name="Lee Leader")
    page.goto(f"/posts/{post_id}")
    expect(page.locator(".byline").first).to_contain_text("A verified rep (EMEA)")
    expect(page.locator("main")).not_to_contain_text("Sam Shielded")
    page.get_by_label("Reason for revealing the author").fill("Customer escalation needs a name")
    page.get_by_role("button", name="Reveal the author").click()
    expect(page.get_by_role("status").filter(has_text="Revealed author")).to_contain_text(
        "Sam Shielded"
    )
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "post.reveal"))
        assert entry is not None and entry.target_id == post_id
        assert entry.reason == "Customer escalation needs a name"
