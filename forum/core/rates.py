"""The organisation's reporting currency and its dated exchange rates (a rate per currency and
month, kept by admins), and converting per-currency totals into the reporting currency.

A currency without a rate for the month is never dropped or taken as 1:1: the converted figure
is marked incomplete ("incomplete: no EUR rate for 2026-11") and keeps the unconverted amount in
its breakdown. Services flush; the caller commits."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.errors import DomainError
from forum.core.money import Money, MoneyError, Totals, check_currency, decimals
from forum.core.time import utcnow
from forum.extensions import db

DEFAULT_CURRENCY = "USD"
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_RATE = Decimal(10) ** 9
MAX_IMPORT_ROWS = 5000


class CurrencySetting(db.Model):
    """The organisation's reporting currency, also the default of every amount typed (one row)."""

    __tablename__ = "currency_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporting_currency: Mapped[str] = mapped_column(sa.String(3))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class ExchangeRate(db.Model):
    """One unit of ``currency`` is worth ``rate`` units of ``quote`` during ``month``."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        sa.UniqueConstraint("month", "currency", "quote"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    currency: Mapped[str] = mapped_column(sa.String(3))
    quote: Mapped[str] = mapped_column(sa.String(3))
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(20, 10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


def reporting_currency() -> str:
    row = db.session.get(CurrencySetting, 1)
    return row.reporting_currency if row is not None else DEFAULT_CURRENCY


def set_reporting_currency(code: str, *, actor_id: int | None) -> str:
    """Change the reporting currency (rates into the new one are needed to convert)."""
    code = check_currency(code, "Reporting currency")
    row = db.session.get(CurrencySetting, 1)
    if row is None:
        row = CurrencySetting(id=1, reporting_currency=code)
        db.session.add(row)
    row.reporting_currency, row.updated_at, row.updated_by_id = code, utcnow(), actor_id
    db.session.flush()
    return code


def month_of(day: date | datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def check_month(text, field: str = "Month") -> str:
    value = str(text or "").strip()
    if not MONTH.match(value):
        raise MoneyError(field, f"“{value[:12]}” is not a month written YYYY-MM.")
    return value


def check_rate(text, field: str = "Rate") -> Decimal:
    try:
        rate = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise MoneyError(field, "enter a rate in figures, e.g. 1.0825.") from None
    if not rate.is_finite() or rate <= 0:
        raise MoneyError(field, "a rate must be a number above 0.")
    if rate > MAX_RATE or rate != rate.quantize(Decimal("1e-10")):
        raise MoneyError(field, "a rate is at most 1,000,000,000, with up to 10 decimals.")
    return rate


@dataclass(frozen=True)
class RateInput:
    month: str
    currency: str
    quote: str
    rate: Decimal


def check_rate_input(month, currency, quote, rate) -> RateInput:
    """A rate row as typed, validated; ``MoneyError`` names the first bad field."""
    out = RateInput(
        check_month(month),
        check_currency(currency, "Currency"),
        check_currency(quote, "Into"),
        check_rate(rate),
    )
    if out.currency == out.quote:
        raise MoneyError("Currency", "a rate converts one currency into another.")
    return out


def store_rates(rows: list[RateInput], *, actor_id: int | None) -> int:
    """Insert or replace each rate (month, currency, quote); flushes, the caller commits."""
    existing = {
        (r.month, r.currency, r.quote): r
        for r in db.session.scalars(
            sa.select(ExchangeRate).where(ExchangeRate.month.in_({r.month for r in rows}))
        )
    }
    now = utcnow()
    for r in rows:
        row = existing.get((r.month, r.currency, r.quote))
        if row is None:
            row = ExchangeRate(month=r.month, currency=r.currency, quote=r.quote)
            db.session.add(row)
            existing[(r.month, r.currency, r.quote)] = row
        row.rate, row.updated_at, row.updated_by_id = r.rate, now, actor_id
    db.session.flush()
    return len(rows)


class RateImportError(DomainError):
    """A CSV of rates with bad rows: nothing was stored; ``errors`` says what is wrong where."""

    def __init__(self, errors: list[str]):
        super().__init__(f"Nothing was imported: {len(errors)} problem(s) in the file.")
        self.errors = errors


def import_rates_csv(text: str, *, actor_id: int | None) -> int:
    """Import ``month,currency,into,rate`` rows (a header line first; ``into`` may be left out
    for the reporting currency). All rows or none: a bad row stores nothing."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:2] != ["month", "currency"] or "rate" not in header:
        raise RateImportError(["Line 1: the header must be month,currency,into,rate."])
    has_quote = "into" in header
    default_quote = reporting_currency()
    rows, errors, seen = [], [], {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if line > MAX_IMPORT_ROWS + 1:
            errors.append(f"Line {line}: at most {MAX_IMPORT_ROWS} rates per file.")
            break
        cells = dict(zip(header, values, strict=False))
        try:
            row = check_rate_input(
                cells.get("month"),
                cells.get("currency"),
                (cells.get("into") or default_quote) if has_quote else default_quote,
                cells.get("rate"),
            )
        except MoneyError as e:
            errors.append(f"Line {line}: {e.message}")
            continue
        key = (row.month, row.currency, row.quote)
        if key in seen:
            errors.append(f"Line {line}: the same rate as line {seen[key]}.")
            continue
        seen[key] = line
        rows.append(row)
    if errors:
        raise RateImportError(errors)
    if not rows:
        raise RateImportError(["The file holds no rates."])
    return store_rates(rows, actor_id=actor_id)


def rates_for(months: set[str], reporting: str) -> dict[tuple[str, str], Decimal]:
    """(month, currency) -> units of ``reporting`` per unit, for ``months``: one statement.
    A rate entered the other way round (reporting into currency) is inverted."""
    out: dict[tuple[str, str], Decimal] = {}
    if not months:
        return out
    rows = db.session.execute(
        sa.select(ExchangeRate.month, ExchangeRate.currency, ExchangeRate.quote, ExchangeRate.rate)
        .where(
            ExchangeRate.month.in_(months),
            sa.or_(ExchangeRate.quote == reporting, ExchangeRate.currency == reporting),
        )
        .order_by(ExchangeRate.quote != reporting)  # direct rates first, so they win
    )
    for month, currency, quote, rate in rows:
        if quote == reporting:
            out[(month, currency)] = Decimal(rate)
        else:
            out.setdefault((month, quote), Decimal(1) / Decimal(rate))
    return out


@dataclass(frozen=True)
class Part:
    """One currency of a converted total: the original amount, its rate and what it became."""

    original: Money
    rate: Decimal | None
    converted: Money | None


@dataclass
class Converted:
    """Per-currency totals expressed in the reporting currency at one month's rates."""

    reporting: str
    month: str
    total: Money
    parts: list[Part] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [p.original.currency for p in self.parts if p.converted is None]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def note(self) -> str:
        """'' or "incomplete: no EUR rate for 2026-11"."""
        if self.complete:
            return ""
        return f"incomplete: no {', '.join(self.missing)} rate for {self.month}"

    @property
    def converted_in(self) -> bool:
        """Whether any amount was in another currency than the reporting one."""
        return any(p.original.currency != self.reporting for p in self.parts)

    @property
    def sort_key(self) -> Decimal:
        return self.total.amount

    def __str__(self) -> str:
        text = str(self.total)
        return f"{text} ({self.note})" if self.note else text


def convert(
    totals: Totals, month: str, reporting: str, rates: dict[tuple[str, str], Decimal]
) -> Converted:
    """``totals`` in ``reporting`` at ``month``'s rates; what lacks a rate stays unconverted."""
    unit = Decimal(1).scaleb(-decimals(reporting))
    total = Decimal(0)
    parts = []
    for m in totals:
        if not m.amount:
            continue
        if m.currency == reporting:
            rate: Decimal | None = Decimal(1)
        else:
            rate = rates.get((month, m.currency))
        if rate is None:
            parts.append(Part(m, None, None))
            continue
        value = (m.amount * rate).quantize(unit, rounding=ROUND_HALF_EVEN)
        total += value
        parts.append(Part(m, rate, Money(reporting, value)))
    return Converted(reporting, month, Money(reporting, total), parts)


class Converter:
    """Converts many totals at the rates of a few months, loading the rates once."""

    def __init__(self, months: set[str], reporting: str | None = None):
        self.reporting = reporting or reporting_currency()
        self.rates = rates_for(set(months), self.reporting)

    def __call__(self, totals: Totals, month: str) -> Converted:
        return convert(totals, month, self.reporting, self.rates)


def in_reporting_sql(amount_of, convert: Converter, month: str):
    """A SQL expression for sorting by an amount kept per currency: the sum, over the reporting
    currency and every currency with a rate for ``month``, of ``amount_of(currency)`` (a SQL
    expression, NULL for none) times its rate, each part rounded like ``convert``. An amount in
    a currency without a rate adds nothing, as it ranks nothing on the board; raw amounts are
    never compared across currencies."""
    rates = {c: r for (m, c), r in convert.rates.items() if m == month}
    rates[convert.reporting] = Decimal(1)
    places = decimals(convert.reporting)
    total = sa.literal(0, sa.Numeric(30, 10))
    for currency, rate in sorted(rates.items()):
        part = sa.func.coalesce(amount_of(currency), 0) * sa.literal(rate, sa.Numeric(30, 10))
        total = total + sa.func.round(part, places)
    return total


def rate_list(limit: int = 500) -> list[ExchangeRate]:
    """The rates, newest month first, for the admin page."""
    return list(
        db.session.scalars(
            sa.select(ExchangeRate)
            .order_by(ExchangeRate.month.desc(), ExchangeRate.currency, ExchangeRate.quote)
            .limit(limit)
        )
    )
