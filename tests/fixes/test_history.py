"""The history is append-only and tamper-evident: `flask history verify`, the fix page, the ORM."""

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.fixes.history import HistoryIsAppendOnly, verify_fix
from forum.fixes.models import FixEvent
from tests.fixes import builders


def _resolved_fix(app):
    """A fix with five entries: created, acknowledged, in progress, resolved, verified."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "verified")
        db.session.commit()
        return org, fix.id


def _entry(app, fix_id, seq):
    with app.app_context():
        return db.session.scalar(
            sa.select(FixEvent.id).where(FixEvent.fix_id == fix_id, FixEvent.seq == seq)
        )


def _sql(app, statement, **params):
    with app.app_context():
        db.session.execute(sa.text(statement), params)
        db.session.commit()


def _verify(app):
    return app.test_cli_runner().invoke(args=["history", "verify"])


def test_history_verify_passes_on_untouched_histories(app):
    _resolved_fix(app)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "OK: 1 fix histories, 5 entries" in result.output


@pytest.mark.parametrize(
    ("column", "value"), [("note", "Nothing to see here"), ("to_value", "wont_fix")]
)
def test_an_entry_edited_in_the_database_fails_history_verify_naming_it(app, column, value):
    _, fix_id = _resolved_fix(app)
    entry_id = _entry(app, fix_id, 3)
    _sql(app, f"UPDATE fix_events SET {column} = :value WHERE id = :id", value=value, id=entry_id)
    result = _verify(app)
    assert result.exit_code != 0
    assert f"fix #{fix_id}, history entry #3 (id {entry_id})" in result.output


def test_an_entry_deleted_from_the_middle_fails_history_verify(app):
    _, fix_id = _resolved_fix(app)
    _sql(app, "DELETE FROM fix_events WHERE id = :id", id=_entry(app, fix_id, 3))
    result = _verify(app)
    assert result.exit_code != 0
    assert f"fix #{fix_id}, history entry #4" in result.output
    assert "entry 3 is missing" in result.output


def test_the_latest_entry_deleted_fails_history_verify(app):
    _, fix_id = _resolved_fix(app)
    _sql(app, "DELETE FROM fix_events WHERE id = :id", id=_entry(app, fix_id, 5))
    result = _verify(app)
    assert result.exit_code != 0
    assert f"fix #{fix_id}" in result.output


def test_an_entry_whose_hash_was_recomputed_breaks_the_link_to_the_next(app):
    from forum.fixes.history import entry_hash

    _, fix_id = _resolved_fix(app)
    with app.app_context():
        entry = db.session.get(FixEvent, _entry(app, fix_id, 2))
        entry.note = "rewritten"
        forged = entry_hash(entry)
        db.session.rollback()
    _sql(
        app,
        "UPDATE fix_events SET note = 'rewritten', hash = :hash WHERE fix_id = :fix AND seq = 2",
        hash=forged,
        fix=fix_id,
    )
    with app.app_context():
        report = verify_fix(fix_id)
    assert (report.broken_at.seq, report.problem) == (3, "does not link to the previous entry")


def test_the_fix_page_shows_a_tampered_history(app, client, login):
    org, fix_id = _resolved_fix(app)
    _sql(app, "UPDATE fix_events SET note = 'edited' WHERE fix_id = :fix AND seq = 2", fix=fix_id)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    page = client.get(f"/fixes/{fix_id}")
    assert page.status_code == 200
    assert "Tampered" in page.text
    assert "entry #2" in page.text


def test_the_fix_page_shows_an_intact_history(app, client, login):
    org, fix_id = _resolved_fix(app)
    with app.app_context():
        who = org.who("ops_owner")
    login(who=who)
    page = client.get(f"/fixes/{fix_id}")
    assert "Intact" in page.text
    assert "Tampered" not in page.text


def test_the_orm_refuses_to_change_an_entry(app):
    _, fix_id = _resolved_fix(app)
    with app.app_context():
        entry = db.session.get(FixEvent, _entry(app, fix_id, 2))
        entry.note = "changed"
        with pytest.raises(HistoryIsAppendOnly):
            db.session.flush()
        db.session.rollback()


def test_the_orm_refuses_to_delete_an_entry(app):
    _, fix_id = _resolved_fix(app)
    with app.app_context():
        db.session.delete(db.session.get(FixEvent, _entry(app, fix_id, 2)))
        with pytest.raises(HistoryIsAppendOnly):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(FixEvent).values(note="changed"),
        sa.delete(FixEvent).where(FixEvent.seq == 2),
    ],
    ids=["update", "delete"],
)
def test_the_orm_refuses_bulk_statements_on_entries(app, statement):
    _, fix_id = _resolved_fix(app)
    with app.app_context():
        with pytest.raises(HistoryIsAppendOnly):
            db.session.execute(statement)
        db.session.rollback()
        assert verify_fix(fix_id).intact


def test_no_route_edits_or_deletes_a_history_entry(app):
    writes = {
        (rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert not [w for w in writes if "event" in w[0] + w[1] or "history" in w[0] + w[1]]
    # The JSON API edits a report and takes back a "me too" or a follow (PUT, DELETE); nothing
    # replaces or deletes anything of a fix.
    replacing = [
        rule.rule for rule in app.url_map.iter_rules() if rule.methods & {"PUT", "PATCH", "DELETE"}
    ]
    assert not [r for r in replacing if "fixes" in r or "history" in r or "event" in r]
    fix_writes = {endpoint for path, endpoint in writes if path.startswith("/fixes")}
    assert fix_writes == {
        "fixes.change_status",
        "fixes.assign",
        "fixes.priority",
        "fixes.due",
        "fixes.snooze",
        "fixes.comment",
        "fixes.acknowledge_escalation",
        "fixes.bulk_acknowledge",
        "fixes.sla",
    }


def test_a_fix_whose_whole_history_was_deleted_fails_history_verify(app):
    _, fix_id = _resolved_fix(app)
    _sql(app, "DELETE FROM fix_events WHERE fix_id = :fix", fix=fix_id)
    result = _verify(app)
    assert result.exit_code != 0
    assert f"fix #{fix_id}: every entry is missing" in result.output
