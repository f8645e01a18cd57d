"""Bulk triage from the inbox: decline, ask, note and merge several reports with one reason,
each through the single-report service; a refused report changes nothing and is named."""

import html

import sqlalchemy as sa

from forum.extensions import db
from forum.feedback.models import Corroboration, Post, PostEvent
from forum.triage import services
from tests.fixes import builders


def _world(app, n=3):
    with app.app_context():
        org = builders.org()
        ids = [
            builders.report(
                org.user("rep_reporter"), team_id=org.ops_team_id, title=f"Report {i}"
            ).id
            for i in range(n)
        ]
        db.session.commit()
        return org, ids


def _as_leader(app, login, org):
    with app.app_context():
        who = org.who("leader")
    login(who=who)


def _statuses(app, ids):
    with app.app_context():
        return [db.session.get(Post, i).status for i in ids]


def _events(app, post_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(PostEvent).where(PostEvent.post_id == post_id).order_by(PostEvent.id)
        ).all()


def _bulk(client, **data):
    response = client.post("/triage/bulk", data=data)
    assert response.status_code == 303, response.text[:300]
    return html.unescape(client.get("/triage/").text)


def test_several_reports_are_declined_with_one_reason(app, client, login):
    org, ids = _world(app)
    _as_leader(app, login, org)
    page = _bulk(client, post=ids, action="decline", reason="Out of scope for this year")
    assert _statuses(app, ids) == ["declined"] * 3
    for post_id in ids:
        [event] = _events(app, post_id)
        assert (event.to_status, event.note) == ("declined", "Out of scope for this year")
    assert "3 reports declined" in page


def test_a_refused_report_changes_nothing_and_is_named(app, client, login):
    org, ids = _world(app)
    with app.app_context():
        services.note(db.session.get(Post, ids[1]), actor=org.user("leader"))
        db.session.commit()
    _as_leader(app, login, org)
    page = _bulk(client, post=ids, action="decline", reason="Not a promise we made")
    assert _statuses(app, ids) == ["declined", "noted", "declined"]
    assert len(_events(app, ids[1])) == 1
    assert f"Report #{ids[1]} was not changed" in page
    assert "2 reports declined" in page


def test_declining_without_a_reason_changes_nothing(app, client, login):
    org, ids = _world(app, 2)
    _as_leader(app, login, org)
    page = _bulk(client, post=ids, action="decline", reason=" ")
    assert _statuses(app, ids) == ["new", "new"]
    assert all(f"Report #{i} was not changed" in page for i in ids)


def test_several_reports_are_asked_the_same_question(app, client, login):
    org, ids = _world(app, 2)
    _as_leader(app, login, org)
    _bulk(client, post=ids, action="needs_info", reason="Which warehouse shipped it?")
    assert _statuses(app, ids) == ["needs_info"] * 2
    assert _events(app, ids[0])[-1].note == "Which warehouse shipped it?"


def test_several_reports_are_noted(app, client, login):
    org, ids = _world(app, 2)
    _as_leader(app, login, org)
    _bulk(client, post=ids, action="note", reason="")
    assert _statuses(app, ids) == ["noted"] * 2


def test_several_reports_are_merged_into_one_and_the_original_itself_is_refused(app, client, login):
    org, ids = _world(app)
    with app.app_context():
        original = builders.report(org.user("rep_corroborator"), team_id=org.ops_team_id)
        db.session.commit()
        original_id = original.id
    _as_leader(app, login, org)
    page = _bulk(client, post=ids + [original_id], action="duplicate", original_id=original_id)
    assert _statuses(app, ids) == ["duplicate"] * 3
    assert _statuses(app, [original_id]) == ["new"]
    assert f"Report #{original_id} was not changed" in page
    with app.app_context():
        assert db.session.get(Post, ids[0]).duplicate_of_id == original_id
        moved = db.session.scalar(
            sa.select(sa.func.count()).where(Corroboration.post_id == original_id)
        )
        assert moved == 1  # the same reporter, counted once as a "me too"


def test_merging_into_a_missing_report_changes_nothing(app, client, login):
    org, ids = _world(app, 2)
    _as_leader(app, login, org)
    page = _bulk(client, post=ids, action="duplicate", original_id="999999")
    assert _statuses(app, ids) == ["new", "new"]
    assert "Nothing changed" in page


def test_the_fix_action_opens_the_create_fix_form_with_the_selection(app, client, login):
    org, ids = _world(app, 2)
    _as_leader(app, login, org)
    response = client.post("/triage/bulk", data={"post": ids, "action": "fix"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/triage/fix?post={ids[0]}&post={ids[1]}")


def test_an_unknown_action_changes_nothing(app, client, login):
    org, ids = _world(app, 1)
    _as_leader(app, login, org)
    page = _bulk(client, post=ids, action="delete", reason="Gone")
    assert _statuses(app, ids) == ["new"]
    assert "Nothing changed" in page


def test_after_a_bulk_action_the_inbox_keeps_the_filters_and_sort_acted_from(app, client, login):
    org, ids = _world(app, n=2)
    _as_leader(app, login, org)
    response = client.post(
        "/triage/bulk",
        data={
            "post": ids[:1],
            "action": "note",
            "back": "kind=broken_promise&sort=oldest&page=3&unknown=1",
        },
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/triage/?")
    assert sorted(location.split("?", 1)[1].split("&")) == ["kind=broken_promise", "sort=oldest"]


def test_a_back_value_the_inbox_would_refuse_gives_the_plain_inbox(app, client, login):
    org, ids = _world(app, n=1)
    _as_leader(app, login, org)
    for back in ("team=²", "kind=nonsense", "team=1e30", "team=-1", "https://evil.example/"):
        response = client.post("/triage/bulk", data={"post": ids, "action": "note", "back": back})
        assert response.status_code == 303
        assert response.headers["Location"] == "/triage/", back
