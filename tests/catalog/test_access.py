"""Who may do what in the catalog: every role × every route, on the own team's entry, another
team's entry and a missing one; a refused write changes nothing and writes no audit entry."""

from datetime import timedelta

import pytest

from forum.auth.models import TeamKind
from forum.catalog.models import Commitment
from forum.core.audit import AuditEntry
from forum.core.time import utcnow
from forum.extensions import db
from tests import factories

MISSING = 999_999
# Who is signed in: a role, and for ops whether the entry belongs to their own team.
ACTORS = ["rep", "leader", "ops_own", "ops_other", "admin"]
EDITORS = {"ops_own", "admin"}
FORM = {"title": "Changed title", "promise": "Changed promise.", "details": "", "owner_id": ""}
WRITES = [
    ("/catalog/{id}/edit", FORM),
    ("/catalog/{id}/confirm", {}),
    ("/catalog/{id}/deactivate", {}),
    ("/catalog/{id}/reactivate", {}),
]
LONG_AGO = timedelta(days=200)


@pytest.fixture
def sign_in(app, login):
    """``sign_in(actor)`` signs in and returns the id of an entry: the ops user's own team's for
    ``ops_own``, another operations team's for everyone else."""

    def _sign_in(actor: str) -> int:
        who = login("ops" if actor.startswith("ops") else actor)
        with app.app_context():
            team_id = who.team_id if actor == "ops_own" else factories.team(TeamKind.OPERATIONS).id
            entry = factories.commitment(
                team_id, title="Original title", last_confirmed_at=utcnow() - LONG_AGO
            )
            db.session.commit()
            return entry.id

    return _sign_in


def _snapshot(app, entry_id: int):
    with app.app_context():
        c = db.session.get(Commitment, entry_id)
        audits = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
        return (c.title, c.promise, c.last_confirmed_at, c.confirmed_by_id, c.active, audits)


@pytest.mark.parametrize("actor", ACTORS)
def test_every_role_may_open_the_catalog(client, sign_in, actor):
    sign_in(actor)
    assert client.get("/catalog/").status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_every_role_may_open_an_entry(client, sign_in, actor):
    entry_id = sign_in(actor)
    assert client.get(f"/catalog/{entry_id}").status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_a_missing_entry_is_not_found_for_every_role(client, sign_in, actor):
    sign_in(actor)
    assert client.get(f"/catalog/{MISSING}").status_code == 404


@pytest.mark.parametrize("actor", ACTORS)
def test_every_role_may_read_a_teams_options(app, client, sign_in, actor):
    entry_id = sign_in(actor)
    with app.app_context():
        team_id = db.session.get(Commitment, entry_id).team_id
    assert client.get(f"/catalog/options?team_id={team_id}").status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_owning_team_and_admins_may_open_the_editor(client, sign_in, actor):
    entry_id = sign_in(actor)
    expected = 200 if actor in EDITORS else 403
    assert client.get(f"/catalog/{entry_id}/edit").status_code == expected


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("url", "data"), WRITES)
def test_only_the_owning_team_and_admins_may_change_an_entry(client, sign_in, actor, url, data):
    entry_id = sign_in(actor)
    expected = 302 if actor in EDITORS else 403
    assert client.post(url.format(id=entry_id), data=data).status_code == expected


@pytest.mark.parametrize("actor", sorted(set(ACTORS) - EDITORS))
@pytest.mark.parametrize(("url", "data"), WRITES)
def test_a_refused_change_leaves_the_entry_and_the_audit_log_unchanged(
    app, client, sign_in, actor, url, data
):
    entry_id = sign_in(actor)
    before = _snapshot(app, entry_id)
    client.post(url.format(id=entry_id), data=data)
    assert _snapshot(app, entry_id) == before


@pytest.mark.parametrize("actor", sorted(EDITORS))
@pytest.mark.parametrize(("url", "data"), [("/catalog/{id}/edit", None), *WRITES])
def test_changing_a_missing_entry_is_not_found(client, sign_in, actor, url, data):
    sign_in(actor)
    target = url.format(id=MISSING)
    response = client.get(target) if data is None else client.post(target, data=data)
    assert response.status_code == 404


@pytest.mark.parametrize("actor", ACTORS)
def test_only_ops_and_admins_may_open_the_new_entry_form(client, sign_in, actor):
    sign_in(actor)
    expected = 200 if actor.startswith("ops") or actor == "admin" else 403
    assert client.get("/catalog/new").status_code == expected


def test_ops_may_open_the_new_entry_form_for_their_own_team(app, client, login):
    who = login("ops")
    assert client.get(f"/catalog/new?team_id={who.team_id}").status_code == 200


def test_ops_may_not_open_the_new_entry_form_for_another_team(app, client, login):
    login("ops")
    with app.app_context():
        other_id = factories.team(TeamKind.OPERATIONS).id
        db.session.commit()
    assert client.get(f"/catalog/new?team_id={other_id}").status_code == 403


def test_the_new_entry_form_for_a_missing_team_is_not_found(client, login):
    login("admin")
    assert client.get(f"/catalog/new?team_id={MISSING}").status_code == 404


def test_the_new_entry_form_for_a_sales_region_is_not_found(app, client, login):
    login("admin")
    with app.app_context():
        region_id = factories.team(TeamKind.SALES).id
        db.session.commit()
    assert client.get(f"/catalog/new?team_id={region_id}").status_code == 404


def test_ops_cannot_publish_an_entry_for_another_team(app, client, login):
    login("ops")
    with app.app_context():
        other_id = factories.team(TeamKind.OPERATIONS).id
        db.session.commit()
    response = client.post("/catalog/new", data={**FORM, "team_id": str(other_id)})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Commitment.id))) == 0
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


@pytest.mark.parametrize("role", ["rep", "leader"])
def test_reps_and_leaders_cannot_publish_an_entry(app, client, login, role):
    login(role)
    with app.app_context():
        team_id = factories.team(TeamKind.OPERATIONS).id
        db.session.commit()
    response = client.post("/catalog/new", data={**FORM, "team_id": str(team_id)})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Commitment.id))) == 0


@pytest.mark.parametrize(
    "url", ["/catalog/", "/catalog/1", "/catalog/new", "/catalog/options?team_id=1"]
)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
