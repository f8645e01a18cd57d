"""The rep's reason beside the buyer's against an independent computation over generated
organisations with buyer answers on a share of their deals."""

import pytest

from forum.board import queries
from forum.board.queries.agreement import agreement
from forum.extensions import db
from tests.board import oracle
from tests.board.buyers_world import add_buyers
from tests.board.conftest import shared_world
from tests.board.test_win_loss import SCOPES
from tests.conftest import wipe


@pytest.fixture(scope="module", params=[11, 22], ids=lambda s: f"seed{s}")
def world(request, shared_app):
    built = shared_world(shared_app, request.param)
    with shared_app.app_context():
        buyers = add_buyers(built, request.param)
        db.session.commit()
    yield built, buyers
    wipe(shared_app)


@pytest.fixture(params=list(SCOPES))
def case(request, shared_app, world, board_filter):
    built, buyers = world
    with shared_app.app_context():
        f = board_filter(built, **SCOPES[request.param](built))
        teams = queries.teams()
        computed = agreement(f, teams)
    scope = dict(region=f.region.id if f.region else None, segment=f.segment or None)
    return computed, oracle.agreement(built, buyers, f.start, f.end, **scope)


def test_the_generated_buyers_agree_and_disagree_with_their_reps(world):
    built, buyers = world
    expected = oracle.agreement(built, buyers, oracle.date(2000, 1, 1), built.now.date())
    assert 0 < expected["matches"] < expected["compared"] < expected["answered"]
    assert expected["themes"] and any(a > 0 for a, _, _ in expected["regions"].values())


def test_the_match_rate_matches_the_independent_computation(case):
    computed, expected = case
    assert (computed.deals, computed.answered) == (expected["deals"], expected["answered"])
    assert (computed.compared, computed.matches) == (expected["compared"], expected["matches"])


def test_the_matrix_matches_the_independent_computation(case):
    computed, expected = case
    assert computed.matrix == expected["matrix"]
    assert sum(computed.matrix.values()) == computed.answered


def test_citations_by_reps_and_buyers_match(case):
    computed, expected = case
    assert {c.key: c.by_reps for c in computed.cited if c.by_reps} == expected["by_reps"]
    assert {c.key: c.by_buyers for c in computed.cited if c.by_buyers} == expected["by_buyers"]
    assert {c.key: c.by_reps for c in computed.cited_branches if c.by_reps} == expected[
        "branch_reps"
    ]
    assert {c.key: c.by_buyers for c in computed.cited_branches if c.by_buyers} == expected[
        "branch_buyers"
    ]


def test_themes_and_response_rates_match(case):
    computed, expected = case
    assert {name: sum(counts) for name, counts in computed.themes} == expected["themes"]
    got = {r.key: (r.asked, r.answered, r.median_hours) for r in computed.by_region}
    assert got.keys() == expected["regions"].keys()
    for key, (asked, answered, hours) in expected["regions"].items():
        assert got[key][:2] == (asked, answered)
        assert got[key][2] == pytest.approx(hours) if hours is not None else got[key][2] is None


def test_buyer_confirmed_losses_to_unfixed_issues_are_counted_apart(
    world, shared_app, board_filter
):
    built, buyers = world
    with shared_app.app_context():
        f = board_filter(built, period="year")
        computed = queries.win_loss(f, queries.teams())
    confirmed_posts = {
        a.post_id
        for a in buyers.answers
        if a.main_reason_id is not None and built.reasons[a.main_reason_id] == "delivery"
    }
    expected: dict = {}
    for post in oracle.deals(built, f.start, f.end):
        if post.id in confirmed_posts and oracle.lost_to_unfixed(built, post):
            n, value = expected.get(post.currency, (0, 0))
            expected[post.currency] = (n + 1, value + (post.deal_value or 0))
    got = {m.currency: (m.deals, m.value) for m in computed.lost_unfixed_buyer if m.deals}
    assert got == expected
    assert expected  # the generated world has such losses
    unfixed = {m.currency: m.deals for m in computed.lost_unfixed}
    assert all(n <= unfixed[c] for c, (n, _) in got.items())
