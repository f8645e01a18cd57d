"""Triage in a browser: a leader filters the inbox, ticks reports, declines them in bulk with one
reason, and creates a fix with an assignee from another. axe, vnu and the CSP checks run on every
page."""

from playwright.sync_api import expect

from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes.models import Fix
from tests import factories


def _world(app) -> dict:
    with app.app_context():
        region = factories.team("sales", name="EMEA")
        ops = factories.team("operations", name="Shipping & Logistics")
        rep = factories.user("rep", team_obj=region)
        mover = factories.user("ops", team_obj=ops, display_name="Olga Ops")
        promises = [
            factories.post("broken_promise", author=rep, team=ops, title=f"Pallets late {n}")
            for n in range(3)
        ]
        feedback = factories.post(author=rep, title="Pricing page confuses buyers")
        db.session.commit()
        return {
            "promises": [p.id for p in promises],
            "feedback": feedback.id,
            "mover": mover.id,
        }


def test_a_leader_filters_declines_in_bulk_and_creates_a_fix_with_an_assignee(
    app, new_page, sign_in
):
    ids = _world(app)
    page = new_page("desktop", "leader")
    sign_in(page, "leader")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Triage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage inbox")
    page.get_by_label("Kind").select_option(label="Broken promise")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_label(f"Select report #{ids['feedback']}")).to_have_count(0)
    first, second, third = ids["promises"]
    page.get_by_label(f"Select report #{first}").check()
    page.get_by_label(f"Select report #{second}").check()
    page.get_by_label("Reason, question or note for every selected report").fill(
        "Delivery times are set by the carrier contract"
    )
    page.get_by_role("button", name="Decline", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("2 reports declined")

    page.get_by_label(f"Select report #{third}").check()
    page.get_by_role("button", name="Create a fix from the selected reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a fix")
    page.get_by_label("Owner operations team").select_option(label="Shipping & Logistics")
    page.get_by_label("Assignee (optional)").select_option(label="Olga Ops")
    page.get_by_role("button", name="Open the fix").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pallets late 2")
    with app.app_context():
        assert [db.session.get(Post, i).status for i in ids["promises"]] == [
            "declined",
            "declined",
            "linked",
        ]
        fix = db.session.get(Fix, db.session.get(Post, third).fix_id)
        assert fix.assignee_id == ids["mover"]
