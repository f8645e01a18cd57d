"""Moves that need a reason or a resolution refuse to happen without them (400, nothing written)."""

import pytest
import sqlalchemy as sa

from forum.core.errors import DomainError
from forum.extensions import db
from forum.fixes import services
from forum.fixes.models import Fix, FixEvent
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm
from tests.fixes import builders

# (from, to, who moves it, the field left out)
MISSING = [
    ("in_progress", "blocked", "ops_owner", "note"),
    ("resolved", "reopened", "rep_reporter", "note"),
    ("verified", "reopened", "leader", "note"),
    ("wont_fix", "reopened", "leader", "note"),
    ("open", "wont_fix", "leader", "note"),
    ("blocked", "wont_fix", "admin", "note"),
    ("in_progress", "resolved", "ops_owner", "resolution_note"),
    ("in_progress", "resolved", "ops_owner", "root_cause_id"),
    ("in_progress", "resolved", "ops_owner", "prevention"),
]
IDS = [f"{frm}->{to}-without-{field}" for frm, to, _, field in MISSING]


def _setup(app, status):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, status)
        db.session.commit()
        return org, fix.id


def _state(fix_id):
    fix = db.session.get(Fix, fix_id)
    entries = db.session.scalar(sa.select(sa.func.count()).where(FixEvent.fix_id == fix_id))
    return fix.status, fix.version, entries, fix.status_reason, fix.resolution_note


def _fields(org, missing, blank=""):
    fields = builders.required(org)
    fields[missing] = None if missing == "root_cause_id" else blank
    return fields


@pytest.mark.parametrize(("frm", "to", "actor", "missing"), MISSING, ids=IDS)
def test_a_move_without_its_required_field_is_refused_by_the_service(app, frm, to, actor, missing):
    org, fix_id = _setup(app, frm)
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        before = _state(fix_id)
        with pytest.raises(DomainError) as raised:
            services.transition(
                fix,
                to,
                actor=org.user(actor),
                version=fix.version,
                **_fields(org, missing, blank="  \n "),
            )
        assert raised.value.status == 400
        db.session.rollback()
        assert _state(fix_id) == before


@pytest.mark.parametrize(("frm", "to", "actor", "missing"), MISSING, ids=IDS)
def test_a_move_without_its_required_field_answers_400_on_the_page(
    app, client, login, frm, to, actor, missing
):
    org, fix_id = _setup(app, frm)
    with app.app_context():
        who = org.who(actor)
        before = _state(fix_id)
        fields = {k: ("" if v is None else v) for k, v in _fields(org, missing).items()}
    login(who=who)
    response = client.post(
        f"/fixes/{fix_id}/status", data={"to": to, "version": before[1], **fields}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    with app.app_context():
        assert _state(fix_id) == before


def test_a_root_cause_from_another_taxonomy_is_refused(app):
    org, fix_id = _setup(app, "in_progress")
    with app.app_context():
        competitor = TaxonomyTerm(kind=TaxonomyKind.COMPETITOR, name="Rival", name_key="rival")
        db.session.add(competitor)
        db.session.commit()
        fix = db.session.get(Fix, fix_id)
        before = _state(fix_id)
        fields = {**builders.required(org), "root_cause_id": competitor.id}
        with pytest.raises(DomainError, match="root-cause"):
            services.transition(
                fix, "resolved", actor=org.user("ops_owner"), version=fix.version, **fields
            )
        db.session.rollback()
        assert _state(fix_id) == before
