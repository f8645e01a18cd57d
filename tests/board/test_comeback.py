"""After the fix on the board: promises made good in three stages (fixed, customer informed,
trust restored), and lost deals coming back (fixed, re-engaged, won back), checked against an
independent count of the same rows in Python; per currency, never added across currencies."""

import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from forum.board import filters
from forum.board.queries.comeback import comebacks, made_good, made_good_for_account
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Outcome, PostKind
from forum.fixes import services as fixes
from forum.loop import services
from forum.loop.models import FollowUp, FollowUpKind, FollowUpState
from forum.taxonomy.models import ReasonBranch, TaxonomyKind
from tests import factories
from tests.fixes import builders

S = FollowUpState
CUSTOMER_PATHS = [[], [S.INFORMED], [S.INFORMED, S.TRUST_RESTORED], [S.INFORMED, S.STILL_UNHAPPY]]
DEAL_PATHS = [[], [S.REENGAGED], [S.REENGAGED, S.WON_BACK], [S.NOT_PURSUED]]


@pytest.fixture
def world(app):
    """Six fixes (four verified) each with a broken promise and lost / no-decision deals in
    two currencies pointing at them; follow-ups walked along random paths."""
    rng = random.Random(16)
    with app.app_context():
        org = builders.org()
        reason = factories.term(TaxonomyKind.REASON, branch=ReasonBranch.DELIVERY)
        reps = [org.user(k) for k in ("rep_reporter", "rep_corroborator", "rep_unrelated")]
        for n in range(6):
            fix = builders.fix_in(org, "resolved", title=f"Fix {n}", corroborators=())
            [promise] = fix.posts
            for i in range(3):
                factories.post(
                    PostKind.WIN_LOSS,
                    author=reps[i],
                    outcome=rng.choice([Outcome.LOST, Outcome.NO_DECISION, Outcome.WON]),
                    primary_reason=reason,
                    deal_value=Decimal(rng.randrange(1000, 90000)),
                    currency=rng.choice(["EUR", "USD"]),
                    cause_post_id=promise.id if i % 2 else None,
                    cause_fix_id=None if i % 2 else fix.id,
                )
            if n < 4:
                fixes.transition(
                    fix, "verified", actor=org.user("rep_reporter"), version=fix.version
                )
        for f in db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id)):
            paths = CUSTOMER_PATHS if f.kind == FollowUpKind.CUSTOMER else DEAL_PATHS
            for to in rng.choice(paths):
                services.move(f, to, actor=f.rep)
        db.session.flush()
        yield org


def _filter():
    today = utcnow().date()
    return filters.parse(
        {
            "period": "custom",
            "from": (today - timedelta(days=60)).isoformat(),
            "to": today.isoformat(),
        },
        [],
        today,
    )


def test_promises_made_good_count_the_three_stages(world):
    rows = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.kind == FollowUpKind.CUSTOMER)
    ).all()
    states = Counter(f.state for f in rows)
    figures = made_good(_filter())
    assert figures.fixed == len(rows) == 4
    assert (
        figures.informed == states[S.INFORMED] + states[S.TRUST_RESTORED] + states[S.STILL_UNHAPPY]
    )
    assert figures.trust_restored == states[S.TRUST_RESTORED]
    assert figures.still_unhappy == states[S.STILL_UNHAPPY]
    one = rows[0]
    assert made_good_for_account(one.post.account_id).fixed >= 1


def test_deals_coming_back_are_counted_per_currency_against_an_independent_count(world):
    expected = {True: defaultdict(Counter), False: defaultdict(Counter)}
    for f in db.session.scalars(sa.select(FollowUp).where(FollowUp.kind == FollowUpKind.DEAL)):
        deal = f.post
        assert deal.outcome in {"lost", "no_decision"}
        for lost_only in (True, False):
            if lost_only and deal.outcome != "lost":
                continue
            money = expected[lost_only][deal.currency]
            parts = ["fixed"]
            if f.state in {S.REENGAGED, S.WON_BACK}:
                parts.append("reengaged")
            if f.state == S.WON_BACK:
                parts.append("won_back")
            for part in parts:
                money[part, "n"] += 1
                money[part, "value"] += deal.deal_value
    got = comebacks(_filter())
    for lost_only, rows in ((True, got.lost), (False, got.lost_or_no_decision)):
        assert {c.currency for c in rows} == set(expected[lost_only])
        for c in rows:
            for part in ("fixed", "reengaged", "won_back"):
                money = getattr(c, part)
                assert money.currency == c.currency
                assert money.deals == expected[lost_only][c.currency][part, "n"]
                assert money.value == expected[lost_only][c.currency][part, "value"]


def test_the_pages_show_the_stages(world, client, login):
    login("leader")
    board = client.get("/board/").get_data(as_text=True)
    assert "Promises made good" in board and "customer informed" in board
    win_loss = client.get("/board/win-loss").get_data(as_text=True)
    assert "Lost deals coming back" in win_loss and "won back after the fix" in win_loss
    review = client.get("/board/review").get_data(as_text=True)
    assert "Lost deals coming back" in review
