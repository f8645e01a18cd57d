"""Template filters shared by every page."""

from datetime import date, datetime

from flask import Flask
from jinja2 import pass_eval_context
from markupsafe import Markup

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


def fmt_iso(value: date | datetime | None) -> str:
    """For <time datetime>: HTML allows at most milliseconds, so whole seconds in UTC."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    return as_utc(value).isoformat(timespec="seconds")


def _as_time(fmt, exact=None):
    """A filter that writes ``fmt(value)`` in HTML as ``<time datetime="…">`` (machine-readable,
    and never broken across lines by static/css/app.css, so a date in a narrow table cell stays
    whole), with ``exact(value)`` as its title; as plain text in text templates (e-mails)."""

    @pass_eval_context
    def shown(eval_ctx, value):
        text = fmt(value)
        if not text or not eval_ctx.autoescape:
            return text
        if exact is None:
            return Markup('<time datetime="{}">{}</time>').format(fmt_iso(value), text)
        return Markup('<time datetime="{}" title="{}">{}</time>').format(
            fmt_iso(value), exact(value), text
        )

    shown.__name__ = fmt.__name__
    return shown


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
        datetime=_as_time(fmt_datetime),
        iso=fmt_iso,
        date=_as_time(fmt_date),
        ago=_as_time(fmt_ago, exact=fmt_datetime),
        money=fmt_money,
        rate=fmt_rate,
        combine=lambda a, b: {**a, **b},
        markdown=render_markdown,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
