"""A change based on a stale version of a fix gets 409 and a message saying what changed."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.errors import Conflict
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import services
from forum.fixes.models import Fix, FixEvent
from tests.fixes import builders


def _open_fix(app):
    """A fix whose version 1 is stale: a leader has since raised its priority to P1."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "open")
        services.set_priority(fix, "P1", actor=org.user("leader"), version=1, note="CEO asked")
        db.session.commit()
        return org, fix.id


def _state(app, fix_id):
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        entries = db.session.scalar(sa.select(sa.func.count()).where(FixEvent.fix_id == fix_id))
        return fix.status, fix.version, fix.priority, fix.assignee_id, fix.due_at, entries


def test_a_stale_transition_raises_a_conflict_naming_the_change(app):
    org, fix_id = _open_fix(app)
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        with pytest.raises(Conflict) as raised:
            services.transition(fix, "acknowledged", actor=org.user("ops_owner"), version=1)
        assert "priority P2→P1" in raised.value.message
        assert len(raised.value.details["changes"]) == 1


def test_a_stale_status_form_gets_409_listing_what_changed_and_writes_nothing(app, client, login):
    org, fix_id = _open_fix(app)
    with app.app_context():
        who = org.who("ops_owner")
    login(who=who)
    before = _state(app, fix_id)
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "acknowledged", "version": 1})
    assert response.status_code == 409
    assert "priority P2→P1" in response.text
    assert _state(app, fix_id) == before


def test_a_stale_form_for_a_move_no_longer_possible_still_lists_what_changed(app, client, login):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "open")
        services.transition(fix, "acknowledged", actor=org.user("ops_owner"), version=1)
        db.session.commit()
        fix_id, who = fix.id, org.who("leader")
    login(who=who)
    before = _state(app, fix_id)
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "acknowledged", "version": 1})
    assert response.status_code == 409
    assert "open→acknowledged" in response.text
    assert _state(app, fix_id) == before


@pytest.mark.parametrize(
    ("route", "fields"),
    [
        ("assign", {"assignee_id": "{ops_mate}"}),
        ("priority", {"priority": "P4"}),
        ("due", {"new_due_date": "{due}", "due_reason": "Carrier contract signed later"}),
        ("snooze", {"until": "{due}", "snooze_reason": "Waiting for the new carrier"}),
    ],
)
def test_a_stale_edit_form_gets_409_and_writes_nothing(app, client, login, route, fields):
    org, fix_id = _open_fix(app)
    with app.app_context():
        who = org.who("leader")
        values = {"ops_mate": org.users["ops_mate"], "due": utcnow().date() + timedelta(days=40)}
    login(who=who)
    before = _state(app, fix_id)
    data = {k: v.format(**values) for k, v in fields.items()}
    response = client.post(f"/fixes/{fix_id}/{route}", data={"version": 1, **data})
    assert response.status_code == 409
    assert "priority P2→P1" in response.text
    assert _state(app, fix_id) == before


def alert(response) -> str:
    """The message at the top of the fix page."""
    match = re.search(r'<div class="error-summary" role="alert"><p>(.*?)</p>', response.text, re.S)
    assert match, "no message on the page"
    return html.unescape(match.group(1))


def test_the_409_names_who_changed_what_since(app, client, login):
    org, fix_id = _open_fix(app)
    with app.app_context():
        who, leader = org.who("ops_owner"), org.user("leader").display_name
    login(who=who)
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "acknowledged", "version": 1})
    assert response.status_code == 409
    message = alert(response)
    assert f"{leader} changed the priority P2→P1 (" in message
    assert message.endswith("Review the current state and try again.")


def test_the_409_names_a_status_move_by_the_person_who_won(app, client, login):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "acknowledged")
        services.transition(fix, "in_progress", actor=org.user("ops_mate"), version=fix.version)
        db.session.commit()
        fix_id, version = fix.id, fix.version - 1
        who, mate = org.who("ops_owner"), org.user("ops_mate").display_name
    login(who=who)
    response = client.post(
        f"/fixes/{fix_id}/status", data={"to": "in_progress", "version": version}
    )
    assert response.status_code == 409
    assert f"{mate} changed the status acknowledged→in progress" in alert(response)


def test_a_reps_409_names_staff_by_their_role_and_leaves_out_what_reps_do_not_see(
    app, client, login
):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "resolved")
        version = fix.version
        leader = org.user("leader")
        services.set_priority(fix, "P1", actor=leader, version=version)
        services.transition(
            fix, "reopened", actor=leader, version=version + 1, note="Still three weeks late"
        )
        db.session.commit()
        fix_id, who, name = fix.id, org.who("rep_reporter"), leader.display_name
    login(who=who)
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "verified", "version": version})
    assert response.status_code == 409
    message = alert(response)
    assert "sales leadership changed the status resolved→reopened" in message
    assert "priority" not in message
    assert name not in message


def test_a_409_caused_by_a_shielded_reporter_wears_the_shield(app, client, login):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "resolved", shielded=True)
        version = fix.version
        reporter = org.user("rep_reporter")
        services.transition(fix, "verified", actor=reporter, version=version)
        db.session.commit()
        fix_id, who, name = fix.id, org.who("rep_corroborator"), reporter.display_name
    login(who=who)
    response = client.post(
        f"/fixes/{fix_id}/status",
        data={"to": "reopened", "version": version, "note": "It broke again"},
    )
    assert response.status_code == 409
    message = alert(response)
    assert "A verified rep" in message and "changed the status resolved→verified" in message
    assert name not in response.text
