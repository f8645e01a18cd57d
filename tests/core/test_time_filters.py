"""Dates and times on pages, through Babel: one <time> element each with its UTC value
(machine-readable, never broken across lines), shown in the reader's zone with the zone named;
relative times and due dates carry the exact time for hover and keyboard focus; plain text in
e-mails."""

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from forum.core import zones
from forum.core.time import utcnow

WHEN = datetime(2026, 12, 3, 9, 5, 30)  # naive: UTC, as SQLite gives it back
NB = "\u202f"  # CLDR's narrow no-break space before AM and PM: "9:05 AM" never breaks


@contextmanager
def _in(zone: str | None, org: str | None = None):
    if org:
        zones.set_org_zone(org)
    with zones.in_zone_of(SimpleNamespace(time_zone=zone)):
        yield


def _render(app, source: str, text: bool = False, zone=None, org=None, **context) -> str:
    with app.app_context(), _in(zone, org):
        env = app.jinja_env.overlay(autoescape=not text)
        return env.from_string(source).render(**context)


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_a_time_on_a_page_is_a_time_element_with_its_utc_value_and_the_zone_named(app):
    assert _render(app, "{{ d|datetime }}", d=WHEN) == (
        f'<time datetime="2026-12-03T09:05:30+00:00">Dec 3, 2026, 9:05{NB}AM UTC</time>'
    )


@pytest.mark.parametrize(
    "zone, shown",
    [
        ("Asia/Tokyo", f"Dec 3, 2026, 6:05{NB}PM Asia/Tokyo"),
        ("America/New_York", f"Dec 3, 2026, 4:05{NB}AM America/New_York"),
    ],
)
def test_a_time_is_shown_in_the_readers_zone(app, zone, shown):
    html = _render(app, "{{ d|datetime }}", zone=zone, d=WHEN)
    assert html == f'<time datetime="2026-12-03T09:05:30+00:00">{shown}</time>'


def test_a_reader_without_a_zone_sees_the_organisations(app):
    html = _render(app, "{{ d|datetime }}", org="Asia/Tokyo", d=WHEN)
    assert _visible(html) == f"Dec 3, 2026, 6:05{NB}PM Asia/Tokyo"


@pytest.mark.parametrize(
    "moment, shown",
    [  # New York springs forward at 02:00 EST on 8 March 2026: 01:59 EST, then 03:00 EDT
        (datetime(2026, 3, 8, 6, 59, tzinfo=UTC), f"Mar 8, 2026, 1:59{NB}AM America/New_York"),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), f"Mar 8, 2026, 3:00{NB}AM America/New_York"),
    ],
)
def test_a_time_across_the_change_of_clocks_keeps_its_instant(app, moment, shown):
    assert _visible(_render(app, "{{ d|datetime }}", zone="America/New_York", d=moment)) == shown


def test_an_instants_date_is_its_day_in_the_readers_zone(app):
    late = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)  # already 4 Dec in Tokyo
    assert _render(app, "{{ d|date }}", zone="Asia/Tokyo", d=late) == (
        '<time datetime="2026-12-03T20:00:00+00:00">Dec 4, 2026</time>'
    )
    assert _visible(_render(app, "{{ d|date }}", zone="America/New_York", d=late)) == "Dec 3, 2026"


def test_a_calendar_date_is_the_same_day_everywhere(app):
    for zone in ("Asia/Tokyo", "America/New_York"):
        assert _render(app, "{{ d|date }}", zone=zone, d=date(2026, 7, 13)) == (
            '<time datetime="2026-07-13">Jul 13, 2026</time>'
        )


def test_a_due_date_is_the_organisations_day_with_the_deadline_in_the_readers_zone(app):
    """Due 7 Dec in Berlin ends at 22:59:59 UTC: 07:59 on 8 Dec in Tokyo, 17:59 on 7 Dec in
    New York. Both see 'Dec 7, 2026', each with the deadline in their own zone, named."""
    with app.app_context():
        zones.set_org_zone("Europe/Berlin")
        due = zones.end_of_org_day(date(2026, 12, 7))
    seen = {
        zone: _render(app, "{{ d|due }}", zone=zone, org="Europe/Berlin", d=due)
        for zone in ("Asia/Tokyo", "America/New_York")
    }
    assert seen["Asia/Tokyo"] == (
        '<time class="has-exact" datetime="2026-12-07T22:59:59+00:00" tabindex="0">Dec 7, 2026'
        f'<span class="exact"> (by Dec 8, 2026, 7:59{NB}AM Asia/Tokyo)</span></time>'
    )
    assert _visible(seen["America/New_York"]) == (
        f"Dec 7, 2026 (by Dec 7, 2026, 5:59{NB}PM America/New_York)"
    )


def test_a_relative_time_takes_focus_and_carries_the_exact_time(app):
    moment = (utcnow() - timedelta(days=3, hours=1)).replace(microsecond=0)
    html = _render(app, "{{ d|ago }}", zone="Asia/Tokyo", d=moment)
    exact = _render(app, "{{ d|datetime }}", text=True, zone="Asia/Tokyo", d=moment)
    assert html == (
        f'<time class="has-exact" datetime="{moment.isoformat()}" tabindex="0">3 days ago'
        f'<span class="exact"> ({exact})</span></time>'
    )
    assert exact.endswith(" Asia/Tokyo")


@pytest.mark.parametrize(
    "delta, shown",
    [
        (timedelta(hours=-2, minutes=-5), "2 hours ago"),
        (timedelta(days=3, minutes=1), "in 3 days"),
        (timedelta(seconds=-20), "just now"),
    ],
)
def test_a_relative_time_reads_as_a_person_says_it(app, delta, shown):
    html = _render(app, "{{ d|ago }}", d=utcnow() + delta)
    assert _visible(html).startswith(f"{shown} (")


def test_an_e_mail_gets_dates_and_times_as_plain_text_in_the_recipients_zone(app):
    assert _render(app, "due {{ d|date }}", text=True, zone="Asia/Tokyo", d=WHEN) == (
        "due Dec 3, 2026"
    )
    assert _render(app, "{{ d|datetime }}", text=True, zone="Asia/Tokyo", d=WHEN) == (
        f"Dec 3, 2026, 6:05{NB}PM Asia/Tokyo"
    )


def test_no_date_is_an_empty_string(app):
    assert _render(app, "[{{ d|date }}{{ d|datetime }}{{ d|ago }}{{ d|due }}]", d=None) == "[]"


def test_the_stylesheet_keeps_a_time_element_on_one_line_and_shows_the_exact_time_on_focus(app):
    css = Path(app.static_folder, "css", "app.css").read_text()
    assert "time { white-space: nowrap; }" in css
    assert "time.has-exact:focus .exact" in css and "time.has-exact:hover .exact" in css
