"""The demo shows conversion on first run: amounts in several currencies, a rate table for them,
and a board headline that converts every one (none left incomplete)."""

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from forum.board import filters, queries
from forum.core import rates
from forum.core.time import utcnow
from forum.demo import seed
from forum.extensions import db
from forum.feedback.models import Corroboration, Post


@pytest.fixture(scope="module")
def demo(module_app):
    with module_app.app_context():
        seed("demo-password")
        db.session.commit()


@pytest.fixture
def seeded(app, demo):
    with app.app_context():
        yield


def test_the_demo_has_amounts_in_at_least_three_currencies(seeded):
    amounts = sa.or_(Post.revenue_at_risk.is_not(None), Post.deal_value.is_not(None))
    currencies = set(db.session.scalars(sa.select(Post.currency).where(amounts).distinct()))
    currencies |= set(
        db.session.scalars(
            sa.select(Corroboration.currency).where(Corroboration.amount.is_not(None)).distinct()
        )
    )
    assert len(currencies) >= 3, currencies


def test_every_demo_currency_has_a_rate_this_month(seeded):
    used = set(db.session.scalars(sa.select(Post.currency).distinct())) - {"USD"}
    month = rates.month_of(utcnow())
    table = rates.rates_for({month}, rates.reporting_currency())
    assert used and all((month, c) in table for c in used)


def test_the_demo_board_converts_its_headline_completely(seeded):
    teams = queries.teams()
    f = filters.parse(MultiDict(), teams, utcnow().date(), allow_all=True)
    headline = queries.board(f, teams, utcnow()).total.revenue_open
    assert headline.complete and headline.converted_in
    assert len(headline.parts) >= 3
