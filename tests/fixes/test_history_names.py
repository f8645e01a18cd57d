"""The history names people by id only: what is hashed never holds a name, so renaming or
erasing someone leaves every chain intact, and pages and exports show the name they have now."""

import csv
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import escalations, history, services
from forum.fixes.models import EventKind, Fix, FixEvent
from tests.fixes import builders

START = utcnow() - timedelta(days=40)
OVERDUE = START + timedelta(days=11)  # a P2 fix is due after 10 days
RANGE = (
    f"from={(START - timedelta(days=1)).date().isoformat()}"
    f"&to={(utcnow() + timedelta(days=1)).date().isoformat()}"
)


def _hashed_text(entry: FixEvent) -> str:
    return json.dumps([entry.from_value, entry.to_value, entry.note, entry.details])


def _rename(user: User, name: str) -> None:
    user.display_name = name
    db.session.flush()


@pytest.fixture
def assigned_and_escalated(app):
    """An overdue fix assigned to ops_mate and escalated to ops_lead, who are then renamed."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress", start=START, priority="P2")
        mate, lead = org.user("ops_mate"), org.user("ops_lead")
        _rename(mate, "Mia Mate")
        _rename(lead, "Leo Lead")
        services.assign(fix, mate.id, actor=org.user("ops_owner"), version=fix.version)
        escalations.escalate_overdue(now=OVERDUE)
        entries = {
            e.kind: e
            for e in db.session.scalars(sa.select(FixEvent).where(FixEvent.fix_id == fix.id))
        }
        sealed = [_hashed_text(entries[EventKind.ASSIGNED]), _hashed_text(entries["escalated"])]
        _rename(mate, "Mia Renamed")
        _rename(lead, "Leo Renamed")
        db.session.commit()
        return fix.id, org, sealed


def test_an_assignment_entry_keeps_the_ids_of_the_people_and_not_their_names(
    assigned_and_escalated,
):
    _, org, (assigned, _) = assigned_and_escalated
    assert "Mia" not in assigned
    assert f'"to_id": {org.users["ops_mate"]}' in assigned


def test_an_escalation_entry_keeps_the_id_of_whom_it_went_to_and_not_their_name(
    assigned_and_escalated,
):
    _, org, (_, escalated) = assigned_and_escalated
    assert "Leo" not in escalated
    assert f'"to_user_id": {org.users["ops_lead"]}' in escalated


def test_the_fix_page_names_people_as_they_are_called_now(client, login, assigned_and_escalated):
    fix_id, _, _ = assigned_and_escalated
    login("leader")
    page = client.get(f"/fixes/{fix_id}").get_data(as_text=True)
    assert "assigned it to Mia Renamed" in page
    assert "escalated it to Leo Renamed" in page
    assert "Mia Mate" not in page and "Leo Lead" not in page


def test_the_history_export_names_people_as_they_are_called_now(
    client, login, assigned_and_escalated
):
    fix_id, _, _ = assigned_and_escalated
    login("leader")
    body = client.get(f"/board/export/history.csv?{RANGE}").get_data(as_text=True)
    rows = {r["kind"]: r for r in csv.DictReader(io.StringIO(body)) if r["fix_id"] == str(fix_id)}
    assert (rows["assigned"]["from"], rows["assigned"]["to"]) == ("", "Mia Renamed")
    assert rows["escalated"]["note"] == "Overdue by 1 day"
    assert "Mia Mate" not in body and "Leo" not in body


@pytest.fixture
def older_entries(app):
    """Entries as the app wrote them before names left the chain: the name inside the text."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress", start=START)
        mate, lead = org.user("ops_mate"), org.user("ops_lead")
        for kind, fields in [
            (
                EventKind.ASSIGNED,
                dict(to_value="Old Mate Name", details={"from_id": None, "to_id": mate.id}),
            ),
            (
                EventKind.ESCALATED,
                dict(
                    from_value="0",
                    to_value="1",
                    note="Overdue by 3 days: escalated to Old Lead Name (team lead).",
                    details={"escalation_id": 1, "to_user_id": lead.id, "level": 1},
                ),
            ),
        ]:
            services.claim(fix, fix.version, utcnow())
            history.append(fix, kind, **fields)
        db.session.commit()
        return fix.id


def test_an_older_entry_that_sealed_a_name_is_shown_with_the_name_of_now(
    app, client, login, older_entries
):
    login("leader")
    page = client.get(f"/fixes/{older_entries}").get_data(as_text=True)
    assert "Old Mate Name" not in page and "Old Lead Name" not in page
    assert "Overdue by 3 days" in page
    body = client.get(f"/board/export/history.csv?{RANGE}").get_data(as_text=True)
    assert "Old Mate Name" not in body and "Old Lead Name" not in body
    with app.app_context():
        assert history.verify_fix(older_entries).intact


def test_a_stale_form_lists_the_changes_without_the_names_they_sealed(app, older_entries):
    with app.app_context():
        fix = db.session.get(Fix, older_entries)
        message = services.stale(fix, fix.version - 2).message
        assert "assigned" in message and "escalated" in message
        assert "Old Mate Name" not in message
