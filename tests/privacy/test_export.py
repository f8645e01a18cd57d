"""Exporting everything the app holds about one person: their data, no one else's, no secrets."""

import json

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.audit import AuditEntry
from forum.extensions import db
from tests.privacy.conftest import (
    FILE_NAME,
    OLGA_EMAIL,
    OLGAS,
    OLGAS_ME_TOO,
    OLGAS_WORDS,
    OSCARS_FIX_COMMENT,
    OSCARS_NOTE,
    PUBLIC,
    RITA,
    RITA_EMAIL,
    RITAS_COMMENT,
    RITAS_FIX_COMMENT,
    RITAS_ME_TOO,
    SHIELDED,
)


def export(client, user_id: int):
    return client.post(f"/admin/users/{user_id}/export")


@pytest.fixture
def admin(login):
    return login("admin")


@pytest.fixture
def ritas(client, admin, world) -> tuple[str, dict]:
    response = export(client, world.ids["rita"])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return text, json.loads(text)


def test_the_export_is_a_json_download(client, admin, world):
    response = export(client, world.ids["rita"])
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="person-{world.ids["rita"]}-')


def test_the_export_is_written_to_the_audit_log(app, client, admin, world):
    export(client, world.ids["rita"]).get_data()
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.export"))
        assert (entry.actor_id, entry.target_type, entry.target_id) == (
            admin.id,
            "user",
            world.ids["rita"],
        )


def test_the_profile_says_a_password_is_set_without_giving_its_hash(app, ritas, world):
    text, doc = ritas
    person = doc["person"]
    assert (person["email"], person["display_name"], person["role"]) == (RITA_EMAIL, RITA, "rep")
    assert person["team"]["name"] == "Nordics"
    assert (person["password"], person["active"], person["erased"]) == ("set", True, False)
    with app.app_context():
        password_hash = db.session.get(User, world.ids["rita"]).password_hash
    assert password_hash.split("$")[-1] not in text
    assert "password_hash" not in text


def test_the_export_holds_their_reports_shielded_ones_included(ritas):
    _, doc = ritas
    assert {(p["title"], p["shielded"]) for p in doc["posts"]} == {
        (PUBLIC, False),
        (SHIELDED, True),
    }
    assert [p["status"] for p in doc["posts"] if p["title"] == PUBLIC] == ["linked"]


def test_the_export_holds_what_they_wrote_and_did(ritas, world):
    _, doc = ritas
    assert [c["body"] for c in doc["comments"]] == [RITAS_COMMENT]
    assert doc["internal_notes"] == []
    assert [(c["post_id"], c["note"]) for c in doc["corroborations"]] == [
        (world.ids["olgas"], RITAS_ME_TOO)
    ]
    assert {f["post_id"] for f in doc["follows"]} == {
        world.ids["public"],
        world.ids["shielded"],
        world.ids["olgas"],
    }
    assert [c["body"] for c in doc["fix_comments"]] == [RITAS_FIX_COMMENT]
    assert [p["event"] for p in doc["notification_preferences"]] == ["mention"]
    [evidence] = doc["attachments"]
    assert (evidence["file_name"], evidence["content_type"]) == (FILE_NAME, "image/png")


def test_the_export_holds_what_the_app_told_them(ritas, world):
    _, doc = ritas
    assert any(f"Fix #{world.ids['fix']}" in n["title"] for n in doc["notifications"])
    [mail] = doc["mails"]
    assert (mail["to"], mail["event"], mail["status"]) == (RITA_EMAIL, "password_reset", "pending")
    assert mail["subject"] == "Reset your Voice of Sales password"


def test_links_and_tokens_are_left_out(ritas):
    text, doc = ritas
    [mail] = doc["mails"]
    assert "[link removed]" in mail["text"]
    assert "http" not in mail["text"] and "/reset/" not in text
    [token] = doc["tokens"]
    assert set(token) == {"purpose", "created_at", "expires_at", "used_at"}
    assert token["purpose"] == "reset"


def test_the_audit_entries_about_them_are_included(ritas):
    _, doc = ritas
    actions = [e["action"] for e in doc["audit_about_them"]]
    assert actions == ["user.create", "user.export"]
    assert doc["audit_about_them"][0]["details"]["email"] == RITA_EMAIL


def test_the_export_holds_nothing_of_anyone_else(ritas):
    """Only what the app told her quotes others (a comment on her fix was excerpted in a
    notification to her): that is hers to see. Nothing else of theirs is in it."""
    _, doc = ritas
    told = {"notifications", "mails"}
    rest = json.dumps({k: v for k, v in doc.items() if k not in told}, ensure_ascii=False)
    for theirs in (OLGAS, OLGAS_WORDS, OLGAS_ME_TOO, OLGA_EMAIL, OSCARS_NOTE, OSCARS_FIX_COMMENT):
        assert theirs not in rest
    quoted = json.dumps([doc[k] for k in told], ensure_ascii=False)
    for theirs in (OLGAS, OLGAS_WORDS, OLGA_EMAIL, OSCARS_NOTE):
        assert theirs not in quoted


def test_an_ops_persons_export_holds_their_notes_fixes_history_and_escalations(
    client, admin, world
):
    doc = json.loads(export(client, world.ids["oscar"]).get_data(as_text=True))
    assert [n["body"] for n in doc["internal_notes"]] == [OSCARS_NOTE]
    assert [(f["id"], f["assigned_to_them"]) for f in doc["fixes"]] == [(world.ids["fix"], True)]
    assert [(e["kind"], e["to"]) for e in doc["fix_history"]] == [("status", "acknowledged")]
    [escalation] = doc["escalations"]
    assert (escalation["sent_to_them"], escalation["level"]) == (True, 1)
    assert doc["person"]["teams_led"] == [{"id": world.ids["shipping"], "name": "Shipping"}]
    assert doc["posts"] == [] and doc["tokens"] == []


def test_a_leaders_history_entries_name_nobody_they_assigned(client, admin, world):
    doc = json.loads(export(client, world.ids["lena"]).get_data(as_text=True))
    assigned = [e for e in doc["fix_history"] if e["kind"] == "assigned"]
    assert [(e["to"], e["details"]["to_id"]) for e in assigned] == [("", world.ids["oscar"])]
    assert "Oscar" not in json.dumps(doc["fix_history"])


def test_an_unknown_person_is_not_found(client, admin):
    assert export(client, 999_999).status_code == 404


@pytest.mark.parametrize("role", ["rep", "ops", "leader"])
def test_only_admins_export_a_person(app, client, login, world, role):
    login(role)
    assert export(client, world.ids["rita"]).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 1  # user.create


def test_a_signed_out_visitor_is_sent_to_sign_in(client, world):
    client.refresh_csrf("/login")
    response = export(client, world.ids["rita"])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_export_holds_their_remembered_filters_and_named_views(app, client, admin, world):
    theirs = app.test_client()
    theirs.sign_in(world.people["rita"])
    theirs.get("/posts/?kind=broken_promise")
    theirs.post("/lists/feed/views", data={"name": "Wins", "query": "kind=win_loss"})
    doc = json.loads(export(client, world.ids["rita"]).get_data(as_text=True))
    assert doc["person"]["list_filters"] == {
        "last": {"feed": "kind=broken_promise"},
        "views": {"feed": [{"name": "Wins", "query": "kind=win_loss"}]},
    }
