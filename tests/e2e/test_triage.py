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


def test_a_leader_triages_ten_reports_with_the_keyboard_only(app, new_page, sign_in):
    with app.app_context():
        region = factories.team("sales", name="EMEA")
        ops = factories.team("operations", name="Billing")
        rep = factories.user("rep", team_obj=region)
        ids = [
            factories.post("broken_promise", author=rep, team=ops, title=f"Invoice wrong {n}").id
            for n in range(10)
        ]
        db.session.commit()
    page = new_page("desktop", "leader")
    sign_in(page, "leader")
    page.goto("/triage/?kind=broken_promise&sort=oldest")
    expect(page.get_by_text("Keyboard: j/k to move")).to_be_visible()
    keys = page.keyboard
    shortcuts_ready = page.get_by_text("Keyboard: j/k to move")  # shown by the script

    def select_next(n: int) -> None:
        expect(shortcuts_ready).to_be_visible()
        for _ in range(n):
            keys.press("j")
            keys.press("x")

    def give_reason(text: str) -> None:
        keys.press("r")
        keys.type(text)
        keys.press("Escape")

    select_next(3)  # reports 0, 1 and 2
    give_reason("Billed as contracted")
    keys.press("d")
    expect(page.locator(".flash-success")).to_contain_text("3 reports declined")
    # back on the same view, oldest first: reports 3 to 9
    expect(page.get_by_label("Sort by")).to_have_value("oldest")
    select_next(2)  # reports 3 and 4
    give_reason("Which invoice numbers?")
    keys.press("i")
    expect(page.locator(".flash-success")).to_contain_text("2 reports sent back")
    select_next(2)  # reports 5 and 6
    keys.press("m")  # asks for the report to merge into
    expect(page.get_by_label("Merge into report number")).to_be_focused()
    keys.type(str(ids[9]))
    keys.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text(f"merged into report #{ids[9]}")
    select_next(1)  # report 7
    keys.press("n")
    expect(page.locator(".flash-success")).to_contain_text("1 report noted")
    expect(shortcuts_ready).to_be_visible()  # the reloaded page's script listens for keys
    keys.press("?")
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    select_next(2)  # reports 8 and 9
    keys.press("f")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a fix")
    with app.app_context():
        statuses = [db.session.get(Post, i).status for i in ids]
    assert statuses[:3] == ["declined"] * 3
    assert statuses[3:5] == ["needs_info"] * 2
    assert statuses[5:7] == ["duplicate"] * 2
    assert statuses[7] == "noted"


def test_single_key_shortcuts_can_be_turned_off(app, new_page, sign_in):
    with app.app_context():
        rep = factories.user("rep")
        factories.post(author=rep, title="Pricing page confuses buyers")
        db.session.commit()
    page = new_page("desktop", "leader")
    sign_in(page, "leader")
    page.goto("/triage/")
    expect(page.get_by_text("Keyboard: j/k to move")).to_be_visible()
    page.keyboard.press("?")
    off = page.get_by_label("Use single-key shortcuts on this page")
    expect(off).to_be_focused()
    page.keyboard.press("Space")
    expect(off).not_to_be_checked()
    page.keyboard.press("Escape")
    page.locator("body").focus()
    page.keyboard.press("j")
    expect(page.locator("tr.current")).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Keyboard: j/k to move")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_label("Use single-key shortcuts on this page")).not_to_be_checked()
