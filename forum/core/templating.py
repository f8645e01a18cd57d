"""Template filters shared by every page."""

from datetime import date, datetime, timedelta

import flask_babel
from flask import Flask
from flask_babel import gettext
from jinja2 import pass_eval_context
from markupsafe import Markup

from forum.core import money, zones
from forum.core.markdown import render as render_markdown
from forum.core.money import Money, Totals
from forum.core.time import as_utc, utcnow


def fmt_datetime(value: datetime | None) -> str:
    """'Dec 4, 2026, 9:30 AM Asia/Tokyo': in the viewer's zone (``forum.core.zones``), named."""
    if value is None:
        return ""
    moment = as_utc(value)
    return "{}, {} {}".format(
        flask_babel.format_date(moment, "medium"),
        flask_babel.format_time(moment, "short"),
        zones.viewer_zone(),
    )


def fmt_date(value: date | datetime | None) -> str:
    """A day ('Dec 4, 2026'); an instant's day in the viewer's zone."""
    if value is None:
        return ""
    return flask_babel.format_date(as_utc(value) if isinstance(value, datetime) else value)


def fmt_due(value: datetime | None) -> str:
    """A due instant's day in the organisation's zone: the same day for everyone."""
    if value is None:
        return ""
    return flask_babel.format_date(zones.due_day(value), "medium")


def fmt_deadline(value: datetime | None) -> str:
    """'by Dec 8, 2026, 7:59 AM Asia/Tokyo': the due instant in the viewer's zone."""
    if value is None:
        return ""
    return gettext("by %(moment)s", moment=fmt_datetime(value))


def fmt_iso(value: date | datetime | None) -> str:
    """For <time datetime>: HTML allows at most milliseconds, so whole seconds in UTC."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    return as_utc(value).isoformat(timespec="seconds")


def fmt_ago(value: datetime | None) -> str:
    """'3 days ago', 'in 2 hours': coarse on purpose (Babel's rounding, in minutes at best)."""
    if value is None:
        return ""
    delta = as_utc(value) - utcnow()
    if abs(delta) < timedelta(minutes=1):
        return gettext("just now")
    return flask_babel.format_timedelta(delta, granularity="minute", add_direction=True)


def _as_time(fmt, exact=None):
    """A filter that writes ``fmt(value)`` in HTML as ``<time datetime="…">`` (machine-readable
    UTC, and never broken across lines by static/css/app.css, so a date in a narrow table cell
    stays whole); as plain text in text templates (e-mails), followed by ``exact(value)``.

    With ``exact``, the element takes keyboard focus and shows the exact value on hover and on
    focus (a ``title`` reaches neither the keyboard nor, reliably, a screen reader): the exact
    text is in the element, visually hidden until then, so it is read out too."""

    @pass_eval_context
    def shown(eval_ctx, value):
        text = fmt(value)
        if not text:
            return text
        if not eval_ctx.autoescape:
            return f"{text} ({exact(value)})" if exact is not None else text
        if exact is None:
            return Markup('<time datetime="{}">{}</time>').format(fmt_iso(value), text)
        return Markup(
            '<time class="has-exact" datetime="{}" tabindex="0">{}'
            '<span class="exact"> ({})</span></time>'
        ).format(fmt_iso(value), text, exact(value))

    shown.__name__ = fmt.__name__
    return shown


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
        due=_as_time(fmt_due, exact=fmt_deadline),
        money=fmt_money,
        rate=fmt_rate,
        combine=lambda a, b: {**a, **b},
        markdown=render_markdown,
    )
    app.jinja_env.globals.update(org_zone=zones.org_zone)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
