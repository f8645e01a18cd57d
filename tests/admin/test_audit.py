"""Every admin action leaves an audit entry, and the audit log page shows it."""

import pytest
import sqlalchemy as sa

from forum.core.audit import AuditEntry
from forum.extensions import db


@pytest.fixture
def admin(login):
    return login("admin")


def invite(client, make_user):
    client.post(
        "/admin/users/invite",
        data={"email": "lena@example.com", "display_name": "Lena", "role": "leader"},
    )


def update(client, make_user):
    who = make_user("leader")
    client.post(f"/admin/users/{who.id}", data={"display_name": "Lena", "role": "admin"})


def deactivate(client, make_user):
    who = make_user("leader")
    client.post(f"/admin/users/{who.id}/active", data={"active": "0"})


def reactivate(client, make_user):
    who = make_user("leader", active=False)
    client.post(f"/admin/users/{who.id}/active", data={"active": "1"})


def reinvite(client, make_user):
    who = make_user("leader", password=None, active=False)
    client.post(f"/admin/users/{who.id}/reinvite")


def save_team(client, make_user):
    client.post("/admin/teams/new", data={"name": "Billing", "kind": "operations"})


ACTIONS = [
    (invite, "user.create"),
    (update, "user.update"),
    (deactivate, "user.deactivate"),
    (reactivate, "user.activate"),
    (reinvite, "user.reinvite"),
    (save_team, "team.save"),
]
IDS = [action for _, action in ACTIONS]


def entries(app) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize(("perform", "action"), ACTIONS, ids=IDS)
def test_admin_action_writes_one_audit_entry_naming_the_admin(
    app, client, admin, make_user, perform, action
):
    perform(client, make_user)
    [entry] = entries(app)
    assert (entry.action, entry.actor_id) == (action, admin.id)


@pytest.mark.parametrize(("perform", "action"), ACTIONS, ids=IDS)
def test_admin_action_is_visible_in_the_audit_log(app, client, admin, make_user, perform, action):
    perform(client, make_user)
    body = client.get("/admin/audit").get_data(as_text=True)
    assert f"<code>{action}</code>" in body
    assert "1 entry, newest first" in body


def test_audit_entry_names_its_target(app, client, admin, make_user):
    deactivate(client, make_user)
    [entry] = entries(app)
    assert entry.target_type == "user"
    assert f"user #{entry.target_id}" in client.get("/admin/audit").get_data(as_text=True)


def test_role_change_records_the_old_and_new_role(app, client, admin, make_user):
    update(client, make_user)
    [entry] = entries(app)
    assert entry.details["role"] == ["leader", "admin"]


def test_refused_admin_action_writes_no_audit_entry(app, client, admin):
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert entries(app) == []


def test_audit_log_filters_by_action(client, admin, make_user):
    deactivate(client, make_user)
    save_team(client, make_user)
    body = client.get("/admin/audit?action=team.save").get_data(as_text=True)
    assert "<code>team.save</code>" in body
    assert "<code>user.deactivate</code>" not in body


def test_audit_log_shows_who_acted(client, login, make_user):
    login("admin", display_name="Ada Admin")
    deactivate(client, make_user)
    assert "Ada Admin" in client.get("/admin/audit").get_data(as_text=True)
