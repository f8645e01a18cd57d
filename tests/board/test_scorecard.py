"""The team scorecard, month by month, against an independent computation; its stale entries."""

import pytest

from forum.board import queries
from tests.board import oracle
from tests.board.conftest import shared_world
from tests.conftest import wipe


@pytest.fixture(scope="module", params=[11, 22], ids=lambda s: f"seed{s}")
def world(request, shared_app):
    yield shared_world(shared_app, request.param)
    wipe(shared_app)


@pytest.fixture
def months(shared_app, world, board_filter):
    with shared_app.app_context():
        f = board_filter(world)
        team = next(t for t in queries.teams() if t.id == world.ops_teams[0])
        card = queries.scorecard(f, team, world.now)
    expected = oracle.monthly(world, world.ops_teams[0], min(f.end, world.now.date()))
    return card.months, expected


COUNTS = ["created", "resolved", "on_time", "closed_cohort", "reopened", "recurred", "open_at_end"]


def test_monthly_counts_match_the_independent_computation(months):
    got, want = months
    assert [{k: getattr(m, k) for k in COUNTS} for m in got] == [
        {k: w[k] for k in COUNTS} for w in want
    ]


def test_monthly_time_to_resolve_matches_the_independent_computation(months):
    got, want = months
    for m, w in zip(got, want, strict=True):
        for name in ("ttr_median_days", "ttr_p90_days"):
            if w[name] is None:
                assert getattr(m, name) is None
            else:
                assert getattr(m, name) == pytest.approx(w[name], rel=1e-12, abs=1e-9)


def test_monthly_promises_match_the_independent_computation(months):
    got, want = months
    assert [(m.promises.kept, m.promises.total) for m in got] == [
        (w["kept"], w["promises"]) for w in want
    ]


def test_the_scorecard_lists_catalog_entries_unconfirmed_for_over_90_days_only(
    shared_app, world, board_filter
):
    with shared_app.app_context():
        f = board_filter(world)
        team = next(t for t in queries.teams() if t.id == world.ops_teams[0])
        stale = queries.scorecard(f, team, world.now).stale
        titles = [c.title for c in stale]
        assert all(c.is_stale(world.now) for c in stale)
    assert titles == ["Ships in 5 days"]
