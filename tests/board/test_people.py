"""An account's promise ledger and a rep's track record against an independent computation."""

import re
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from forum.auth.models import User
from forum.board import filters, queries
from forum.core.money import Money
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from tests.board import oracle
from tests.board.conftest import shared_world
from tests.conftest import wipe


@pytest.fixture(scope="module", params=[11, 22], ids=lambda s: f"seed{s}")
def world(request, shared_app):
    yield shared_world(shared_app, request.param)
    wipe(shared_app)


def _promises_of(world, account_id):
    return [
        p
        for p in world.posts
        if p.account_id == account_id and p.kind == "broken_promise" and p.status != "duplicate"
    ]


def test_the_ledger_counts_each_promise_state_like_the_independent_computation(shared_app, world):
    with shared_app.app_context():
        for account_id in world.accounts:
            ledger = queries.promise_ledger(account_id, world.now)
            want = dict.fromkeys(["kept", "awaiting", "fixing", "given_up", "untriaged"], 0)
            for post in _promises_of(world, account_id):
                want[oracle.promise_state(world, post)] += 1
            assert ledger.promises.counts == want, account_id


def test_the_ledger_lists_the_promises_newest_first(shared_app, world):
    with shared_app.app_context():
        for account_id in world.accounts:
            entries = queries.promise_ledger(account_id, world.now).entries
            want = sorted(_promises_of(world, account_id), key=lambda p: (p.created, p.id))[::-1]
            assert [e.post_id for e in entries] == [p.id for p in want], account_id


def _money(pair):
    return None if pair is None else Money(*pair)


def test_the_ledger_revenue_at_risk_is_the_boards_the_account_once_on_open_fixes(shared_app, world):
    opened = [f for f in world.fixes if oracle.is_open(f)]
    with shared_app.app_context():
        for account_id in world.accounts:
            ledger = queries.promise_ledger(account_id, world.now)
            want = oracle.account_amount(world, opened, account_id)
            assert ledger.at_risk == _money(want), account_id


def test_the_ledger_shows_won_t_fix_revenue_as_accepted_loss_not_at_risk(shared_app, world):
    lost = [f for f in world.fixes if f.status == "wont_fix"]
    with shared_app.app_context():
        for account_id in world.accounts:
            ledger = queries.promise_ledger(account_id, world.now)
            assert ledger.accepted_loss == _money(oracle.account_amount(world, lost, account_id))


def test_the_ledger_shows_the_accounts_arr_in_the_reporting_currency_or_incomplete(
    shared_app, world
):
    with shared_app.app_context():
        for account_id in world.accounts:
            ledger = queries.promise_ledger(account_id, world.now)
            if account_id not in world.arr:
                assert ledger.arr is None, account_id
                continue
            currency, arr = world.arr[account_id]
            value, missing = oracle.converted(world, {currency: arr})
            assert [p.original for p in ledger.arr.parts] == [Money(currency, arr)], account_id
            assert ledger.arr.total == Money("USD", value), account_id
            assert ledger.arr.missing == missing, account_id
    assert {c for c, _ in world.arr.values()} >= {"USD", "JPY"}, "a converted and a missing rate"


def test_the_ledger_shows_made_good_and_still_broken_by_quarter_reported(shared_app, world):
    with shared_app.app_context():
        for account_id in world.accounts:
            ledger = queries.promise_ledger(account_id, world.now)
            for q in ledger.quarters:
                inside = [
                    p
                    for p in _promises_of(world, account_id)
                    if q.bucket.start <= p.created < q.bucket.end
                ]
                kept = sum(1 for p in inside if oracle.promise_state(world, p) == "kept")
                assert (q.kept, q.broken) == (kept, len(inside) - kept), (account_id, q.bucket)


def _record(shared_app, world, rep_id, args=None, own=True):
    with shared_app.app_context():
        person = db.session.get(User, rep_id)
        f = filters.parse(
            MultiDict(args or {}), [], world.now.date(), default_period="all", allow_all=True
        )
        return queries.track_record(person, f, show_shielded=own), f


