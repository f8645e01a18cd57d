"""People's own time: which zones one may choose, who sees which zone, and which day a due
date is (the organisation's), across a change of clocks."""

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import available_timezones

import pytest

from forum.core import zones
from forum.core.errors import DomainError


@pytest.mark.parametrize("name", ["Asia/Tokyo", "America/New_York", "Europe/Berlin", "UTC"])
def test_an_iana_zone_is_a_time_zone(name):
    assert zones.check_zone(f" {name} ") == name


@pytest.mark.parametrize(
    "name", ["", None, "Mars/Olympus_Mons", "asia/tokyo", "JST", "+09:00", "localtime", "Factory"]
)
def test_anything_else_is_refused(name):
    with pytest.raises(DomainError):
        zones.check_zone(name)


def test_every_zone_offered_is_one_zoneinfo_knows():
    assert set(zones.zone_names()) <= available_timezones()
    assert "Asia/Tokyo" in zones.zone_names() and "localtime" not in zones.zone_names()


def test_the_organisation_is_in_utc_until_an_admin_chooses(app):
    with app.app_context():
        assert zones.org_zone() == "UTC"
        zones.set_org_zone("Europe/Berlin")
        assert zones.org_zone() == "Europe/Berlin"


def test_the_organisation_cannot_be_put_in_no_zone(app):
    with app.app_context():
        with pytest.raises(DomainError):
            zones.set_org_zone("Europe/Atlantis")
        assert zones.org_zone() == "UTC"


def test_a_person_without_a_zone_sees_the_organisations(app):
    with app.app_context():
        zones.set_org_zone("Europe/Berlin")
        assert zones.zone_of(SimpleNamespace(time_zone=None)) == "Europe/Berlin"
        assert zones.zone_of(SimpleNamespace(time_zone="Asia/Tokyo")) == "Asia/Tokyo"
        # A name a later tz database dropped falls back too, rather than failing every page.
        assert zones.zone_of(SimpleNamespace(time_zone="Gone/Zone")) == "Europe/Berlin"


def test_a_chosen_due_date_ends_with_the_organisations_day(app):
    with app.app_context():
        zones.set_org_zone("Europe/Berlin")
        due = zones.end_of_org_day(date(2026, 12, 7))
        assert due == datetime(2026, 12, 7, 22, 59, 59, tzinfo=UTC)
        assert zones.due_day(due) == date(2026, 12, 7)


def test_a_due_date_is_the_same_day_wherever_the_reader_is(app):
    """Tokyo is 8 hours ahead of Berlin and New York 6 behind: the instant falls on 8 Dec in
    Tokyo and 7 Dec in New York, but the fix is due 7 Dec for both."""
    with app.app_context():
        zones.set_org_zone("Europe/Berlin")
        due = zones.end_of_org_day(date(2026, 12, 7))
        for reader in ("Asia/Tokyo", "America/New_York"):
            with zones.in_zone_of(SimpleNamespace(time_zone=reader)):
                assert zones.due_day(due) == date(2026, 12, 7)


@pytest.mark.parametrize(
    "day, utc_end",
    [
        # New York springs forward at 02:00 on 8 March 2026 (EST to EDT, UTC-5 to UTC-4) and
        # falls back at 02:00 on 1 November: the day still ends at 23:59:59 on the wall clock.
        (date(2026, 3, 7), datetime(2026, 3, 8, 4, 59, 59, tzinfo=UTC)),
        (date(2026, 3, 8), datetime(2026, 3, 9, 3, 59, 59, tzinfo=UTC)),
        (date(2026, 10, 31), datetime(2026, 11, 1, 3, 59, 59, tzinfo=UTC)),
        (date(2026, 11, 1), datetime(2026, 11, 2, 4, 59, 59, tzinfo=UTC)),
    ],
)
def test_a_due_date_on_a_day_the_clocks_change_ends_at_local_midnight(app, day, utc_end):
    with app.app_context():
        zones.set_org_zone("America/New_York")
        assert zones.end_of_org_day(day) == utc_end
        assert zones.due_day(utc_end) == day


def test_today_ends_at_the_organisations_midnight(app):
    with app.app_context():
        zones.set_org_zone("Asia/Tokyo")
        # 20:00 UTC on 3 Dec is 05:00 on 4 Dec in Tokyo: today there ends at 15:00 UTC on 4 Dec.
        now = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
        assert zones.org_day_ends(now) == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
