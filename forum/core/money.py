"""Money: an amount with its ISO 4217 currency, totals kept per currency, the one rule that
counts each account once, and formatting through Babel.

Amounts of different currencies are never added: ``Totals`` keeps one sum per currency, and
only ``forum.core.rates.convert`` turns them into one figure, saying what it could not convert.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

from forum.core.errors import DomainError

# What the forms offer first; any other active ISO 4217 code is accepted too.
COMMON = ["USD", "EUR", "GBP", "JPY", "AUD", "CAD", "CHF", "SGD", "INR", "BRL", "MXN"]
# Babel knows every ISO 4217 code; the X.. codes are metals, test and "no currency" codes.
ISO_4217 = frozenset(c for c in list_currencies() if len(c) == 3 and not c.startswith("X"))
MAX_AMOUNT = Decimal(10) ** 12  # larger than any deal; a typo of extra zeros is refused
# Whole units on pages: the figures are estimates of revenue, not invoices.
PATTERN = "¤¤\u00a0#,##0"


class MoneyError(DomainError):
    """An amount or currency that cannot be stored; names the field it came from."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}", field=field)
        self.field = field


class CurrencyMismatch(TypeError):
    """Two amounts of different currencies were about to be added."""


def check_currency(code, field: str = "Currency") -> str:
    """``code`` as an upper-case ISO 4217 code, or ``MoneyError`` naming ``field``."""
    text = str(code or "").strip().upper()
    if text not in ISO_4217:
        shown = str(code or "")[:12]
        raise MoneyError(field, f"“{shown}” is not an ISO 4217 currency code (e.g. USD, EUR).")
    return text


def decimals(currency: str) -> int:
    """How many minor-unit digits ``currency`` has (JPY 0, USD 2, BHD 3)."""
    return get_currency_precision(currency)


@dataclass(frozen=True, order=True)
class Money:
    """An amount of one currency."""

    currency: str
    amount: Decimal

    def __add__(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot add {other.currency} to {self.currency}")
        return Money(self.currency, self.amount + other.amount)

    def __str__(self) -> str:
        return fmt(self.amount, self.currency)


def parse(value, currency, *, field: str, currency_field: str = "Currency") -> Money:
    """A typed amount and currency as ``Money``: a known code, finite, not negative, at most
    10^12 and no more decimal places than the currency has. Raises ``MoneyError``."""
    code = check_currency(currency, currency_field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise MoneyError(field, "enter an amount in figures, e.g. 25000.") from None
    if not amount.is_finite():
        raise MoneyError(field, "enter an amount in figures, e.g. 25000.")
    if amount < 0:
        raise MoneyError(field, "an amount cannot be negative.")
    if amount > MAX_AMOUNT:
        raise MoneyError(field, "an amount cannot be over 1,000,000,000,000.")
    places = decimals(code)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise MoneyError(field, f"{code} amounts have at most {places} decimal places.")
    return Money(code, amount)


def fmt(amount, currency: str) -> str:
    """``amount`` of ``currency`` for a page, through Babel ("EUR 423,000")."""
    return format_currency(
        Decimal(amount), currency, PATTERN, locale="en", currency_digits=False
    ).replace("\u00a0", " ")


class Totals:
    """Sums kept per currency, never across them."""

    def __init__(self, items: Iterable[Money] = ()):
        self._sums: dict[str, Decimal] = {}
        for m in items:
            self.add(m)

    def add(self, m: Money | None) -> "Totals":
        if m is not None:
            self._sums[m.currency] = self._sums.get(m.currency, Decimal(0)) + Decimal(m.amount)
        return self

    def __iadd__(self, other: "Totals") -> "Totals":
        for m in other:
            self.add(m)
        return self

    def __iter__(self) -> Iterator[Money]:
        for code in sorted(self._sums):
            yield Money(code, self._sums[code])

    def __bool__(self) -> bool:
        return any(self._sums.values())

    def __eq__(self, other) -> bool:
        if isinstance(other, Totals):
            return self.as_dict() == other.as_dict()
        return NotImplemented

    def get(self, currency: str) -> Decimal:
        return self._sums.get(currency, Decimal(0))

    def as_dict(self) -> dict[str, Decimal]:
        """Non-zero sums by currency (what a test compares)."""
        return {m.currency: m.amount for m in self if m.amount}

    @property
    def currencies(self) -> list[str]:
        return sorted(self._sums)

    def __repr__(self) -> str:
        return f"Totals({', '.join(str(m) for m in self)})"

    def __str__(self) -> str:
        return " + ".join(str(m) for m in self if m.amount) or ""


@dataclass(frozen=True)
class Exposure:
    """One amount said to be at risk for one account: a report's own, or a "me too"'s.

    ``key`` is the account (an account-less report is its own key); ``order`` says which was
    entered first (a time, then an id)."""

    key: object
    money: Money
    order: tuple


def per_account(exposures: Iterable[Exposure]) -> dict[object, Money]:
    """Each account once: the rule every revenue-at-risk figure uses.

    An account counts at its largest amount. Its amounts are compared only within one currency
    (never through a rate, so a figure does not change its account when a rate is edited): the
    currency of the account's first-entered amount wins, and amounts for the same account in
    other currencies are left out."""
    by_key: dict[object, list[Exposure]] = {}
    for e in exposures:
        if e.money.amount:
            by_key.setdefault(e.key, []).append(e)
    out = {}
    for key, items in by_key.items():
        first = min(items, key=lambda e: e.order).money.currency
        out[key] = max((e.money for e in items if e.money.currency == first), key=lambda m: m)
    return out


def account_totals(exposures: Iterable[Exposure]) -> Totals:
    """Per-currency total of ``exposures``, each account once (``per_account``)."""
    return Totals(per_account(exposures).values())
