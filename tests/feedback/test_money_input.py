"""Every amount a person types has a currency: the organisation's by default, an ISO 4217 code
otherwise, with no more decimals than that currency has; a bad one is refused naming the field
and nothing is stored."""

from decimal import Decimal

import pytest

from forum.core import rates
from forum.core.errors import DomainError
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from forum.feedback.services import PostInput, corroborate, create_post
from tests import factories
from tests.feedback.conftest import count, text


@pytest.mark.parametrize(
    ("kind", "slug", "field", "amount", "currency", "message"),
    [
        ("win_loss", "win-loss", "deal_value", "10.5", "JPY", "JPY amounts have at most 0"),
        ("broken_promise", "broken-promise", "revenue_at_risk", "99.999", "USD", "at most 2"),
    ],
)
def test_more_decimals_than_the_currency_has_are_refused_and_nothing_is_stored(
    client, login, post_form, session, kind, slug, field, amount, currency, message
):
    login("rep")
    data = post_form(kind, **{field: amount, "currency": currency})
    response = client.post(f"/posts/new/{slug}", data=data)
    assert response.status_code in (200, 400)
    assert message in text(response)
    with session() as s:
        assert count(s, Post) == 0


def test_a_currency_outside_the_list_is_refused_by_the_form(client, login, post_form, session):
    login("rep")
    response = client.post("/posts/new/win-loss", data=post_form("win_loss", currency="XYZ"))
    assert "error-summary" in text(response)
    with session() as s:
        assert count(s, Post) == 0


def test_an_amount_without_a_currency_takes_the_organisations(app):
    with app.app_context():
        rates.set_reporting_currency("GBP", actor_id=None)
        author = factories.user("rep")
        post = create_post(
            author,
            PostInput(
                kind="win_loss",
                title="Lost it",
                body="Price.",
                outcome="lost",
                deal_value=Decimal("5000"),
            ),
        )
        assert (post.currency, post.deal_value) == ("GBP", Decimal("5000"))


def test_a_me_too_amount_is_in_the_reports_currency_unless_another_is_given(app):
    with app.app_context():
        post = factories.post("broken_promise", revenue_at_risk=Decimal(1000), currency="EUR")
        mine = corroborate(post, factories.user("rep"), amount=Decimal("200"))
        other = corroborate(post, factories.user("rep"), amount=Decimal("300"), currency="GBP")
        assert (mine.currency, other.currency) == ("EUR", "GBP")
        db.session.refresh(post)
        # the same account (the report's): its first amount's currency (EUR), the largest
        assert post.at_risk_totals.as_dict() == {"EUR": Decimal(1000)}


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        (Decimal("-5"), None, "Amount: an amount cannot be negative."),
        (Decimal("1e13"), None, "Amount: an amount cannot be over 1,000,000,000,000."),
        (Decimal("5"), "EURO", "“EURO” is not an ISO 4217 currency code"),
        (Decimal("5.5"), "JPY", "JPY amounts have at most 0 decimal places."),
    ],
)
def test_a_bad_me_too_amount_is_refused_and_nothing_is_stored(app, amount, currency, message):
    with app.app_context():
        post = factories.post("broken_promise", revenue_at_risk=Decimal(1000), currency="EUR")
        with pytest.raises(DomainError, match=message):
            corroborate(post, factories.user("rep"), amount=amount, currency=currency)
        assert count(db.session, Corroboration) == 0


def test_the_me_too_form_refuses_a_bad_amount_without_storing_it(app, client, login):
    with app.app_context():
        post = factories.post("broken_promise", revenue_at_risk=Decimal(1000), currency="JPY")
        db.session.commit()
        post_id = post.id
    login("rep")
    response = client.post(f"/posts/{post_id}/corroborate", data={"amount": "12.5", "currency": ""})
    assert response.status_code == 400
    assert "JPY amounts have at most 0 decimal places." in text(response)
    with app.app_context():
        assert count(db.session, Corroboration) == 0
