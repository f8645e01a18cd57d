"""The daily digest per user and the weekly executive digest of the top overdue fixes."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services as posts
from forum.fixes.models import Fix
from forum.notify import digests, services
from forum.notify.models import Notification
from tests.notify.conftest import file_post, mails, make_fix, move, notes, person


@pytest.fixture
def daily_notes(org):
    """Two daily notifications for the author: a fix acknowledged, then started."""
    fix = make_fix(org, file_post(org.author))
    move(fix, "acknowledged", org.ops)
    move(fix, "in_progress", org.ops)
    return fix


def test_the_daily_digest_gathers_a_users_daily_notifications_in_one_email(org, daily_notes):
    [digest] = digests.send_daily()
    assert digest.user_id == org.author
    assert digest.subject == "Your daily digest: 2 updates from Voice of Sales"
    assert "is now acknowledged" in digest.text_body
    assert "is now in progress" in digest.text_body


def test_the_daily_digest_has_a_plain_text_and_an_html_part(org, daily_notes):
    [digest] = digests.send_daily()
    assert "<!DOCTYPE html>" in digest.html_body
    assert "Stop the daily digest altogether" in digest.text_body


def test_running_the_daily_digest_twice_sends_it_once(org, daily_notes):
    digests.send_daily()
    db.session.commit()
    assert digests.send_daily() == []
    assert len(mails(org.author, "daily_digest")) == 1


def test_notifications_read_in_the_app_are_left_out_of_the_digest(org, daily_notes):
    first = notes(org.author, "fix_status")[0]
    services.mark_read(person(org.author), first)
    [digest] = digests.send_daily()
    assert "is now acknowledged" not in digest.text_body
    assert "is now in progress" in digest.text_body


def test_a_user_who_read_everything_gets_no_digest(org, daily_notes):
    services.mark_all_read(person(org.author))
    assert digests.send_daily() == []


def test_immediate_notifications_are_not_repeated_in_the_digest(org, daily_notes):
    [digest] = digests.send_daily()
    assert "is linked to fix" not in digest.text_body


def test_a_notification_after_the_digest_waits_for_the_next_one(org, daily_notes):
    digests.send_daily()
    db.session.commit()
    posts.add_comment(daily_notes.posts[0], person(org.bystander), "Any news?")
    db.session.commit()
    [digest] = digests.send_daily()
    assert "Betty Bystander commented" in digest.text_body
    assert "is now acknowledged" not in digest.text_body


def test_a_deactivated_user_gets_no_digest(org, daily_notes):
    person(org.author).active = False
    db.session.commit()
    assert digests.send_daily() == []


def test_the_digest_command_queues_the_daily_digests(app, org, daily_notes):
    result = app.test_cli_runner().invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    assert "1 daily digest queued" in result.output


# --- weekly --------------------------------------------------------------------------------


NOW = datetime(2026, 11, 23, 9, 0, tzinfo=utcnow().tzinfo)


def _overdue_fix(org, title: str, revenue: int, days_overdue: int) -> Fix:
    fix = make_fix(org, file_post(org.bystander, title=f"Report for {title}"), title=title)
    fix.due_at = NOW - timedelta(days=days_overdue)
    _at_risk(fix, revenue)
    db.session.commit()
    return fix


def _at_risk(fix: Fix, revenue: int, currency: str = "USD") -> None:
    """Make the fix's report a broken promise of ``revenue`` (a fix's revenue derives from it)."""
    [report] = fix.posts
    report.kind, report.revenue_at_risk, report.currency = "broken_promise", revenue, currency


@pytest.fixture
def overdue(org):
    return [
        _overdue_fix(org, "Small overdue", 1_000, 10),
        _overdue_fix(org, "Big overdue", 90_000, 2),
        _overdue_fix(org, "Middle overdue", 40_000, 5),
    ]


def test_the_weekly_digest_goes_to_every_active_leader_and_nobody_else(org, overdue):
    queued = digests.send_weekly(now=NOW)
    assert {m.user_id for m in queued} == {org.leader, org.other_leader}


def test_the_weekly_digest_lists_overdue_fixes_by_revenue_at_risk(org, overdue):
    [mail, _] = digests.send_weekly(now=NOW)
    text = mail.text_body
    assert text.index("Big overdue") < text.index("Middle overdue") < text.index("Small overdue")
    assert mail.subject == "Weekly digest: 3 overdue fixes, USD 131,000 at risk"


def test_the_weekly_digest_shows_only_the_top_fixes(org, overdue):
    [mail, _] = digests.send_weekly(now=NOW, limit=2)
    assert "Small overdue" not in mail.text_body
    assert "3 open fixes are overdue" in mail.text_body


def test_fixes_not_yet_due_or_closed_are_not_in_the_weekly_digest(org, overdue):
    fix = _overdue_fix(org, "Closed one", 500_000, 3)
    move(fix, "wont_fix", org.leader, note="Out of scope")
    on_time = make_fix(org, file_post(org.bystander, title="On time"), title="Not due yet")
    _at_risk(on_time, 900_000)
    db.session.commit()
    [mail, _] = digests.send_weekly(now=NOW)
    assert "Closed one" not in mail.text_body and "Not due yet" not in mail.text_body


def test_the_weekly_digest_is_sent_once_a_week(org, overdue):
    digests.send_weekly(now=NOW)
    db.session.commit()
    assert digests.send_weekly(now=NOW + timedelta(days=2)) == []
    assert len(digests.send_weekly(now=NOW + timedelta(days=7))) == 2


def test_a_leader_who_turned_the_weekly_digest_off_does_not_get_it(org, overdue):
    services.set_preference(person(org.other_leader), "weekly_digest", "off")
    queued = digests.send_weekly(now=NOW)
    assert [m.user_id for m in queued] == [org.leader]


def test_the_weekly_digest_says_so_when_nothing_is_overdue(org):
    [mail, _] = digests.send_weekly(now=NOW)
    assert mail.subject == "Weekly digest: no overdue fixes"


def test_the_weekly_digest_links_each_fix(org, overdue):
    [mail, _] = digests.send_weekly(now=NOW)
    for fix in overdue:
        assert f"http://localhost/fixes/{fix.id}" in mail.html_body


def test_the_digest_command_queues_the_weekly_digest(app, org, overdue):
    result = app.test_cli_runner().invoke(args=["digest", "--weekly"])
    assert result.exit_code == 0, result.output
    assert "2 weekly digests queued" in result.output


def test_daily_digests_leave_no_daily_notification_undigested(org, daily_notes):
    digests.send_daily()
    waiting = db.session.scalars(
        sa.select(Notification).where(
            Notification.email_mode == "daily", Notification.digested_at.is_(None)
        )
    ).all()
    assert waiting == []
