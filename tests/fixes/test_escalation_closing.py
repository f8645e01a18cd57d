"""An escalation asks its recipient to see that an overdue fix moves: once the fix is no longer
open (resolved, verified, won't fix) it is closed with it, the move's history entry names it,
and the escalations page lists only waiting ones unless asked for all. Migration 0007 closes
those of fixes closed before it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from forum.extensions import db
from forum.fixes import escalations
from forum.fixes.models import Escalation, Fix, FixEvent
from tests.fixes import builders


@pytest.fixture
def escalated(app):
    """An overdue fix in progress, escalated to its team's lead."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress")
        [escalation] = escalations.escalate_overdue(now=fix.due_at + timedelta(days=2))
        db.session.commit()
        return org, fix.id, escalation.id


@pytest.mark.parametrize(
    ("moves", "closed"),
    [
        ([("resolved", "ops_owner")], True),
        ([("resolved", "ops_owner"), ("verified", "rep_reporter")], True),
        ([("blocked", "ops_owner")], False),
        ([("wont_fix", "leader")], True),
    ],
)
def test_an_escalation_closes_when_its_fix_leaves_the_open_statuses(app, escalated, moves, closed):
    org, fix_id, escalation_id = escalated
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        for to, who in moves:
            builders.services.transition(
                fix, to, actor=org.user(who), version=fix.version, **builders.required(org)
            )
        db.session.commit()
        escalation = db.session.get(Escalation, escalation_id)
        assert (escalation.closed_at is not None) == closed
        assert escalation.acknowledged_at is None
        entries = db.session.scalars(
            sa.select(FixEvent).where(FixEvent.fix_id == fix_id).order_by(FixEvent.seq)
        ).all()
        named = [e for e in entries if e.details.get("escalations_closed")]
        assert [e.details["escalations_closed"] for e in named] == (
            [[escalation_id]] if closed else []
        )


def test_the_escalations_page_lists_waiting_ones_and_all_on_request(app, client, login, escalated):
    org, fix_id, escalation_id = escalated
    with app.app_context():
        leader = org.who("leader")
    login(who=leader)
    assert f"#{fix_id} " in client.get("/fixes/escalations").text
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        builders.services.transition(
            fix,
            "resolved",
            actor=org.user("ops_owner"),
            version=fix.version,
            **builders.required(org),
        )
        db.session.commit()
    waiting = client.get("/fixes/escalations").text
    assert f"#{fix_id} " not in waiting and "No escalations are waiting." in waiting
    every = client.get("/fixes/escalations?show=all").text
    assert f"#{fix_id} " in every and "Closed with the fix (resolved)" in every
    assert client.get("/fixes/escalations?show=%C2%B2").status_code == 400


@pytest.fixture
def migration_app(make_app, fresh_database_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=fresh_database_url)
    yield app
    with app.app_context():
        upgrade()
        db.engine.dispose()


def test_migration_0007_closes_the_waiting_escalations_of_fixes_already_closed(migration_app):
    with migration_app.app_context():
        upgrade()
        org = builders.org()
        open_fix = builders.fix_in(org, "in_progress", title="Still open")
        done_fix = builders.fix_in(org, "verified", title="Done")
        for f in (open_fix, done_fix):
            db.session.add(Escalation(fix_id=f.id, level=1, to_user_id=org.users["ops_lead"]))
        db.session.commit()
        open_id, done_id, closed_at = open_fix.id, done_fix.id, done_fix.closed_at
        # Reading them began a transaction: end it, or PostgreSQL makes the downgrade (which
        # alters the fixes table since 0010_money) wait for it forever.
        db.session.close()
        downgrade(revision="0006_search")
        upgrade(revision="0007_escalations")
        rows = dict(db.session.execute(sa.select(Escalation.fix_id, Escalation.closed_at)).all())
        assert rows[open_id] is None
        assert rows[done_id] == closed_at
        db.session.execute(sa.delete(Escalation))
        db.session.commit()