@pytest.mark.parametrize("args", [{}, {"period": "quarter", "on": "2026-04-02"}])
def test_the_track_record_counts_match_the_independent_computation(shared_app, world, args):
    for rep_id in world.reps:
        record, f = _record(shared_app, world, rep_id, args)
        mine = [
            p
            for p in world.posts
            if p.author_id == rep_id and oracle.in_period(p.created, f.start, f.end)
        ]
        fixes = {p.fix_id for p in mine if p.fix_id}
        assert (record.filed, record.linked, record.triaged) == (
            len(mine),
            sum(1 for p in mine if p.fix_id),
            sum(1 for p in mine if p.status not in {"new", "needs_info"}),
        )
        assert (record.fixes, record.fixes_verified) == (
            len(fixes),
            sum(1 for i in fixes if world.fix(i).status == "verified"),
        )
        assert record.corroborations == sum(
            1
            for u, when in world.corroborations
            if u == rep_id and oracle.in_period(when, f.start, f.end)
        )


@pytest.mark.parametrize("own", [True, False])
def test_the_track_record_counts_shielded_reports_for_the_rep_only(shared_app, world, own):
    """To anyone but the rep, the record is that of the rep's unshielded reports: no figure
    (a count of them could be matched with the feed's shielded reports) and no row."""
    for rep_id in world.reps:
        record, _ = _record(shared_app, world, rep_id, own=own)
        mine = [p for p in world.posts if p.author_id == rep_id and (own or not p.shielded)]
        shielded = [p for p in world.posts if p.author_id == rep_id and p.shielded]
        fixes = {p.fix_id for p in mine if p.fix_id}
        assert (record.filed, record.linked, record.fixes) == (
            len(mine),
            sum(1 for p in mine if p.fix_id),
            len(fixes),
        )
        assert sum(record.by_kind.values()) == len(mine)
        assert {p.id for p in record.posts} == {p.id for p in mine}
        assert record.shielded == (len(shielded) if own else 0)
    assert any(p.shielded for p in world.posts)  # the world has shielded reports to hide


def test_a_period_before_any_report_gives_an_empty_record(shared_app, world):
    record, _ = _record(
        shared_app, world, world.reps[0], {"from": "2001-01-01", "to": "2001-12-31"}
    )
    assert (record.filed, record.linked_share, record.posts) == (0, None, [])
    assert date(2001, 1, 1) < world.now.date()


def _span(world) -> dict:
    """A custom period holding every report of the world."""
    days = [p.created.date() for p in world.posts]
    return {"from": min(days).isoformat(), "to": max(days).isoformat()}


@pytest.mark.parametrize("args", [{}, {"period": "quarter", "on": "2026-04-02"}, "region"])
def test_the_reporters_ranking_matches_the_independent_computation(shared_app, world, args):
    """Per rep, over their unshielded reports of the period (duplicates left out): filed,
    triaged into fixes, distinct fixes verified, "me too"s received; most fixes verified first."""
    if args == "region":
        busiest = max(world.regions, key=lambda r: sum(p.region_id == r for p in world.posts))
        args = {**_span(world), "region": busiest}
    with shared_app.app_context():
        f = filters.parse(
            MultiDict({k: str(v) for k, v in args.items()}),
            queries.teams(),
            world.now.date(),
            default_period="all",
            allow_all=True,
        )
        rows = queries.reporters(f)
        received = dict(
            db.session.execute(
                sa.select(Post.id, sa.func.count(Corroboration.id))
                .join(Corroboration, Corroboration.post_id == Post.id)
                .group_by(Post.id)
            ).all()
        )
    expected = {}
    for p in world.posts:
        if p.shielded or p.status == "duplicate" or not oracle.in_period(p.created, f.start, f.end):
            continue
        if f.region is not None and p.region_id != f.region.id:
            continue
        e = expected.setdefault(p.author_id, [0, 0, set(), 0])
        e[0] += 1
        e[1] += p.fix_id is not None
        if p.fix_id and world.fix(p.fix_id).status == "verified":
            e[2].add(p.fix_id)
        e[3] += received.get(p.id, 0)
    assert rows, "the world has reporters in this scope"
    assert {r.user_id: (r.filed, r.linked, r.fixes_verified, r.me_toos) for r in rows} == {
        a: (n, linked, len(fixes), me_too) for a, (n, linked, fixes, me_too) in expected.items()
    }
    ranked = [(r.fixes_verified, r.linked, r.filed) for r in rows]
    assert ranked == sorted(ranked, reverse=True)


def test_the_reporters_page_links_each_rep_to_their_track_record(client, login, world):
    login("leader")
    span = _span(world)
    response = client.get(f"/board/reporters?from={span['from']}&to={span['to']}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    page = response.get_data(as_text=True)
    assert 'aria-current="page">Reporters</a>' in page
    linked = set(re.findall(r'href="/board/reps/(\d+)"', page))
    assert linked and linked <= {str(r) for r in world.reps}
    assert 'id="f-team"' not in page
