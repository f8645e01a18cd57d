"""The whole loop in a browser: a rep reports a broken promise, a leader triages it into a fix
for an operations team and assigns it, the assignee finds the assignment in their notifications,
acknowledges, works and resolves it with a root cause, and the rep verifies it — or, in the
second run, reopens it and the assignee is told. axe, vnu and the CSP checks run on every page."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from forum.extensions import db
from forum.fixes.history import verify_fix
from forum.fixes.models import Fix, FixEvent, FixStatus
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm
from tests import factories


def _world(app) -> tuple[int, int]:
    with app.app_context():
        region = factories.team("sales", name="EMEA")
        ops = factories.team("operations", name="Shipping & Logistics")
        factories.account("Acme GmbH")  # reports pick existing accounts
        db.session.add(
            TaxonomyTerm(kind=TaxonomyKind.ROOT_CAUSE, name="Capacity", name_key="capacity")
        )
        db.session.commit()
        return region.id, ops.id


def _report(rep_page) -> int:
    rep_page.goto("/posts/new/broken-promise")
    rep_page.get_by_label("Title").fill("Five-day delivery took three weeks")
    rep_page.get_by_label("What was promised").fill("Delivery within 5 working days")
    rep_page.get_by_label("Account the promise was made to").fill("Acme GmbH")
    rep_page.get_by_label("Responsible operations team").select_option(label="Shipping & Logistics")
    rep_page.get_by_label("What actually happened").fill("Pallets arrived 15 days late.")
    rep_page.get_by_role("button", name="File the report").click()
    expect(rep_page.get_by_role("status")).to_contain_text("your report is filed")
    return int(rep_page.url.rsplit("/", 1)[1])


def _triage(leader_page, post_id, assignee: str) -> int:
    leader_page.get_by_role("navigation", name="Main").get_by_role("link", name="Triage").click()
    expect(leader_page.get_by_role("heading", level=1)).to_have_text("Triage inbox")
    leader_page.get_by_label(f"Select report #{post_id}").check()
    leader_page.get_by_role("button", name="Create a fix from the selected reports").click()
    expect(leader_page.get_by_role("heading", level=1)).to_have_text("Create a fix")
    expect(leader_page.get_by_label("Owner operations team")).to_have_value(
        leader_page.get_by_label("Owner operations team").input_value()
    )
    leader_page.get_by_label("Title").fill("Shipping lead times for Acme")
    leader_page.get_by_label("Priority").select_option("P2")
    leader_page.get_by_label("Assignee (optional)").select_option(label=assignee)
    leader_page.get_by_role("button", name="Open the fix").click()
    expect(leader_page.get_by_role("heading", level=1)).to_contain_text(
        "Shipping lead times for Acme"
    )
    return int(leader_page.url.rsplit("/", 1)[1])


def _notification(page, text: str):
    """Open the notifications page; the notification whose title holds ``text``."""
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    return page.get_by_role("main").get_by_text(text)


def _work_and_resolve(ops_page, fix_id):
    assigned = _notification(ops_page, f"Fix #{fix_id} “Shipping lead times for Acme” is assigned")
    expect(assigned).to_contain_text("is assigned to you")
    ops_page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    ops_page.get_by_role("link", name=f"#{fix_id} Shipping lead times for Acme").click()
    ops_page.get_by_role("button", name="Acknowledge").click()
    expect(ops_page.get_by_role("status")).to_contain_text("Acknowledged")
    ops_page.get_by_role("button", name="Start work").click()
    expect(ops_page.get_by_role("status")).to_contain_text("In progress")
    ops_page.get_by_label("Resolution note").fill("Contracted a second carrier for the region")
    ops_page.get_by_label("Root-cause category").select_option(label="Capacity")
    ops_page.get_by_label("Prevention action").fill("Weekly capacity review with sales")
    ops_page.get_by_role("button", name="Resolve").click()
    expect(ops_page.get_by_role("status")).to_contain_text("Resolved")


def _loop_until_resolved(app, new_page, sign_in):
    region_id, ops_id = _world(app)
    rep_page = new_page("phone", "rep")
    sign_in(rep_page, "rep", team_id=region_id)
    post_id = _report(rep_page)

    ops_page = new_page("desktop", "ops")
    ops = sign_in(ops_page, "ops", team_id=ops_id)

    leader_page = new_page("desktop", "leader")
    sign_in(leader_page, "leader")
    fix_id = _triage(leader_page, post_id, assignee=ops.display_name)

    _work_and_resolve(ops_page, fix_id)

    rep_page.goto("/")
    expect(rep_page.get_by_role("heading", name="Did these fixes hold?")).to_be_visible()
    rep_page.get_by_role("link", name=f"Fix #{fix_id}: Shipping lead times for Acme").click()
    expect(rep_page.get_by_role("heading", name="Did this fix hold?")).to_be_visible()
    return rep_page, ops_page, fix_id


def _statuses(app, fix_id) -> list[str]:
    with app.app_context():
        assert verify_fix(fix_id).intact
        return db.session.scalars(
            sa.select(FixEvent.to_value)
            .where(FixEvent.fix_id == fix_id, FixEvent.kind == "status")
            .order_by(FixEvent.seq)
        ).all()


def test_a_broken_promise_is_fixed_and_the_rep_verifies_it(app, new_page, sign_in):
    rep_page, _, fix_id = _loop_until_resolved(app, new_page, sign_in)
    rep_page.get_by_role("button", name="Yes — verify the fix").click()
    expect(rep_page.get_by_role("status")).to_contain_text("Verified")
    with app.app_context():
        assert db.session.get(Fix, fix_id).status == FixStatus.VERIFIED
    assert _statuses(app, fix_id) == ["acknowledged", "in_progress", "resolved", "verified"]


def test_the_rep_reopens_a_fix_that_did_not_hold(app, new_page, sign_in):
    rep_page, ops_page, fix_id = _loop_until_resolved(app, new_page, sign_in)
    rep_page.get_by_label("What did not hold?").fill("Last week's order was late again")
    rep_page.get_by_role("button", name="No — reopen it").click()
    expect(rep_page.get_by_role("status")).to_contain_text("Reopened")
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert fix.status == FixStatus.REOPENED and fix.reopen_count == 1
    assert _statuses(app, fix_id) == ["acknowledged", "in_progress", "resolved", "reopened"]
    told = _notification(ops_page, "is reopened: it did not hold")
    expect(told).to_contain_text(f"Fix #{fix_id} “Shipping lead times for Acme”")
