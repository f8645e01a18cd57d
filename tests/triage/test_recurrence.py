"""Possible recurrences: a report resembling a fix verified in the last 90 days is flagged, and
one click reopens that fix as a recurrence."""

from datetime import timedelta

import pytest

from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes.history import verify_fix
from forum.fixes.models import Fix
from forum.triage import services
from tests.fixes import builders

FIX_TITLE = "Pallets delivered late to Hamburg"
POST_TITLE = "Pallets delivered late again"


def _setup(app, verified_days_ago):
    with app.app_context():
        org = builders.org()
        start = utcnow() - timedelta(days=verified_days_ago, hours=5)
        fix = builders.fix_in(org, "verified", start=start, title=FIX_TITLE)
        post = builders.report(org.user("rep_unrelated"), team_id=org.ops_team_id, title=POST_TITLE)
        db.session.commit()
        return org, fix.id, post.id


def test_a_report_like_a_recently_verified_fix_is_flagged_as_a_possible_recurrence(app):
    _, fix_id, post_id = _setup(app, verified_days_ago=30)
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert [f.id for f in services.possible_recurrences(post)] == [fix_id]


def test_a_fix_verified_more_than_90_days_ago_is_not_flagged(app):
    _, _, post_id = _setup(app, verified_days_ago=91)
    with app.app_context():
        assert services.possible_recurrences(db.session.get(Post, post_id)) == []


def test_an_unrelated_report_is_not_flagged(app):
    org, _, _ = _setup(app, verified_days_ago=30)
    with app.app_context():
        post = builders.report(
            org.user("rep_unrelated"),
            team_id=org.ops_team_id,
            title="Invoice in the wrong currency",
        )
        assert services.possible_recurrences(post) == []


@pytest.mark.parametrize("url", ["/triage/", "/triage/posts/{post}"])
def test_the_inbox_and_the_triage_page_show_the_flag(app, client, login, url):
    org, fix_id, post_id = _setup(app, verified_days_ago=30)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    page = client.get(url.format(post=post_id))
    assert page.status_code == 200
    assert f"fix #{fix_id}" in page.text.replace("Fix #", "fix #")
    assert "recurrence" in page.text.lower()


def test_one_click_reopens_the_fix_as_a_recurrence_and_links_the_report(app, client, login):
    org, fix_id, post_id = _setup(app, verified_days_ago=30)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    response = client.post(f"/triage/posts/{post_id}/recurrence", data={"fix_id": fix_id})
    assert response.status_code == 302
    with app.app_context():
        fix, post = db.session.get(Fix, fix_id), db.session.get(Post, post_id)
        assert (fix.status, fix.reopen_count, fix.recurrence_count) == ("reopened", 1, 1)
        assert (post.status, post.fix_id) == ("linked", fix_id)
        reopened, linked = fix.events[-2:]
        assert (reopened.to_value, reopened.details["recurrence_post"]) == ("reopened", post_id)
        assert (linked.kind, linked.details["posts"]) == ("linked", [post_id])
        assert verify_fix(fix_id).intact


@pytest.mark.parametrize("status", ["resolved", "in_progress", "wont_fix"])
def test_only_a_verified_fix_can_be_reopened_as_a_recurrence(app, client, login, status):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, status, title=FIX_TITLE)
        post = builders.report(org.user("rep_unrelated"), team_id=org.ops_team_id, title=POST_TITLE)
        db.session.commit()
        fix_id, post_id, version, who = fix.id, post.id, fix.version, org.who("leader")
    login(who=who)
    response = client.post(f"/triage/posts/{post_id}/recurrence", data={"fix_id": fix_id})
    assert response.status_code == 303
    with app.app_context():
        fix, post = db.session.get(Fix, fix_id), db.session.get(Post, post_id)
        assert (fix.status, fix.version, fix.recurrence_count) == (status, version, 0)
        assert post.status == "new"
