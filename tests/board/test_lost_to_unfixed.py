"""The definition of "lost to an unfixed operations issue", case by case."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from forum.auth.models import TeamKind
from forum.board import filters, queries
from forum.extensions import db
from forum.taxonomy.models import TaxonomyTerm
from tests import factories
from tests.board.world import FixRec, PostRec, apply_move, store_fixes, store_posts

NOW = datetime(2026, 6, 17, 12, tzinfo=UTC)


@pytest.fixture
def org(app):
    """Teams, a rep, an account, reasons of each branch; returns their ids."""
    with app.app_context():
        ops = factories.team(TeamKind.OPERATIONS, name="Shipping")
        region = factories.team(TeamKind.SALES, name="EMEA")
        rep = factories.user("rep", team_obj=region)
        from forum.accounts.models import Account

        acme = Account(name="Acme", name_key="acme", segment="enterprise")
        other = Account(name="Other", name_key="other", segment="smb")
        delivery = TaxonomyTerm(kind="reason", name="Late", name_key="late", branch="delivery")
        price = TaxonomyTerm(kind="reason", name="Price", name_key="price", branch="price")
        db.session.add_all([acme, other, delivery, price])
        db.session.commit()
        return dict(
            ops=ops.id,
            region=region.id,
            rep=rep.id,
            acme=acme.id,
            other=other.id,
            delivery=delivery.id,
            price=price.id,
        )


def _fix(org, *moves) -> int:
    leader = factories.user("leader")
    rec = FixRec(0, org["ops"], "P2", NOW - timedelta(days=20), NOW + timedelta(days=5))
    for to in moves:
        apply_move(rec, NOW - timedelta(days=10), to)
    store_fixes([rec], leader.id)
    db.session.commit()
    return rec.id


def _post(org, **kw) -> int:
    defaults = dict(
        id=0,
        kind="win_loss",
        status="noted",
        author_id=org["rep"],
        region_id=org["region"],
        team_id=None,
        account_id=org["acme"],
        created=NOW - timedelta(days=3),
        outcome="lost",
        deal_value=Decimal(1000),
    )
    rec = PostRec(**{**defaults, **kw})
    store_posts([rec])
    db.session.commit()
    return rec.id


def _unfixed(app) -> tuple[int, int]:
    with app.app_context():
        teams = queries.teams()
        f = filters.parse(MultiDict(), teams, NOW.date())
        data = queries.win_loss(f, teams)
    return (
        sum(m.deals for m in data.lost_unfixed),
        sum(m.deals for m in data.lost_delivery),
    )


def test_a_loss_triaged_into_a_fix_still_open_is_lost_to_an_unfixed_issue(app, org):
    with app.app_context():
        fix = _fix(org, "acknowledged")
        _post(org, status="linked", fix_id=fix, primary_reason_id=org["price"])
    assert _unfixed(app) == (1, 0)


def test_a_loss_triaged_into_a_resolved_fix_is_not_lost_to_an_unfixed_issue(app, org):
    with app.app_context():
        fix = _fix(org, "acknowledged", "in_progress", "resolved")
        _post(org, status="linked", fix_id=fix, primary_reason_id=org["delivery"])
    assert _unfixed(app) == (0, 1)


def test_a_delivery_loss_where_the_account_has_an_open_broken_promise_fix_counts(app, org):
    with app.app_context():
        fix = _fix(org)
        _post(org, kind="broken_promise", status="linked", fix_id=fix, outcome=None)
        _post(org, primary_reason_id=org["price"], secondary_reason_ids=[org["delivery"]])
    assert _unfixed(app) == (1, 1)


def test_a_price_loss_where_the_account_has_an_open_broken_promise_fix_does_not_count(app, org):
    with app.app_context():
        fix = _fix(org)
        _post(org, kind="broken_promise", status="linked", fix_id=fix, outcome=None)
        _post(org, primary_reason_id=org["price"])
    assert _unfixed(app) == (0, 0)


def test_a_delivery_loss_where_another_account_has_the_open_fix_does_not_count(app, org):
    with app.app_context():
        fix = _fix(org)
        _post(
            org,
            kind="broken_promise",
            status="linked",
            fix_id=fix,
            outcome=None,
            account_id=org["other"],
        )
        _post(org, primary_reason_id=org["delivery"])
    assert _unfixed(app) == (0, 1)


def test_a_delivery_loss_without_any_fix_counts_as_delivery_but_not_unfixed(app, org):
    with app.app_context():
        _post(org, primary_reason_id=org["delivery"])
    assert _unfixed(app) == (0, 1)


def test_a_won_deal_is_never_lost_to_an_unfixed_issue(app, org):
    with app.app_context():
        fix = _fix(org)
        _post(org, outcome="won", status="linked", fix_id=fix, primary_reason_id=org["delivery"])
    assert _unfixed(app) == (0, 0)


def test_a_duplicate_loss_report_is_not_counted_twice(app, org):
    with app.app_context():
        fix = _fix(org)
        _post(org, status="linked", fix_id=fix)
        _post(org, status="duplicate", fix_id=None, primary_reason_id=org["delivery"])
    assert _unfixed(app) == (1, 0)
