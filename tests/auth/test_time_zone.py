"""One's own time zone: chosen in one's settings or taken once from the browser after signing
in; without either (no script), the organisation's, which an admin chooses."""

from datetime import UTC, datetime

import pytest

from forum.auth.models import User
from forum.core import settings, zones
from forum.extensions import db
from tests import factories

NB = "\u202f"  # CLDR's narrow no-break space before AM and PM
WHEN = datetime(2026, 12, 3, 9, 5, tzinfo=UTC)
ZONE_URL = "/account/time-zone/browser"


def _zone(app, who) -> str | None:
    with app.app_context():
        return db.session.get(User, who.id).time_zone


def _set_zone(app, who, name: str | None) -> None:
    with app.app_context():
        db.session.get(User, who.id).time_zone = name
        db.session.commit()


def _org(app, name: str) -> None:
    with app.app_context():
        zones.set_org_zone(name)
        db.session.commit()


def _report_filed_at(app, when: datetime) -> int:
    with app.app_context():
        post = factories.post(created_at=when)
        db.session.commit()
        return post.id


def test_a_person_chooses_their_zone_in_their_settings(app, client, login):
    who = login("rep")
    response = client.post("/account/time-zone", data={"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert _zone(app, who) == "Asia/Tokyo"
    page = client.get("/account/time-zone").text
    assert '<option selected value="Asia/Tokyo">Asia/Tokyo</option>' in page


def test_a_zone_that_is_none_is_refused_and_nothing_changes(app, client, login):
    who = login("rep")
    response = client.post("/account/time-zone", data={"time_zone": "Asia/Atlantis"})
    assert response.status_code == 200
    assert "is not a time zone" in response.text
    assert _zone(app, who) is None


def test_an_empty_choice_goes_back_to_the_organisations_zone(app, client, login):
    who = login("rep")
    _set_zone(app, who, "Asia/Tokyo")
    assert client.post("/account/time-zone", data={"time_zone": ""}).status_code == 302
    assert _zone(app, who) is None


@pytest.mark.parametrize(
    "zone, shown",
    [
        ("Asia/Tokyo", f"Dec 3, 2026, 6:05{NB}PM Asia/Tokyo"),
        ("America/New_York", f"Dec 3, 2026, 4:05{NB}AM America/New_York"),
    ],
)
def test_pages_show_times_in_the_signed_in_persons_zone(app, client, login, zone, shown):
    post_id = _report_filed_at(app, WHEN)
    who = login("leader")
    _set_zone(app, who, zone)
    page = client.get(f"/posts/{post_id}").text
    assert f'<time datetime="2026-12-03T09:05:00+00:00">{shown}</time>' in page


def test_a_person_without_a_zone_sees_the_organisations(app, client, login):
    post_id = _report_filed_at(app, WHEN)
    _org(app, "Europe/Berlin")
    login("leader")
    page = client.get(f"/posts/{post_id}").text
    assert f">Dec 3, 2026, 10:05{NB}AM Europe/Berlin</time>" in page


def test_a_page_asks_the_browser_for_its_zone_only_while_the_person_has_none(app, client, login):
    who = login("rep")
    assert f'data-zone-url="{ZONE_URL}"' in client.get("/").text
    _set_zone(app, who, "Asia/Tokyo")
    assert "data-zone-url" not in client.get("/").text


def test_the_browsers_zone_is_taken_once(app, client, login):
    who = login("rep")
    client.get("/")  # the page whose script posts the zone
    response = client.post(ZONE_URL, data={"time_zone": "Asia/Tokyo"})
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers  # a background request keeps the session
    assert _zone(app, who) == "Asia/Tokyo"
    assert client.post(ZONE_URL, data={"time_zone": "Europe/Paris"}).status_code == 204
    assert _zone(app, who) == "Asia/Tokyo"


def test_the_browser_never_overrides_a_chosen_zone(app, client, login):
    who = login("rep")
    _set_zone(app, who, "America/New_York")
    client.post(ZONE_URL, data={"time_zone": "Asia/Tokyo"})
    assert _zone(app, who) == "America/New_York"


@pytest.mark.parametrize("sent", ["", "Mars/Olympus_Mons", "localtime", "x" * 61])
def test_a_browser_zone_we_do_not_know_leaves_the_organisations(app, client, login, sent):
    who = login("rep")
    assert client.post(ZONE_URL, data={"time_zone": sent}).status_code == 204
    assert _zone(app, who) is None


def test_the_browsers_zone_needs_the_csrf_token(app, client, login):
    who = login("rep")
    response = client.post(ZONE_URL, data={"time_zone": "Asia/Tokyo"}, csrf=False)
    assert response.status_code == 400
    assert _zone(app, who) is None


def test_an_admin_sets_the_organisations_zone_on_the_policy_page(app, client, login):
    login("admin")
    page = client.get("/fixes/sla").text
    assert '<option selected value="UTC">UTC</option>' in page
    form = {
        "triage_target_hours": "24",
        "verify_window_days": "5",
        "sponsor_after_hours": "48",
        "alert_min_impact": "3",
        **{f"P{n}_ack_hours": str(4 * n) for n in range(1, 5)},
        **{f"P{n}_resolve_days": str(5 * n) for n in range(1, 5)},
    }
    assert client.post("/fixes/sla", data={**form, "time_zone": "Asia/Tokyo"}).status_code == 302
    with app.app_context():
        assert settings.get_text("time_zone") == "Asia/Tokyo"
    refused = client.post("/fixes/sla", data={**form, "time_zone": "Tokyo", "P1_ack_hours": "9"})
    assert refused.status_code == 200 and "is not a time zone" in refused.text
    with app.app_context():
        assert settings.get_text("time_zone") == "Asia/Tokyo"
        assert settings.get("triage_target_hours") == 24
