"""The end of the loop in a browser: the rep verifies the fix of their broken promise, tells the
customer with the draft and marks trust restored (the account's ledger and the board move); the
rep of a deal lost to that promise re-engages it and marks it won back (win/loss shows it).
axe, vnu and the CSP checks run on every page."""

from decimal import Decimal

import sqlalchemy as sa
from playwright.sync_api import expect

from forum.auth.models import User
from forum.extensions import db
from forum.feedback.models import Post, PostKind
from forum.feedback.services import PostInput, create_post
from forum.fixes import creation
from forum.fixes import services as fixes
from forum.loop.models import FollowUp, FollowUpState
from forum.taxonomy.models import ReasonBranch, TaxonomyKind
from tests import factories


def _resolved_fix(app, rep_id, deal_rep_id) -> tuple[int, int]:
    """A broken promise by the rep, its fix resolved by ops, and a deal lost to it."""
    with app.app_context():
        ops_team = factories.team("operations", name="Shipping & Logistics")
        ops = factories.user("ops", team_obj=ops_team)
        leader = factories.user("leader")
        cause = factories.term(TaxonomyKind.ROOT_CAUSE, name="Capacity")
        delivery = factories.term(
            TaxonomyKind.REASON, name="Late delivery", branch=ReasonBranch.DELIVERY
        )
        rival = factories.term(TaxonomyKind.COMPETITOR, name="Rival Freight")
        factories.account("Acme GmbH")  # reports pick existing accounts
        promise = create_post(
            db.session.get(User, rep_id),
            PostInput(
                kind=PostKind.BROKEN_PROMISE,
                title="Five-day delivery took three weeks",
                body="Pallets arrived 15 days late.",
                account="Acme GmbH",
                contact_name="Anna Berg",
                team_id=ops_team.id,
                promised="Delivery within 5 working days",
                revenue_at_risk=Decimal("50000"),
                currency="EUR",
            ),
        )
        create_post(
            db.session.get(User, deal_rep_id),
            PostInput(
                kind=PostKind.WIN_LOSS,
                title="Lost the Acme expansion",
                body="They would not expand after the late pallets.",
                account="Acme GmbH",
                outcome="lost",
                deal_value=Decimal("120000"),
                currency="EUR",
                competitor_id=rival.id,
                primary_reason_id=delivery.id,
                cause_post_id=promise.id,
            ),
        )
        fix = creation.create_fix(
            title="Shipping lead times for Acme",
            problem="Promised 5 days, took 21.",
            owner_team_id=ops_team.id,
            priority="P2",
            actor=leader,
            posts=[promise],
        )
        for to in ("acknowledged", "in_progress", "resolved"):
            fixes.transition(
                fix,
                to,
                actor=ops,
                version=fix.version,
                resolution_note="A second carrier is under contract for the region",
                root_cause_id=cause.id,
                prevention="Weekly capacity review with sales",
            )
        db.session.commit()
        return fix.id, promise.account_id


def _state(app, post_title) -> FollowUpState:
    with app.app_context():
        return db.session.scalar(
            sa.select(FollowUp.state)
            .join(Post, FollowUp.post_id == Post.id)
            .where(Post.title == post_title)
        )


def test_the_customer_is_told_and_a_lost_deal_is_won_back(app, new_page, sign_in):
    with app.app_context():
        region = factories.team("sales", name="EMEA").id
        db.session.commit()
    rep_page = new_page("phone", "rep")
    rep = sign_in(rep_page, "rep", team_id=region)
    deal_page = new_page("desktop", "deal rep")
    deal_rep = sign_in(deal_page, "rep", team_id=region)
    fix_id, account_id = _resolved_fix(app, rep.id, deal_rep.id)

    # The rep verifies the fix, and is offered to tell the customer.
    rep_page.goto(f"/fixes/{fix_id}")
    rep_page.get_by_role("button", name="Yes — verify the fix").click()
    expect(rep_page.get_by_role("status")).to_contain_text("Verified")
    rep_page.goto("/")
    expect(rep_page.get_by_role("heading", name="Tell your customers")).to_be_visible()
    rep_page.get_by_role(
        "link", name="Tell the customer: Five-day delivery took three weeks"
    ).click()
    message = rep_page.get_by_label("Message to the customer")
    expect(message).to_contain_text("Dear Anna Berg,")
    expect(message).to_contain_text("A second carrier is under contract")
    message.fill(message.input_value().replace("Kind regards,", "Thank you for your patience,"))
    rep_page.get_by_role("button", name="Save my edits").click()
    expect(rep_page.get_by_role("status")).to_contain_text("Your message is saved")
    mail = rep_page.get_by_role("link", name="Open the saved message in my mail")
    assert "Thank%20you%20for%20your%20patience" in mail.get_attribute("href")
    rep_page.get_by_role("button", name="Customer informed").click()
    expect(rep_page.get_by_role("status")).to_contain_text("Marked: Customer informed")
    rep_page.get_by_role("button", name="Trust restored").click()
    expect(rep_page.get_by_role("status")).to_contain_text("Marked: Trust restored")
    assert _state(app, "Five-day delivery took three weeks") == FollowUpState.TRUST_RESTORED

    # The account's ledger shows the promise made good in all three stages.
    rep_page.goto(f"/board/accounts/{account_id}")
    stages = rep_page.get_by_role("region", name="Promises made good")
    expect(stages).to_contain_text("1 fixed")
    expect(stages).to_contain_text("1 customer informed")
    expect(stages).to_contain_text("1 trust restored")

    # The lost deal's rep re-engages the buyer and wins the deal back.
    deal_page.goto("/")
    expect(deal_page.get_by_role("heading", name="Lost deals to win back")).to_be_visible()
    deal_page.get_by_role("link", name="Re-engage the deal: Lost the Acme expansion").click()
    expect(deal_page.get_by_text("Rival Freight")).to_be_visible()
    deal_page.get_by_role("button", name="Re-engaged").click()
    expect(deal_page.get_by_role("status")).to_contain_text("Marked: Re-engaged")
    deal_page.get_by_role("button", name="Won back").click()
    expect(deal_page.get_by_role("status")).to_contain_text("Marked: Won back")
    assert _state(app, "Lost the Acme expansion") == FollowUpState.WON_BACK

    # Leaders see it on the board and in win/loss.
    leader_page = new_page("desktop", "leader")
    sign_in(leader_page, "leader")
    leader_page.goto("/board/")
    expect(leader_page.get_by_role("region", name="Promises made good")).to_contain_text(
        "1 trust restored"
    )
    leader_page.goto("/board/win-loss")
    comeback = leader_page.get_by_role("region", name="Lost deals coming back")
    expect(comeback).to_contain_text("1 won back after the fix")
    expect(comeback).to_contain_text("EUR 120,000")
