"""SLA policy: due dates default from it, leaders move them only with a reason, admins edit it."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core import settings
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import creation, services, sla
from forum.fixes.models import DEFAULT_SLA, Fix, FixEvent, SlaTarget
from tests.fixes import builders

POLICY = {
    "P1_ack_hours": 2,
    "P1_resolve_days": 1,
    "P2_ack_hours": 8,
    "P2_resolve_days": 5,
    "P3_ack_hours": 48,
    "P3_resolve_days": 20,
    "P4_ack_hours": 96,
    "P4_resolve_days": 60,
    "triage_target_hours": 24,
    "verify_window_days": 14,
    "sponsor_after_hours": 36,
    "alert_min_impact": 4,
}


def test_a_new_fix_is_due_by_the_sla_target_of_its_priority(app):
    now = utcnow()
    with app.app_context():
        db.session.add(SlaTarget(priority="P2", ack_hours=10, resolve_days=5))
        org = builders.org()
        fix = builders.open_fix(org, now=now, priority="P2")
        assert fix.due_at == now + timedelta(days=5)
        assert fix.ack_due_at == now + timedelta(hours=10)


@pytest.mark.parametrize("priority", ["P1", "P2", "P3", "P4"])
def test_without_a_policy_row_the_due_date_comes_from_the_defaults(app, priority):
    now = utcnow()
    ack_hours, resolve_days = DEFAULT_SLA[priority]
    with app.app_context():
        org = builders.org()
        fix = builders.open_fix(org, now=now, priority=priority)
        assert fix.due_at == now + timedelta(days=resolve_days)
        assert fix.ack_due_at == now + timedelta(hours=ack_hours)


def test_a_non_standard_due_date_at_creation_needs_a_reason(app):
    with app.app_context():
        org = builders.org()
        with pytest.raises(DomainError, match="reason"):
            creation.create_fix(
                title="Lead times",
                problem="Late",
                owner_team_id=org.ops_team_id,
                priority="P3",
                actor=org.user("leader"),
                due_at=utcnow() + timedelta(days=3),
            )


def test_a_leader_changes_the_due_date_with_a_reason_recorded_in_the_history(app):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress")
        old, new = fix.due_at, fix.due_at + timedelta(days=14)
        event = services.set_due(
            fix, new, actor=org.user("leader"), version=fix.version, reason="Carrier starts in May"
        )
        db.session.commit()
        assert fix.due_at == new
        assert (event.kind, event.note) == ("due_date", "Carrier starts in May")
        assert (event.from_value, event.to_value) == (
            old.date().isoformat(),
            new.date().isoformat(),
        )


@pytest.mark.parametrize("reason", ["", "  ", "ok"])
def test_a_due_date_change_without_a_reason_is_refused(app, reason):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress")
        db.session.commit()
        due, version = fix.due_at, fix.version
        with pytest.raises(DomainError, match="reason"):
            services.set_due(
                fix,
                due + timedelta(days=3),
                actor=org.user("leader"),
                version=version,
                reason=reason,
            )
        db.session.rollback()
        fix = db.session.get(Fix, fix.id)
        assert (fix.due_at, fix.version) == (due, version)


@pytest.mark.parametrize("actor", ["ops_owner", "rep_reporter"])
def test_only_leaders_change_a_due_date(app, actor):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress")
        with pytest.raises(DomainError):
            services.set_due(
                fix,
                fix.due_at + timedelta(days=3),
                actor=org.user(actor),
                version=fix.version,
                reason="We would like more time",
            )


def _fix_page_setup(app, actor):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress")
        db.session.commit()
        return fix.id, fix.version, fix.due_at, org.who(actor)


def _due_entries(app, fix_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(FixEvent.note).where(FixEvent.fix_id == fix_id, FixEvent.kind == "due_date")
        ).all()


def test_the_due_date_form_records_the_new_date_and_reason(app, client, login):
    fix_id, version, due, who = _fix_page_setup(app, "leader")
    login(who=who)
    new = due.date() + timedelta(days=10)
    response = client.post(
        f"/fixes/{fix_id}/due",
        data={"version": version, "new_due_date": new.isoformat(), "due_reason": "Carrier delay"},
    )
    assert response.status_code == 302
    assert _due_entries(app, fix_id) == ["Carrier delay"]
    with app.app_context():
        assert db.session.get(Fix, fix_id).due_at.date() == new


def test_the_due_date_form_without_a_reason_answers_400_and_changes_nothing(app, client, login):
    fix_id, version, due, who = _fix_page_setup(app, "leader")
    login(who=who)
    new = due.date() + timedelta(days=10)
    response = client.post(
        f"/fixes/{fix_id}/due", data={"version": version, "new_due_date": new.isoformat()}
    )
    assert response.status_code == 400
    assert _due_entries(app, fix_id) == []
    with app.app_context():
        assert db.session.get(Fix, fix_id).due_at == due


def test_ops_cannot_use_the_due_date_form(app, client, login):
    fix_id, version, due, who = _fix_page_setup(app, "ops_owner")
    login(who=who)
    response = client.post(
        f"/fixes/{fix_id}/due",
        data={"version": version, "new_due_date": "2099-01-01", "due_reason": "More time"},
    )
    assert response.status_code == 403
    assert _due_entries(app, fix_id) == []


def test_the_admin_sla_page_shows_the_current_policy(app, client, login):
    with app.app_context():
        db.session.add(SlaTarget(priority="P1", ack_hours=3, resolve_days=2))
        db.session.commit()
    login("admin")
    page = client.get("/fixes/sla")
    assert page.status_code == 200
    assert re.search(r'name="P1_ack_hours"[^>]* value="3"', page.text)
    assert re.search(r'name="P4_resolve_days"[^>]* value="90"', page.text)


def test_an_admin_saves_a_new_sla_policy_that_new_fixes_follow(app, client, login):
    login("admin")
    response = client.post("/fixes/sla", data=POLICY)
    assert response.status_code == 302
    now = utcnow()
    with app.app_context():
        assert sla.sla_for("P2") == (8, 5)
        assert settings.get("verify_window_days") == 14
        assert settings.get("sponsor_after_hours") == 36
        assert settings.get("alert_min_impact") == 4
        org = builders.org()
        fix = builders.open_fix(org, now=now, priority="P4")
        assert fix.due_at == now + timedelta(days=60)


def test_an_sla_policy_with_a_missing_value_is_not_saved(app, client, login):
    login("admin")
    response = client.post("/fixes/sla", data={**POLICY, "P1_ack_hours": ""})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SlaTarget)) == 0


@pytest.mark.parametrize("role", ["rep", "ops", "leader"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_admins_may_open_or_change_the_sla_policy(app, client, login, role, method):
    login(role)
    response = getattr(client, method)(
        "/fixes/sla", **({"data": POLICY} if method == "post" else {})
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SlaTarget)) == 0
