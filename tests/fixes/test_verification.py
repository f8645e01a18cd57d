"""Closing the loop: reporters and corroborators verify a resolved fix or reopen it; leaders
verify for them only after their window; shielded reporters stay shielded on the fix page."""

from datetime import timedelta

import pytest

from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import services
from forum.fixes.models import Fix
from tests.fixes import builders

PROMPT = "Did this fix hold?"


def _resolved(app, *, days_ago=1, shielded=False):
    with app.app_context():
        org = builders.org()
        org.user("rep_reporter").display_name = "Riley Shielded-Reporter"
        fix = builders.fix_in(
            org, "resolved", start=utcnow() - timedelta(days=days_ago), shielded=shielded
        )
        db.session.commit()
        return org, fix.id, fix.version


def _sign_in(app, login, org, key):
    with app.app_context():
        who = org.who(key)
    login(who=who)


@pytest.mark.parametrize("who", ["rep_reporter", "rep_corroborator"])
def test_reporters_and_corroborators_are_asked_whether_the_fix_held(app, client, login, who):
    org, fix_id, _ = _resolved(app)
    _sign_in(app, login, org, who)
    page = client.get(f"/fixes/{fix_id}").text
    assert PROMPT in page
    assert "Yes — verify the fix" in page
    assert "No — reopen it" in page


@pytest.mark.parametrize("who", ["rep_reporter", "rep_corroborator"])
def test_a_reporter_or_corroborator_verifies_the_fix(app, client, login, who):
    org, fix_id, version = _resolved(app)
    _sign_in(app, login, org, who)
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "verified", "version": version})
    assert response.status_code == 302
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert fix.status == "verified"
        assert fix.events[-1].actor_id == org.users[who]
        assert "verified_for_reporters" not in fix.events[-1].details


def test_a_rep_who_did_not_report_is_not_asked_and_cannot_verify(app, client, login):
    org, fix_id, version = _resolved(app)
    _sign_in(app, login, org, "rep_unrelated")
    assert PROMPT not in client.get(f"/fixes/{fix_id}").text
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "verified", "version": version})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Fix, fix_id).version == version


def test_a_leader_cannot_verify_inside_the_reporters_window(app):
    org, fix_id, version = _resolved(app)
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        with pytest.raises(services.TransitionDenied):
            services.transition(fix, "verified", actor=org.user("leader"), version=version)


def test_a_leader_verifies_after_the_window_on_the_reporters_behalf(app, client, login):
    org, fix_id, version = _resolved(app, days_ago=10)
    _sign_in(app, login, org, "leader")
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "verified", "version": version})
    assert response.status_code == 302
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert fix.status == "verified"
        assert fix.events[-1].details["verified_for_reporters"] is True
    assert "on the reporters' behalf" in client.get(f"/fixes/{fix_id}").text


def test_the_verify_window_follows_the_policy(app):
    from forum.core import settings

    org, fix_id, version = _resolved(app, days_ago=3)
    with app.app_context():
        settings.put("verify_window_days", 2)
        fix = db.session.get(Fix, fix_id)
        event = services.transition(fix, "verified", actor=org.user("leader"), version=version)
        assert event.details["verified_for_reporters"] is True


def test_a_reporter_reopens_with_a_reason(app, client, login):
    org, fix_id, version = _resolved(app)
    _sign_in(app, login, org, "rep_reporter")
    response = client.post(
        f"/fixes/{fix_id}/status",
        data={"to": "reopened", "version": version, "note": "Acme waited two weeks again"},
    )
    assert response.status_code == 302
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert (fix.status, fix.status_reason, fix.reopen_count) == (
            "reopened",
            "Acme waited two weeks again",
            1,
        )


def _shielded_reporter_acts(app, client, login, to, note=""):
    org, fix_id, version = _resolved(app, shielded=True)
    _sign_in(app, login, org, "rep_reporter")
    client.post(f"/fixes/{fix_id}/comments", data={"body": "Checked with Acme this morning."})
    response = client.post(
        f"/fixes/{fix_id}/status", data={"to": to, "version": version, "note": note}
    )
    assert response.status_code == 302
    client.post("/logout")
    with app.app_context():
        name = org.user("rep_reporter").display_name
    return org, fix_id, name


@pytest.mark.parametrize(
    "viewer", ["ops_owner", "rep_corroborator", "rep_unrelated", "leader", "admin"]
)
@pytest.mark.parametrize(("to", "note"), [("verified", ""), ("reopened", "Still late")])
def test_a_shielded_reporter_stays_shielded_on_the_fix_page(app, client, login, viewer, to, note):
    org, fix_id, name = _shielded_reporter_acts(app, client, login, to, note)
    _sign_in(app, login, org, viewer)
    page = client.get(f"/fixes/{fix_id}")
    assert page.status_code == 200
    assert "A verified rep" in page.text
    assert name not in page.text
