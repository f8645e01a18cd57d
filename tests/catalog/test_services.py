"""Catalog services: publishing, editing, confirming and retiring entries, each audited."""

from datetime import timedelta

import pytest

from forum.auth.models import TeamKind
from forum.catalog import services
from forum.catalog.models import STALE_AFTER
from forum.core.audit import AuditEntry
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db
from tests import factories


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def test_an_entry_confirmed_89_days_ago_is_fresh(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    entry = factories.commitment(team.id, last_confirmed_at=utcnow() - timedelta(days=89))
    assert not entry.is_stale()


def test_an_entry_confirmed_91_days_ago_is_stale(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    entry = factories.commitment(team.id, last_confirmed_at=utcnow() - timedelta(days=91))
    assert entry.is_stale()


def test_stale_means_ninety_days(ctx):
    assert STALE_AFTER == timedelta(days=90)


def test_publishing_an_entry_confirms_it_and_is_audited(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    ops = factories.user("ops", team_obj=team)
    entry = services.create_commitment(
        team, title="  Lead   time ", promise="Two days.", owner_id=ops.id, actor=ops
    )
    assert (entry.title, entry.owner, entry.confirmed_by) == ("Lead time", ops, ops)
    assert utcnow() - entry.last_confirmed_at < timedelta(minutes=1)
    (audit,) = _audits("commitment.create")
    assert (audit.actor_id, audit.target_id) == (ops.id, entry.id)


def test_a_sales_region_cannot_publish_entries(ctx):
    region = factories.team(TeamKind.SALES)
    admin = factories.user("admin")
    with pytest.raises(DomainError):
        services.create_commitment(region, title="T", promise="P", actor=admin)


def test_the_owner_must_belong_to_the_entrys_team(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    outsider = factories.user("ops")
    with pytest.raises(DomainError, match="member of"):
        services.create_commitment(
            team, title="T", promise="P", owner_id=outsider.id, actor=outsider
        )


def test_confirming_updates_the_date_and_the_confirmer(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    ops = factories.user("ops", team_obj=team)
    entry = factories.commitment(team.id, last_confirmed_at=utcnow() - timedelta(days=120))
    services.confirm_commitment(entry, actor=ops)
    assert utcnow() - entry.last_confirmed_at < timedelta(minutes=1)
    assert entry.confirmed_by == ops
    assert not entry.is_stale()


def test_confirming_writes_an_audit_entry_with_the_previous_date(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    ops = factories.user("ops", team_obj=team)
    before = utcnow() - timedelta(days=120)
    entry = factories.commitment(team.id, last_confirmed_at=before)
    services.confirm_commitment(entry, actor=ops)
    (audit,) = _audits("commitment.confirm")
    assert (audit.actor_id, audit.target_type, audit.target_id) == (ops.id, "commitment", entry.id)
    assert audit.details["previous"] == before.isoformat()


def test_a_retired_entry_cannot_be_confirmed(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    entry = factories.commitment(team.id, active=False)
    with pytest.raises(DomainError):
        services.confirm_commitment(entry, actor=factories.user("admin"))


def test_updating_an_entry_records_what_changed(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    admin = factories.user("admin")
    entry = factories.commitment(team.id, title="Old", promise="Same.")
    services.update_commitment(entry, title="New", promise="Same.", actor=admin)
    (audit,) = _audits("commitment.update")
    assert audit.details == {"title": ["Old", "New"]}


def test_retiring_and_reactivating_are_audited(ctx):
    team = factories.team(TeamKind.OPERATIONS)
    admin = factories.user("admin")
    entry = factories.commitment(team.id)
    services.set_active(entry, False, actor=admin)
    assert not entry.active
    services.set_active(entry, True, actor=admin)
    assert entry.active
    assert len(_audits("commitment.deactivate")) == len(_audits("commitment.reactivate")) == 1


def test_services_flush_but_do_not_commit(app):
    with app.app_context():
        team = factories.team(TeamKind.OPERATIONS)
        admin = factories.user("admin")
        db.session.commit()
        services.create_commitment(team, title="Uncommitted", promise="P.", actor=admin)
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0
