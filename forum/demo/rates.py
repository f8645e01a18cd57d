"""The demo's exchange rates: a rate per month into US dollars, for every currency the demo's
amounts are in, from a year and a half ago to this month (so the board converts on first run)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from forum.core import rates
from forum.core.time import utcnow
from forum.extensions import db

# Units of USD per unit, around which the months wander a little (deterministically).
BASE = {"EUR": Decimal("1.0850"), "GBP": Decimal("1.2700"), "BRL": Decimal("0.1850")}
SWING = [Decimal(x) for x in ("0", "0.006", "0.011", "0.004", "-0.003", "-0.009", "-0.005")]
MONTHS = 18


def _months_back(now: datetime, n: int) -> list[str]:
    out, year, month = [], now.year, now.month
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def seed_rates(now: datetime | None = None) -> int:
    """USD as the reporting currency and the monthly rates, unless rates exist already.
    Flushes; the caller commits. Returns how many rates were added."""
    if db.session.scalar(sa.select(rates.ExchangeRate.id).limit(1)) is not None:
        return 0
    rates.set_reporting_currency("USD", actor_id=None)
    rows = []
    for i, month in enumerate(_months_back(now or utcnow(), MONTHS)):
        for currency, base in BASE.items():
            swing = SWING[(i + len(currency) * 3 + ord(currency[0])) % len(SWING)]
            value = (base * (1 + swing)).quantize(Decimal("0.0001"))
            rows.append(rates.RateInput(month, currency, "USD", value))
    return rates.store_rates(rows, actor_id=None)
