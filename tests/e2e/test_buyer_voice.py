"""The buyer's voice in a browser: a rep makes a survey link for a lost deal; an unauthenticated
buyer answers it on a phone; the leader sees the rep's reason beside the buyer's in the
agreement matrix and turns the buyer's delivery complaint into evidence on a fix, whose page
then says it was heard from a buyer. axe, vnu and the CSP checks run on every page."""

from decimal import Decimal

from playwright.sync_api import expect

from forum.auth.models import User
from forum.extensions import db
from forum.feedback.models import PostKind
from forum.feedback.services import PostInput, create_post
from forum.fixes import creation
from forum.taxonomy.models import ReasonBranch, TaxonomyKind
from tests import factories


def _deal(app, rep_id) -> tuple[int, int]:
    """A deal the rep lost on price, and an open fix about late deliveries: (deal, fix)."""
    with app.app_context():
        price = factories.term(
            TaxonomyKind.REASON, name="Price too high", branch=ReasonBranch.PRICE
        )
        factories.term(TaxonomyKind.REASON, name="Late delivery", branch=ReasonBranch.DELIVERY)
        rep = db.session.get(User, rep_id)
        deal = create_post(
            rep,
            PostInput(
                kind=PostKind.WIN_LOSS,
                title="Lost the Acme robots deal",
                body="INTERNAL: they pushed back on the discount.",
                account=factories.named_account("Acme GmbH"),
                outcome="lost",
                deal_value=Decimal("120000"),
                currency="EUR",
                primary_reason_id=price.id,
            ),
        )
        ops_team = factories.team("operations", name="Shipping")
        leader = factories.user("leader")
        promise = factories.post("broken_promise", author=rep, team=ops_team)
        fix = creation.create_fix(
            title="Shipping lead times",
            problem="Deliveries are late.",
            owner_team_id=ops_team.id,
            priority="P2",
            actor=leader,
            posts=[promise],
        )
        db.session.commit()
        return deal.id, fix.id


def test_a_buyer_answers_on_a_phone_and_the_leader_sees_it_beside_the_reps_reason(
    app, new_page, sign_in
):
    rep_page = new_page("desktop", "rep")
    rep = sign_in(rep_page, "rep")
    deal_id, fix_id = _deal(app, rep.id)

    # The rep asks the buyer from the deal, and copies the link into their own mail.
    rep_page.goto(f"/posts/{deal_id}")
    rep_page.get_by_role("link", name="Ask the buyer, or read their answers").click()
    rep_page.get_by_label("Buyer contact's name").fill("Bob Buyer")
    rep_page.get_by_label("Product area the buyer will see").fill("Warehouse robots")
    rep_page.get_by_role("button", name="Make the survey link").click()
    link = rep_page.get_by_label("Survey link to copy").input_value()
    assert "/survey/" in link

    # The buyer, signed in nowhere, answers on a phone.
    buyer = new_page("phone", "buyer")
    buyer.goto(link)
    expect(buyer.get_by_role("heading", name="How did you decide?")).to_be_visible()
    expect(buyer.get_by_text("For Acme GmbH, about Warehouse robots.")).to_be_visible()
    expect(buyer.get_by_text("pushed back on the discount")).to_have_count(0)
    buyer.get_by_label("We chose another option").check()
    buyer.get_by_label("What weighed most").select_option("delivery")
    buyer.get_by_label("The main reason for your decision").select_option(
        label="Delivery, service and keeping promises: Late delivery"
    )
    buyer.get_by_label("What went well or badly in delivery?").fill(
        "Your references told us shipments ran weeks late."
    )
    buyer.get_by_role("button", name="Send my answers").click()
    expect(buyer.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(buyer.get_by_role("link")).to_have_count(0)
    buyer.goto(link)  # the link is spent
    expect(buyer.get_by_role("heading", name="This link cannot be used")).to_be_visible()

    # The leader sees the buyer's reason beside the rep's.
    leader_page = new_page("desktop", "leader")
    sign_in(leader_page, "leader")
    leader_page.goto("/board/win-loss")
    leader_page.get_by_role("link", name="The rep's reason beside the buyer's").click()
    expect(leader_page.locator("#match-rate")).to_have_text("0%")
    matrix = leader_page.get_by_role("table", name="Deals with a buyer answer, by both reasons")
    # Columns: Late delivery, Price too high. The rep said price; the buyer, late delivery.
    expect(matrix.get_by_role("row", name="Price too high 1 0", exact=True)).to_be_visible()
    expect(
        leader_page.get_by_text("Price and terms: cited by reps 1×, by buyers 0×")
    ).to_be_visible()

    # ... and turns the delivery complaint into evidence on the fix.
    leader_page.goto(f"/buyers/deals/{deal_id}")
    leader_page.get_by_role("link", name="Turn answer 1 into a report or evidence").click()
    leader_page.get_by_label("Use this answer as").select_option("fix")
    leader_page.get_by_label("Report or fix number (for existing ones)").fill(str(fix_id))
    leader_page.get_by_role("button", name="Use the answer").click()
    expect(leader_page.get_by_role("heading", name="Heard from 1 buyer")).to_be_visible()
    expect(leader_page.get_by_text("shipments ran weeks late")).to_be_visible()
