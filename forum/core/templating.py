"""Template filters shared by every page."""

from datetime import date, datetime

from flask import Flask

from forum.core import money
from forum.core.markdown import render as render_markdown
from forum.core.money import Money, Totals
from forum.core.time import as_utc, utcnow


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d")


def fmt_iso(value: datetime | None) -> str:
    """For <time datetime>: HTML allows at most milliseconds, so whole seconds in UTC."""
    if value is None:
        return ""
    return as_utc(value).isoformat(timespec="seconds")


def fmt_ago(value: datetime | None) -> str:
    """'3 days ago', coarse on purpose."""
    if value is None:
        return ""
    seconds = int((utcnow() - as_utc(value)).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            text = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


def fmt_money(value, currency: str | None = None) -> str:
    """A ``Money`` or a ``Totals`` (per currency), or an amount with its currency, via Babel."""
    if value is None:
        return ""
    if isinstance(value, Money | Totals):
        return str(value)
    if currency is None:
        raise TypeError("an amount is shown with its currency")
    return money.fmt(value, currency)


def fmt_rate(value) -> str:
    """An exchange rate without trailing zeros or an exponent (1.0825, 150)."""
    return f"{value.normalize():f}" if value is not None else ""


def register_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        datetime=fmt_datetime,
        iso=fmt_iso,
        date=fmt_date,
        ago=fmt_ago,
        money=fmt_money,
        rate=fmt_rate,
        combine=lambda a, b: {**a, **b},
        markdown=render_markdown,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
