"""People's own time: the IANA zone a page or an e-mail is shown in, and the organisation's.

Everything is stored in UTC. A person sees times in their own zone (``User.time_zone``, set
from the browser at the first sign-in or in their settings), else in the organisation's
(the ``time_zone`` setting, an admin's choice). A due date is a calendar day *in the
organisation's zone*: a fix due 7 Dec is due by the end of 7 Dec there, the same day for a rep
in Tokyo and a leader in New York, each shown the deadline's instant in their own zone.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import flask_babel
import pytz
from flask import g, has_app_context, has_request_context
from flask_login import current_user

from forum.core import settings
from forum.core.errors import DomainError
from forum.core.time import as_utc

ORG_KEY = "time_zone"


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone a person may choose, sorted. Flask-Babel reads zones through pytz, so
    the names both know (zoneinfo also lists the pseudo-zones "localtime" and "Factory")."""
    return tuple(sorted(available_timezones() & pytz.all_timezones_set))


def zone_choices() -> list[tuple[str, str]]:
    """(name, label) for a select of every zone."""
    return [(name, name) for name in zone_names()]


def is_zone(name: str | None) -> bool:
    """Whether ``name`` is an IANA zone one may choose."""
    return name in _names()


def check_zone(name: str | None) -> str:
    """``name`` if it is an IANA zone one may choose; DomainError otherwise."""
    name = (name or "").strip()
    if not is_zone(name):
        raise DomainError(f"“{name[:60]}” is not a time zone: choose one such as Europe/Paris.")
    return name


@cache
def _names() -> frozenset[str]:
    return frozenset(zone_names())


def org_zone() -> str:
    """The organisation's zone (read once per request)."""
    if not has_app_context():
        return settings.TEXT_DEFAULTS[ORG_KEY]
    if "_org_zone" not in g:
        g._org_zone = settings.get_text(ORG_KEY)
    return g._org_zone


def set_org_zone(name: str) -> str:
    """Make ``name`` the organisation's zone. Flushes; the caller commits (and audits)."""
    name = check_zone(name)
    settings.put_text(ORG_KEY, name)
    g.pop("_org_zone", None)
    flask_babel.refresh()
    return name


def zone_of(user) -> str:
    """The zone ``user`` sees times in: their own, else the organisation's."""
    own = getattr(user, "time_zone", None)
    return own if is_zone(own) else org_zone()


def viewer_zone() -> str:
    """Flask-Babel's timezone selector: the zone of the e-mail being written (``in_zone_of``),
    else the signed-in person's, else the organisation's."""
    forced = g.get("_zone_of") if has_app_context() else None
    if forced:
        return forced
    if has_request_context() and current_user.is_authenticated:
        return zone_of(current_user)
    return org_zone()


@contextmanager
def in_zone_of(user) -> Iterator[None]:
    """Format times in ``user``'s zone inside the block (an e-mail to them)."""
    before = g.get("_zone_of")
    g._zone_of = zone_of(user)
    flask_babel.refresh()
    try:
        yield
    finally:
        g._zone_of = before
        flask_babel.refresh()


def due_day(due_at: datetime) -> date:
    """The calendar day, in the organisation's zone, that a fix due at ``due_at`` is due."""
    return as_utc(due_at).astimezone(ZoneInfo(org_zone())).date()


def end_of_org_day(day: date) -> datetime:
    """The last second of ``day`` in the organisation's zone, in UTC: a due date chosen as a
    day means 'by the end of it' where the organisation works. On a day whose clocks change
    (DST) it is still 23:59:59 on the wall clock."""
    local = datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(org_zone()))
    return as_utc(local)


def org_day_ends(now: datetime) -> datetime:
    """The first instant after today (in the organisation's zone), in UTC."""
    return end_of_org_day(due_day(now)) + timedelta(seconds=1)
