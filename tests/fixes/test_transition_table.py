"""The whole transition table: every (from, to) pair × every role and relation, through the service.

Expected outcomes come from the hand-written copy of PRODUCT.md (product_table.py). The fixes are
built once for the module; each case runs in a transaction that is rolled back afterwards.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import services, workflow
from forum.fixes.history import verify_fix
from forum.fixes.models import Fix, FixEvent
from tests.fixes import builders
from tests.fixes.product_table import RELATIONS, STATUSES, TABLE, expected

START = utcnow() - timedelta(days=30)
# The resolved fix was resolved three hours after START; the reporters' window is 7 days.
WHEN = {False: START + timedelta(days=1), True: START + timedelta(days=10)}


def _cases():
    allowed, refused = [], []
    for frm in STATUSES:
        for to in STATUSES:
            for actor in RELATIONS:
                for window_over in (False, True) if frm == "resolved" else (False,):
                    outcome = expected(frm, to, actor, window_over)
                    label = f"{frm}->{to}-by-{actor}" + ("-after-window" if window_over else "")
                    case = pytest.param(frm, to, actor, window_over, id=label)
                    (allowed if outcome == "allowed" else refused).append(case)
    return allowed, refused


ALLOWED, REFUSED = _cases()


@pytest.fixture(scope="module")
def world(module_app):
    """One fix in every status, committed once for the module."""
    app = module_app
    with app.app_context():
        org = builders.org()
        fixes = {s: builders.fix_in(org, s, start=START).id for s in STATUSES}
        db.session.commit()
    return app, org, fixes


def _entries(fix_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(FixEvent.fix_id == fix_id))


def test_the_code_table_is_the_product_table():
    names = {
        workflow.Party.OWNER_TEAM: "owner team",
        workflow.Party.LEADER: "leader",
        workflow.Party.REPORTER: "reporter",
    }
    needs = {workflow.Need.REASON: "reason", workflow.Need.RESOLUTION: "resolution"}
    code = {
        (str(frm), str(to)): ({names[p] for p in rule.who}, "".join(needs[n] for n in rule.needs))
        for (frm, to), rule in workflow.TRANSITIONS.items()
    }
    assert code == TABLE


def test_the_matrix_covers_every_pair_role_and_relation():
    assert len(ALLOWED) + len(REFUSED) == 8 * 8 * len(RELATIONS) + 8 * len(RELATIONS)
    assert {"rep", "ops", "leader", "admin"} == {key.split("_")[0] for key in RELATIONS}


@pytest.mark.parametrize(("frm", "to", "actor", "window_over"), ALLOWED)
def test_an_allowed_move_writes_one_entry_and_the_new_status(world, frm, to, actor, window_over):
    app, org, fixes = world
    with app.app_context():
        try:
            fix = db.session.get(Fix, fixes[frm])
            version, entries = fix.version, _entries(fix.id)
            event = services.transition(
                fix,
                to,
                actor=org.user(actor),
                version=version,
                now=WHEN[window_over],
                **builders.required(org),
            )
            db.session.expire_all()
            fix = db.session.get(Fix, fixes[frm])
            assert (fix.status, fix.version) == (to, version + 1)
            assert _entries(fix.id) == entries + 1
            assert (event.kind, event.from_value, event.to_value) == ("status", frm, to)
            assert event.actor_id == org.users[actor]
            if to == "verified":
                on_behalf = "reporter" not in RELATIONS[actor]
                assert event.details.get("verified_for_reporters", False) is on_behalf
            assert verify_fix(fix.id).intact
        finally:
            db.session.rollback()


@pytest.mark.parametrize(("frm", "to", "actor", "window_over"), REFUSED)
def test_a_refused_move_raises_and_changes_nothing(world, frm, to, actor, window_over):
    app, org, fixes = world
    status = expected(frm, to, actor, window_over)
    error = services.TransitionDenied if status == 403 else services.InvalidTransition
    with app.app_context():
        try:
            fix = db.session.get(Fix, fixes[frm])
            version, entries = fix.version, _entries(fix.id)
            with pytest.raises(error) as raised:
                services.transition(
                    fix,
                    to,
                    actor=org.user(actor),
                    version=version,
                    now=WHEN[window_over],
                    **builders.required(org),
                )
            assert raised.value.status == status
            db.session.expire_all()
            fix = db.session.get(Fix, fixes[frm])
            assert (fix.status, fix.version) == (frm, version)
            assert _entries(fix.id) == entries
        finally:
            db.session.rollback()
