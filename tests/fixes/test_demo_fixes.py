"""The demo's fixes: every status, believable histories whose hash chains verify, seeded once."""

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.time import utcnow
from forum.demo import seed
from forum.extensions import db
from forum.fixes.models import OPEN_STATUSES, Escalation, Fix, FixEvent, FixStatus
from tests.conftest import Who

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


PASSWORD = "demo-password-for-tests"


@pytest.fixture(scope="module")
def demo_world(module_app):
    """The demo organisation, seeded once for the module and committed."""
    with module_app.app_context():
        seed(PASSWORD)
        db.session.commit()
    return module_app


@pytest.fixture
def demo(app, demo_world):
    """The test's app on top of the demo (its writes are rolled back)."""
    return app


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_demo_has_forty_fixes_in_every_status(demo):
    with demo.app_context():
        statuses = set(db.session.scalars(sa.select(Fix.status)))
        assert statuses == {s.value for s in FixStatus}
        assert _count(Fix) == 40


def test_every_demo_history_verifies(demo):
    result = demo.test_cli_runner().invoke(args=["history", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 40 fix histories")


def test_the_demo_has_overdue_escalated_reopened_and_recurring_fixes(demo):
    with demo.app_context():
        overdue = _count(Fix, Fix.status.in_(list(OPEN_STATUSES)), Fix.due_at < utcnow())
        assert overdue >= 5
        assert _count(Escalation, Escalation.level == 1) >= 5
        assert _count(Escalation, Escalation.level == 2) >= 1
        assert _count(Escalation, Escalation.acknowledged_at.is_not(None)) >= 1
        assert _count(Fix, Fix.reopen_count > 0) >= 3
        assert _count(Fix, Fix.recurrence_count > 0) >= 1
        assert _count(FixEvent, FixEvent.kind == "snoozed") >= 1
        assert _count(FixEvent, FixEvent.kind == "due_date") >= 1


def test_demo_histories_happen_in_the_past_and_in_order(demo):
    now = utcnow()
    with demo.app_context():
        rows = db.session.execute(
            sa.select(FixEvent.fix_id, FixEvent.at).order_by(FixEvent.fix_id, FixEvent.seq)
        ).all()
    assert all(at < now for _, at in rows)
    for (fix_a, at_a), (fix_b, at_b) in zip(rows, rows[1:], strict=False):
        assert fix_a != fix_b or at_a <= at_b


def test_some_demo_fixes_are_verified_by_a_leader_for_the_reporters(demo):
    with demo.app_context():
        verified = db.session.scalars(
            sa.select(FixEvent).where(FixEvent.kind == "status", FixEvent.to_value == "verified")
        ).all()
        assert any(e.details.get("verified_for_reporters") for e in verified)
        assert any(not e.details.get("verified_for_reporters") for e in verified)


def test_seeding_the_demo_again_adds_no_fixes(demo):
    with demo.app_context():
        entries = _count(FixEvent)
        summary = seed(PASSWORD)
        db.session.commit()
        assert "not seeded again" in " ".join(summary)
        assert (_count(Fix), _count(FixEvent)) == (40, entries)


def test_demo_fix_pages_open_for_every_role(demo, client):
    with demo.app_context():
        fix_ids = db.session.scalars(sa.select(Fix.id).order_by(Fix.id)).all()
        people = [
            db.session.scalar(sa.select(User).where(User.email == email))
            for email in ("rep@example.com", "ops@example.com", "leader@example.com")
        ]
        people = [Who(u.id, u.email, u.role, u.team_id) for u in people]
    for who in people:
        client.sign_in(who)
        assert [client.get(f"/fixes/{i}").status_code for i in fix_ids] == [200] * len(fix_ids)
