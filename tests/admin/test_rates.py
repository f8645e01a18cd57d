"""Admins keep the reporting currency and the exchange rates (typed or imported from CSV); bad
input names its field and stores nothing; the board re-expresses its totals and says when a
rate is missing."""

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from forum.core import rates
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services as posts
from tests import factories
from tests.fixes import builders

MONTH = rates.month_of(utcnow())


def _rates(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            sa.select(
                rates.ExchangeRate.month,
                rates.ExchangeRate.currency,
                rates.ExchangeRate.quote,
                rates.ExchangeRate.rate,
            ).order_by(rates.ExchangeRate.id)
        ).all()


@pytest.fixture
def admin(login):
    return login("admin")


def test_an_admin_adds_a_rate_and_the_page_lists_it(app, client, admin):
    response = client.post(
        "/admin/rates/", data={"month": "2026-11", "currency": "eur", "quote": "", "rate": "1.08"}
    )
    assert response.status_code == 302
    assert _rates(app) == [("2026-11", "EUR", "USD", Decimal("1.08"))]
    page = client.get("/admin/rates/").text
    assert "2026-11" in page and "1.08" in page


def test_a_rate_typed_again_replaces_the_months_rate(app, client, admin):
    for rate in ("1.08", "1.10"):
        client.post("/admin/rates/", data={"month": "2026-11", "currency": "EUR", "rate": rate})
    assert _rates(app) == [("2026-11", "EUR", "USD", Decimal("1.10"))]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate", "0", "Rate: a rate must be a number above 0."),
        ("rate", "-1.2", "Rate: a rate must be a number above 0."),
        ("rate", "abc", "Rate: enter a rate in figures"),
        ("rate", "NaN", "Rate: a rate must be a number above 0."),
        ("month", "2026-13", "Month: “2026-13” is not a month written YYYY-MM."),
        ("month", "11/2026", "is not a month written YYYY-MM"),
        ("currency", "EUX", "Currency: “EUX” is not an ISO 4217 currency code"),
        ("quote", "ZZZ", "Into: “ZZZ” is not an ISO 4217 currency code"),
        ("currency", "USD", "a rate converts one currency into another"),
    ],
)
def test_a_bad_rate_is_refused_naming_its_field_and_nothing_is_stored(
    app, client, admin, field, value, message
):
    data = {"month": "2026-11", "currency": "EUR", "quote": "USD", "rate": "1.08"} | {field: value}
    response = client.post("/admin/rates/", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert _rates(app) == []


def _import(client, text: bytes):
    return client.post(
        "/admin/rates/import",
        data={"file": (io.BytesIO(text), "rates.csv")},
        content_type="multipart/form-data",
    )


def test_a_csv_of_rates_is_imported_whole(app, client, admin):
    response = _import(
        client, b"month,currency,into,rate\n2026-10,EUR,USD,1.07\n2026-11,GBP,,1.27\n\n"
    )
    assert response.status_code == 302
    assert _rates(app) == [
        ("2026-10", "EUR", "USD", Decimal("1.07")),
        ("2026-11", "GBP", "USD", Decimal("1.27")),
    ]


def test_a_csv_with_bad_rows_stores_nothing_and_reports_each_row(app, client, admin):
    response = _import(
        client,
        b"month,currency,into,rate\n"
        b"2026-10,EUR,USD,1.07\n"
        b"2026-10,EUR,USD,1.08\n"
        b"2026-11,GBP,USD,0\n"
        b"2026-1,JPY,USD,0.0067\n"
        b"2026-11,XXQ,USD,1\n",
    )
    assert response.status_code == 400
    text = response.text
    assert "Nothing was imported: 4 problems" in text
    assert "Line 3: the same rate as line 2." in text
    assert "Line 4: Rate: a rate must be a number above 0." in text
    assert "Line 5: Month:" in text
    assert "Line 6: Currency: “XXQ” is not an ISO 4217 currency code" in text
    assert _rates(app) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"when,what\n2026-10,EUR\n", "Line 1: the header must be month,currency,into,rate."),
        (b"month,currency,into,rate\n", "The file holds no rates."),
        ("month,currency,into,rate\n2026-10,EUR,USD,1,07\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_an_unreadable_csv_of_rates_stores_nothing(app, client, admin, body, message):
    response = _import(client, body)
    assert response.status_code == 400
    assert message in response.text
    assert _rates(app) == []


def test_an_admin_changes_the_reporting_currency(app, client, admin):
    assert (
        client.post("/admin/rates/currency", data={"reporting_currency": "EUR"}).status_code == 302
    )
    with app.app_context():
        assert rates.reporting_currency() == "EUR"
    assert (
        client.post("/admin/rates/currency", data={"reporting_currency": "EURO"}).status_code == 400
    )
    with app.app_context():
        assert rates.reporting_currency() == "EUR"


@pytest.fixture
def two_currencies(app):
    """An open fix with a EUR 10,000 report and a GBP 5,000 "me too" for another account."""
    with app.app_context():
        org = builders.org()
        post = builders.report(
            org.user("rep_reporter"),
            team_id=org.ops_team_id,
            account=factories.named_account("Acme"),
            amount="10000",
        )
        builders.open_fix(org, [post])
        posts.corroborate(
            post,
            org.user("rep_corroborator"),
            account=factories.named_account("Hooli"),
            amount=5000,
            currency="GBP",
        )
        db.session.commit()


def test_a_total_without_a_rate_says_it_is_incomplete_and_shows_the_amount(
    app, client, login, two_currencies
):
    with app.app_context():
        rates.store_rates([rates.RateInput(MONTH, "EUR", "USD", Decimal("1.1"))], actor_id=None)
        db.session.commit()
    login("leader")
    page = client.get("/board/").text
    assert "USD 11,000" in page
    assert f"incomplete: no GBP rate for {MONTH}" in page
    # The breakdown: a <details> whose <summary> is reachable from the keyboard.
    breakdown = page[page.index('<details class="money-breakdown">') :]
    breakdown = breakdown[: breakdown.index("</details>")]
    assert "<summary>By currency" in breakdown
    assert "EUR 10,000 at 1.1 = USD 11,000" in breakdown
    assert f"GBP 5,000 — not converted: no GBP rate for {MONTH}" in breakdown


def test_switching_the_reporting_currency_re_expresses_the_board(
    app, client, login, two_currencies
):
    with app.app_context():
        rates.set_reporting_currency("EUR", actor_id=None)
        rates.store_rates([rates.RateInput(MONTH, "GBP", "EUR", Decimal("1.2"))], actor_id=None)
        db.session.commit()
    login("leader")
    page = client.get("/board/").text
    assert "EUR 16,000" in page  # 10,000 + 5,000 × 1.2
    assert "incomplete: no" not in page
