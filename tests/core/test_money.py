"""Money as a value with its currency: parsing what people type, totals kept per currency,
the one rule that counts an account once, and formatting through Babel."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from forum.core.money import (
    CurrencyMismatch,
    Exposure,
    Money,
    MoneyError,
    Totals,
    account_totals,
    fmt,
    parse,
    per_account,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_an_amount_keeps_its_currency():
    assert parse("423000", "eur", field="Deal value") == Money("EUR", Decimal("423000"))


@pytest.mark.parametrize("code", ["", "EURO", "XYZ", "usd ", "€", "XAU", None])
def test_an_unknown_currency_code_is_refused_naming_the_field(code):
    if code == "usd ":
        assert parse("1", code, field="Amount").currency == "USD"
        return
    with pytest.raises(MoneyError) as err:
        parse("1", code, field="Amount", currency_field="Currency of that amount")
    assert err.value.field == "Currency of that amount"
    assert "ISO 4217" in err.value.message


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-1", "negative"),
        ("1000000000000.01", "over 1,000,000,000,000"),
        ("1e13", "over 1,000,000,000,000"),
        ("NaN", "in figures"),
        ("Infinity", "in figures"),
        ("twelve", "in figures"),
    ],
)
def test_a_negative_absurd_or_unreadable_amount_is_refused_naming_the_field(value, problem):
    with pytest.raises(MoneyError) as err:
        parse(value, "USD", field="Revenue at risk")
    assert err.value.field == "Revenue at risk"
    assert problem in err.value.message
    assert err.value.message.startswith("Revenue at risk: ")


def test_exactly_one_trillion_is_the_largest_amount_accepted():
    assert parse("1000000000000", "USD", field="x").amount == Decimal(10) ** 12


@pytest.mark.parametrize(
    ("value", "currency", "ok"),
    [
        ("10.5", "JPY", False),  # the yen has no minor unit
        ("10", "JPY", True),
        ("10.25", "USD", True),
        ("10.255", "USD", False),
        ("10.255", "BHD", True),  # three decimals
        ("10.2550", "USD", False),
        ("10.50", "EUR", True),
    ],
)
def test_an_amount_has_at_most_its_currencys_decimal_places(value, currency, ok):
    if ok:
        assert parse(value, currency, field="Amount").amount == Decimal(value)
    else:
        with pytest.raises(MoneyError, match="decimal places"):
            parse(value, currency, field="Amount")


def test_amounts_of_different_currencies_are_never_added():
    with pytest.raises(CurrencyMismatch):
        Money("EUR", Decimal(1)) + Money("USD", Decimal(1))
    assert Money("EUR", Decimal(1)) + Money("EUR", Decimal(2)) == Money("EUR", Decimal(3))


def test_totals_keep_one_sum_per_currency():
    totals = Totals([Money("EUR", Decimal(423000)), Money("USD", Decimal(5)), Money("EUR", 7)])
    assert totals.as_dict() == {"EUR": Decimal(423007), "USD": Decimal(5)}
    assert str(totals) == "EUR 423,007 + USD 5"


def test_formatting_goes_through_babel_with_the_iso_code():
    assert fmt(Decimal("423000"), "EUR") == "EUR 423,000"
    assert fmt(Decimal("1234.5"), "JPY") == "JPY 1,234"  # whole units, rounded half-even
    assert str(Money("GBP", Decimal("0"))) == "GBP 0"


def _e(key, currency, amount, minute, src=0, row=1):
    return Exposure(key, Money(currency, Decimal(amount)), (T0.replace(minute=minute), src, row))


def test_an_account_counts_once_at_its_largest_amount():
    got = per_account([_e("acme", "USD", 50000, 1), _e("acme", "USD", 30000, 2)])
    assert got == {"acme": Money("USD", Decimal(50000))}


def test_an_accounts_amounts_in_another_currency_than_its_first_are_left_out():
    """No rate decides which amount wins (a rate edit would move the figure to another
    account): the currency of the account's first amount does."""
    items = [_e("acme", "EUR", 1000, 5), _e("acme", "USD", 900000, 9), _e("acme", "EUR", 4000, 7)]
    assert per_account(items) == {"acme": Money("EUR", Decimal(4000))}


def test_the_first_amount_is_the_earliest_then_the_report_before_its_me_toos():
    tie = [_e("acme", "GBP", 10, 3, src=1, row=1), _e("acme", "USD", 5, 3, src=0, row=9)]
    assert per_account(tie) == {"acme": Money("USD", Decimal(5))}


def test_zero_amounts_do_not_count_and_accounts_add_up_per_currency():
    items = [
        _e("acme", "USD", 0, 0),
        _e("globex", "USD", 2000, 1),
        _e("initech", "EUR", 700, 2),
        _e("acme", "USD", 3000, 4),
    ]
    assert account_totals(items).as_dict() == {"USD": Decimal(5000), "EUR": Decimal(700)}
