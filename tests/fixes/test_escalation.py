"""Escalating overdue fixes: to the team lead, then the sponsor; recorded, acknowledged, snoozed."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.errors import Conflict, DomainError
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import escalations, services
from forum.fixes.history import verify_fix
from forum.fixes.models import Escalation, Fix, FixEvent
from tests.fixes import builders

START = utcnow() - timedelta(days=40)
DUE = START + timedelta(days=10)  # P2 resolves in 10 days by default
OVERDUE = DUE + timedelta(days=1)
SPONSOR_AFTER = timedelta(hours=72)  # the default sponsor_after_hours


def _overdue_fix(status="in_progress"):
    org = builders.org()
    fix = builders.fix_in(org, status, start=START, priority="P2")
    assert fix.due_at == DUE
    return org, fix


def _escalations(fix):
    return db.session.scalars(
        sa.select(Escalation).where(Escalation.fix_id == fix.id).order_by(Escalation.id)
    ).all()


def _entries(fix, kind):
    return db.session.scalars(
        sa.select(FixEvent).where(FixEvent.fix_id == fix.id, FixEvent.kind == kind)
    ).all()


def test_an_overdue_fix_escalates_to_the_owner_teams_lead(app):
    with app.app_context():
        org, fix = _overdue_fix()
        created = escalations.escalate_overdue(now=OVERDUE)
        assert [(e.fix_id, e.level, e.to_user_id) for e in created] == [
            (fix.id, 1, org.users["ops_lead"])
        ]
        assert fix.escalation_level == 1
        [entry] = _entries(fix, "escalated")
        assert (entry.from_value, entry.to_value, entry.at) == ("0", "1", OVERDUE)
        assert verify_fix(fix.id).intact


def test_escalating_again_changes_nothing(app):
    with app.app_context():
        _, fix = _overdue_fix()
        escalations.escalate_overdue(now=OVERDUE)
        version = fix.version
        assert escalations.escalate_overdue(now=OVERDUE + timedelta(hours=1)) == []
        assert escalations.escalate_overdue(now=OVERDUE + timedelta(hours=2)) == []
        assert len(_escalations(fix)) == 1
        assert fix.version == version


def test_a_fix_still_overdue_after_the_sponsor_delay_escalates_to_the_sponsor(app):
    with app.app_context():
        org, fix = _overdue_fix()
        escalations.escalate_overdue(now=OVERDUE)
        assert escalations.escalate_overdue(now=OVERDUE + SPONSOR_AFTER - timedelta(hours=1)) == []
        [second] = escalations.escalate_overdue(now=OVERDUE + SPONSOR_AFTER)
        assert (second.level, second.to_user_id) == (2, org.users["sponsor"])
        assert [e.to_value for e in _entries(fix, "escalated")] == ["1", "2"]
        assert escalations.escalate_overdue(now=OVERDUE + 2 * SPONSOR_AFTER) == []
        assert verify_fix(fix.id).intact


def test_a_fix_that_is_not_overdue_is_not_escalated(app):
    with app.app_context():
        _, fix = _overdue_fix()
        assert escalations.escalate_overdue(now=DUE - timedelta(hours=1)) == []
        assert _escalations(fix) == []


@pytest.mark.parametrize("status", ["resolved", "verified", "wont_fix"])
def test_a_closed_or_resolved_fix_is_not_escalated(app, status):
    with app.app_context():
        _, fix = _overdue_fix(status)
        assert escalations.escalate_overdue(now=OVERDUE) == []


def test_a_snoozed_fix_is_skipped_until_the_snooze_ends(app):
    with app.app_context():
        org, fix = _overdue_fix()
        until = OVERDUE + timedelta(days=5)
        escalations.snooze(
            fix,
            until,
            actor=org.user("leader"),
            version=fix.version,
            reason="Carrier contract signed, trucks from Monday",
            now=DUE,
        )
        assert escalations.escalate_overdue(now=OVERDUE) == []
        assert escalations.escalate_overdue(now=until - timedelta(minutes=1)) == []
        [escalation] = escalations.escalate_overdue(now=until + timedelta(minutes=1))
        assert escalation.level == 1
        assert [e.kind for e in fix.events][-2:] == ["snoozed", "escalated"]


def test_a_fix_given_a_later_due_date_escalates_afresh_when_overdue_again(app):
    with app.app_context():
        org, fix = _overdue_fix()
        escalations.escalate_overdue(now=OVERDUE)
        new_due = OVERDUE + timedelta(days=10)
        services.set_due(
            fix,
            new_due,
            actor=org.user("leader"),
            version=fix.version,
            reason="Waiting for the second carrier",
            now=OVERDUE + timedelta(hours=2),
        )
        assert escalations.escalate_overdue(now=new_due - timedelta(hours=1)) == []
        [again] = escalations.escalate_overdue(now=new_due + timedelta(hours=1))
        assert (again.level, again.to_user_id) == (1, org.users["ops_lead"])
        assert escalations.escalate_overdue(now=new_due + timedelta(hours=2)) == []
        assert verify_fix(fix.id).intact


def test_a_reopened_fix_escalates_afresh_when_overdue_again(app):
    with app.app_context():
        org, fix = _overdue_fix("in_progress")
        escalations.escalate_overdue(now=OVERDUE)
        services.transition(
            fix,
            "wont_fix",
            actor=org.user("leader"),
            version=fix.version,
            note="Not worth it",
            now=OVERDUE + timedelta(hours=1),
        )
        services.transition(
            fix,
            "reopened",
            actor=org.user("leader"),
            version=fix.version,
            note="It is back",
            now=OVERDUE + timedelta(hours=2),
        )
        later = fix.due_at + timedelta(hours=1)
        [again] = escalations.escalate_overdue(now=later)
        assert (again.level, again.round) == (1, 2)


@pytest.mark.parametrize("who", ["ops_lead", "leader", "admin"])
def test_the_recipient_or_a_leader_acknowledges_an_escalation(app, who):
    with app.app_context():
        org, fix = _overdue_fix()
        [escalation] = escalations.escalate_overdue(now=OVERDUE)
        at = OVERDUE + timedelta(hours=3)
        event = escalations.acknowledge_escalation(escalation, actor=org.user(who), now=at)
        assert (escalation.acknowledged_at, escalation.acknowledged_by_id) == (at, org.users[who])
        assert (event.kind, event.actor_id, event.details["escalation_id"]) == (
            "escalation_ack",
            org.users[who],
            escalation.id,
        )
        assert verify_fix(fix.id).intact


@pytest.mark.parametrize("who", ["ops_owner", "ops_other", "rep_reporter"])
def test_someone_else_cannot_acknowledge_an_escalation(app, who):
    with app.app_context():
        org, fix = _overdue_fix()
        [escalation] = escalations.escalate_overdue(now=OVERDUE)
        db.session.commit()
        version = fix.version
        with pytest.raises(services.TransitionDenied):
            escalations.acknowledge_escalation(escalation, actor=org.user(who))
        db.session.rollback()
        assert db.session.get(Escalation, escalation.id).acknowledged_at is None
        assert db.session.get(Fix, fix.id).version == version


def test_an_escalation_is_acknowledged_only_once(app):
    with app.app_context():
        org, fix = _overdue_fix()
        [escalation] = escalations.escalate_overdue(now=OVERDUE)
        escalations.acknowledge_escalation(escalation, actor=org.user("ops_lead"))
        with pytest.raises(Conflict):
            escalations.acknowledge_escalation(escalation, actor=org.user("leader"))
        assert len(_entries(fix, "escalation_ack")) == 1


def _escalated(app):
    with app.app_context():
        org, fix = _overdue_fix()
        [escalation] = escalations.escalate_overdue(now=OVERDUE)
        db.session.commit()
        return org, fix.id, escalation.id


@pytest.mark.parametrize(("who", "code"), [("ops_lead", 302), ("ops_owner", 403)])
def test_the_acknowledge_button_works_only_for_the_recipient(app, client, login, who, code):
    org, fix_id, escalation_id = _escalated(app)
    with app.app_context():
        user = org.who(who)
    login(who=user)
    response = client.post(f"/fixes/escalations/{escalation_id}/acknowledge")
    assert response.status_code == code
    with app.app_context():
        acknowledged = db.session.get(Escalation, escalation_id).acknowledged_at is not None
        assert acknowledged is (code == 302)


def test_reps_cannot_reach_escalations(app, client, login):
    org, fix_id, escalation_id = _escalated(app)
    with app.app_context():
        user = org.who("rep_reporter")
    login(who=user)
    assert client.get("/fixes/escalations").status_code == 403
    assert client.post(f"/fixes/escalations/{escalation_id}/acknowledge").status_code == 403


def test_the_escalations_page_lists_what_waits_for_the_recipient(app, client, login):
    org, fix_id, escalation_id = _escalated(app)
    with app.app_context():
        user = org.who("ops_lead")
    login(who=user)
    page = client.get("/fixes/escalations")
    assert page.status_code == 200
    assert f"/fixes/escalations/{escalation_id}/acknowledge" in page.text


def test_the_escalate_command_escalates_overdue_fixes_once(app):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "acknowledged", start=utcnow() - timedelta(days=40))
        db.session.commit()
        fix_id = fix.id
    runner = app.test_cli_runner()
    first = runner.invoke(args=["escalate"])
    assert first.exit_code == 0, first.output
    assert f"Fix #{fix_id} escalated" in first.output
    assert "1 escalation made." in first.output
    second = runner.invoke(args=["escalate"])
    assert second.exit_code == 0
    assert "0 escalations made." in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Escalation)) == 1
        assert verify_fix(fix_id).intact


@pytest.mark.parametrize("reason", ["", "   ", "no"])
def test_snoozing_needs_a_reason(app, reason):
    with app.app_context():
        org, fix = _overdue_fix()
        with pytest.raises(DomainError, match="reason"):
            escalations.snooze(
                fix,
                OVERDUE + timedelta(days=3),
                actor=org.user("leader"),
                version=fix.version,
                reason=reason,
                now=OVERDUE,
            )
        assert _entries(fix, "snoozed") == []


@pytest.mark.parametrize("days", [0, -1])
def test_snoozing_needs_a_date_in_the_future(app, days):
    with app.app_context():
        org, fix = _overdue_fix()
        with pytest.raises(DomainError, match="future"):
            escalations.snooze(
                fix,
                OVERDUE + timedelta(days=days),
                actor=org.user("leader"),
                version=fix.version,
                reason="Waiting for the carrier",
                now=OVERDUE,
            )
        assert fix.snoozed_until is None


def test_the_snooze_form_with_a_past_date_answers_400_and_changes_nothing(app, client, login):
    with app.app_context():
        org, fix = _overdue_fix()
        db.session.commit()
        fix_id, version, who = fix.id, fix.version, org.who("leader")
    login(who=who)
    response = client.post(
        f"/fixes/{fix_id}/snooze",
        data={"version": version, "until": "2001-01-01", "snooze_reason": "Waiting"},
    )
    assert response.status_code == 400
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert (fix.snoozed_until, fix.version) == (None, version)


def test_the_snooze_form_records_the_date_and_reason(app, client, login):
    with app.app_context():
        org, fix = _overdue_fix()
        db.session.commit()
        fix_id, version, who = fix.id, fix.version, org.who("leader")
    login(who=who)
    until = utcnow().date() + timedelta(days=7)
    response = client.post(
        f"/fixes/{fix_id}/snooze",
        data={"version": version, "until": until.isoformat(), "snooze_reason": "New carrier"},
    )
    assert response.status_code == 302
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert fix.snoozed_until.date() == until
        assert [(e.kind, e.note) for e in fix.events][-1] == ("snoozed", "New carrier")


@pytest.mark.parametrize(
    ("who", "offered"),
    [("ops_lead", True), ("leader", True), ("admin", True), ("ops_owner", False)],
)
def test_the_fix_page_offers_acknowledging_to_the_recipient_and_leaders(
    app, client, login, who, offered
):
    org, fix_id, escalation_id = _escalated(app)
    with app.app_context():
        user = org.who(who)
    login(who=user)
    page = client.get(f"/fixes/{fix_id}")
    assert page.status_code == 200
    assert (f"/fixes/escalations/{escalation_id}/acknowledge" in page.text) is offered
    assert ("waiting for acknowledgement" in page.text) is not offered
