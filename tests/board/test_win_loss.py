"""Win/loss analytics against an independent computation over generated organisations."""

from decimal import Decimal

import pytest

from forum.board import queries
from forum.core.money import Money
from tests.board import oracle
from tests.board.conftest import shared_world
from tests.conftest import wipe

SCOPES = {
    "year": lambda w: {"period": "year"},
    "custom": lambda w: {"from": "2025-09-01", "to": "2026-06-30"},
    "region": lambda w: {"period": "year", "region": w.regions[0]},
    "segment": lambda w: {"period": "year", "segment": "smb"},
    "team": lambda w: {"period": "year", "team": w.ops_teams[0]},  # does not apply to deals
}


@pytest.fixture(scope="module", params=[11, 22], ids=lambda s: f"seed{s}")
def world(request, shared_app):
    yield shared_world(shared_app, request.param)
    wipe(shared_app)


@pytest.fixture(params=list(SCOPES))
def case(request, shared_app, world, board_filter):
    with shared_app.app_context():
        f = board_filter(world, **SCOPES[request.param](world))
        computed = queries.win_loss(f, queries.teams(), world.now)
    scope = dict(region=f.region.id if f.region else None, segment=f.segment or None)
    return world, f, computed, oracle.deals(world, f.start, f.end, **scope)


def test_the_overall_win_rate_matches_the_independent_computation(case):
    _, _, computed, deals = case
    assert computed.total.win_rate == oracle.win_rate(deals)
    assert computed.total.deals == len(deals)


def test_the_win_rate_by_part_of_the_period_matches_the_independent_computation(case):
    _, _, computed, deals = case
    for part in computed.by_period:
        inside = [d for d in deals if part.bucket.start <= d.created < part.bucket.end]
        assert (part.deals, part.win_rate) == (len(inside), oracle.win_rate(inside)), part.label


def test_the_win_rate_by_region_matches_the_independent_computation(case):
    _, _, computed, deals = case
    got = {r.key: (r.deals, r.win_rate) for r in computed.by_region}
    regions = {d.region_id for d in deals}
    want = {
        r: (
            len([d for d in deals if d.region_id == r]),
            oracle.win_rate([d for d in deals if d.region_id == r]),
        )
        for r in regions
    }
    assert got == want


def test_the_win_rate_by_segment_matches_the_independent_computation(case):
    world, _, computed, deals = case

    def segment(d):
        return world.accounts[d.account_id][0] if d.account_id else ""

    got = {r.key: (r.deals, r.win_rate) for r in computed.by_segment}
    want = {}
    for s in {segment(d) for d in deals}:
        inside = [d for d in deals if segment(d) == s]
        want[s] = (len(inside), oracle.win_rate(inside))
    assert got == want


def test_the_loss_reason_pareto_matches_the_independent_computation(case):
    _, _, computed, deals = case
    lost = [d for d in deals if d.outcome == "lost"]
    want = {}
    for d in lost:
        want[d.primary_reason_id] = want.get(d.primary_reason_id, 0) + 1
    assert {r.id: r.count for r in computed.reasons} == want
    counts = [r.count for r in computed.reasons]
    assert counts == sorted(counts, reverse=True)
    if computed.reasons:
        assert computed.reasons[-1].cumulative == pytest.approx(1.0)


def test_revenue_lost_by_reason_matches_the_independent_computation(case):
    _, _, computed, deals = case
    lost = [d for d in deals if d.outcome == "lost"]
    for reason, moneys in computed.revenue_by_reason:
        mine = [d for d in lost if d.primary_reason_id == reason.id]
        want = oracle.money_by_currency(mine)
        for m in moneys:
            assert (m.deals, m.value) == want.get(m.currency, (0, Decimal(0))), reason.name


def test_competitor_mentions_and_win_rates_match_the_independent_computation(case):
    _, _, computed, deals = case
    want = {}
    for c in {d.competitor_id for d in deals if d.competitor_id}:
        inside = [d for d in deals if d.competitor_id == c]
        want[c] = (len(inside), oracle.win_rate(inside))
    assert {c.key: (c.deals, c.win_rate) for c in computed.competitors} == want


def test_revenue_lost_to_unfixed_operations_issues_matches_the_independent_computation(case):
    world, _, computed, deals = case
    unfixed = [d for d in deals if oracle.lost_to_unfixed(world, d)]
    want = oracle.money_by_currency(unfixed)
    got = {m.currency: (m.deals, m.value) for m in computed.lost_unfixed if m.deals}
    assert got == want


def _check_converted(world, got, want: dict, what):
    value, missing = oracle.converted(world, {c: v for c, v in want.items() if v})
    assert got.total == Money("USD", value), what
    assert got.missing == missing, what
    assert {p.original.currency: p.original.amount for p in got.parts} == {
        c: v for c, v in want.items() if v
    }, what
    if missing:
        assert got.note == f"incomplete: no {', '.join(missing)} rate for 2026-06", what


def test_revenue_lost_by_reason_is_converted_at_the_periods_rates_or_says_what_lacks_one(case):
    world, f, computed, deals = case
    assert computed.month == "2026-06"  # the period's last month, or this month if not over
    lost = [d for d in deals if d.outcome == "lost"]
    for reason in computed.reasons:
        mine = [d for d in lost if d.primary_reason_id == reason.id]
        want = {c: v for c, (_, v) in oracle.money_by_currency(mine).items()}
        _check_converted(world, reason.lost_value, want, reason.name)


def test_revenue_lost_to_operations_is_converted_like_the_board(case):
    world, _, computed, deals = case
    lost = [d for d in deals if d.outcome == "lost"]
    groups = {
        "all": lost,
        "delivery": [d for d in lost if oracle.gives_delivery_reason(world, d)],
        "unfixed": [d for d in deals if oracle.lost_to_unfixed(world, d)],
    }
    for name, posts in groups.items():
        want = {c: v for c, (_, v) in oracle.money_by_currency(posts).items()}
        _check_converted(world, computed.lost_value[name], want, name)


def test_the_deals_include_a_currency_without_a_rate(world):
    lost = [p for p in world.posts if p.kind == "win_loss" and p.outcome == "lost"]
    assert any(p.currency == "JPY" and p.deal_value for p in lost)
