"""People's own time in a browser: a rep in Tokyo and a leader in New York sign in, their
browsers' zones are taken at the first sign-in, and both see the same fix due the same day
(the organisation's, Berlin's) with its deadline and a comment's time each in their own zone,
named; the exact time of a due date shows on keyboard focus. A third person whose browser's
zone is not asked (no script) sees the organisation's, then chooses their own."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from playwright.sync_api import expect

from forum.auth.models import User
from forum.core import zones
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import creation
from forum.fixes.models import FixComment
from tests import factories

ORG_ZONE = "Europe/Berlin"
COMMENTED = datetime(2026, 12, 4, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo, 19:30 the day before in NY


def _world(app, rep_id: int, leader_id: int) -> tuple[int, datetime]:
    """A fix from the rep's report, due in 30 days (a Berlin day), with the leader's comment."""
    with app.app_context():
        zones.set_org_zone(ORG_ZONE)
        rep, leader = db.session.get(User, rep_id), db.session.get(User, leader_id)
        post = factories.post(author=rep, title="Pallets three weeks late")
        due_day = (utcnow() + timedelta(days=30)).date()
        fix = creation.create_fix(
            title="Shipping lead times",
            problem="Promised 5 days, took 21.",
            owner_team_id=factories.team("operations", name="Shipping").id,
            priority="P2",
            actor=leader,
            posts=[post],
            due_at=zones.end_of_org_day(due_day),
            due_reason="The carrier's new contract starts then.",
        )
        db.session.add(
            FixComment(fix_id=fix.id, author=leader, body="Carrier booked.", created_at=COMMENTED)
        )
        db.session.commit()
        return fix.id, fix.due_at


def _shown(moment: datetime, zone: str) -> str:
    """The page's format, written independently: Babel's medium date, short time, zone name."""
    local = moment.astimezone(ZoneInfo(zone))
    return (
        f"{format_date(local, 'medium', locale='en')}, "
        f"{format_time(local, 'short', locale='en')} {zone}"
    )


def _sign_in_from(new_page, sign_in, zone: str, role: str):
    """A browser in ``zone``; signing in posts its zone once, after the home page loads."""
    page = new_page("desktop", f"{role} in {zone}", timezone_id=zone)
    with page.expect_response(lambda r: r.url.endswith("/account/time-zone/browser")) as posted:
        person = sign_in(page, role)
    assert posted.value.status == 204
    return page, person


def test_a_rep_in_tokyo_and_a_leader_in_new_york_see_the_same_due_date_in_their_own_zones(
    app, new_page, sign_in, check_page
):
    rep_page, rep = _sign_in_from(new_page, sign_in, "Asia/Tokyo", "rep")
    leader_page, leader = _sign_in_from(new_page, sign_in, "America/New_York", "leader")
    with app.app_context():
        assert db.session.get(User, rep.id).time_zone == "Asia/Tokyo"
        assert db.session.get(User, leader.id).time_zone == "America/New_York"
    fix_id, due_at = _world(app, rep.id, leader.id)
    due_day = format_date(due_at.astimezone(ZoneInfo(ORG_ZONE)), "medium", locale="en")

    for page, zone in ((rep_page, "Asia/Tokyo"), (leader_page, "America/New_York")):
        page.goto(f"/fixes/{fix_id}")
        due = page.locator(".facts dd").filter(has_text="The end of that day")
        expect(due).to_contain_text(f"Due {due_day}")
        expect(due.locator(".deadline")).to_have_text(
            f"The end of that day in the organisation's zone ({ORG_ZONE}): {_shown(due_at, zone)}"
        )
        comment = page.locator(".timeline li.tl-comment").filter(has_text="Carrier booked.")
        expect(comment.locator("time").first).to_have_text(_shown(COMMENTED, zone))
        expect(comment.locator("time").first).to_have_attribute(
            "datetime", "2026-12-04T00:30:00+00:00"
        )

    # The due date's exact deadline: hidden until the date has keyboard focus, then shown.
    due_date = rep_page.locator(".facts time.has-exact").first
    exact = due_date.locator(".exact")
    expect(exact).to_have_text(f" (by {_shown(due_at, 'Asia/Tokyo')})")
    assert exact.bounding_box()["width"] <= 1
    rep_page.locator("#main").focus()
    while not due_date.evaluate("el => el === document.activeElement"):
        rep_page.keyboard.press("Tab")
    assert exact.bounding_box()["width"] > 50
    check_page(rep_page)


def test_without_the_browsers_zone_a_person_sees_the_organisations(app, new_page, sign_in):
    page = new_page("desktop", "leader without script", timezone_id="Asia/Tokyo")
    page.context.route("**/static/js/app.js", lambda route: route.abort())
    leader = sign_in(page, "leader")
    rep = sign_in(new_page("desktop", "rep"), "rep")
    fix_id, due_at = _world(app, rep.id, leader.id)
    page.goto(f"/fixes/{fix_id}")
    expect(page.locator(".deadline")).to_contain_text(_shown(due_at, ORG_ZONE))
    with app.app_context():
        assert db.session.get(User, leader.id).time_zone is None
    # They choose theirs in their settings instead.
    page.get_by_role("link", name="Time zone").click()
    page.get_by_label("Time zone").select_option("Asia/Kolkata")
    page.get_by_role("button", name="Save my time zone").click()
    expect(page.get_by_role("status")).to_contain_text("Times are shown in Asia/Kolkata.")
    page.goto(f"/fixes/{fix_id}")
    expect(page.locator(".deadline")).to_contain_text(_shown(due_at, "Asia/Kolkata"))
