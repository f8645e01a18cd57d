"""The audit log as CSV: what the page lists, with its filter, and no spreadsheet formulas."""

import csv
import io

import pytest

from forum.auth.models import User
from forum.core import audit
from forum.extensions import db
from tests import factories


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def admin(login):
    return login("admin", display_name="Ada Admin")


@pytest.fixture
def entries(app, admin):
    """A deactivation by the admin, a reveal with a formula for a reason, a system entry."""
    with app.app_context():
        actor = db.session.get(User, admin.id)
        leader = factories.user("leader", display_name="Lee Leader")
        post = factories.post(shielded=True)
        audit.record("user.deactivate", actor=actor, target=leader)
        audit.record(
            "post.reveal", actor=leader, target=post, reason='=HYPERLINK("http://x","y")', ip="@1"
        )
        audit.record("sla.update", details_note="+1 day")
        db.session.commit()
        return {"leader": leader.id, "post": post.id}


def test_the_audit_log_downloads_as_a_csv_file(client, entries):
    response = client.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert [r["action"] for r in rows(response)] == ["user.deactivate", "post.reveal", "sla.update"]


def test_each_row_names_who_acted_on_what(client, admin, entries):
    first, reveal, system = rows(client.get("/admin/audit.csv"))
    assert (first["actor_id"], first["actor"]) == (str(admin.id), "Ada Admin")
    assert (first["target_type"], first["target_id"]) == ("user", str(entries["leader"]))
    assert reveal["actor"] == "Lee Leader"
    assert (system["actor_id"], system["actor"]) == ("", "system")
    assert '"details_note": "+1 day"' in system["details"]


def test_the_csv_honours_the_action_filter_of_the_page(client, entries):
    found = rows(client.get("/admin/audit.csv?action=post.reveal"))
    assert [(r["action"], r["target_id"]) for r in found] == [("post.reveal", str(entries["post"]))]


def test_formula_cells_are_neutralised(client, entries):
    [reveal] = rows(client.get("/admin/audit.csv?action=post.reveal"))
    assert reveal["reason"] == '\'=HYPERLINK("http://x","y")'
    assert reveal["ip"] == "'@1"


def test_the_audit_page_links_to_the_csv_of_its_filter(client, entries):
    body = client.get("/admin/audit?action=post.reveal").get_data(as_text=True)
    assert 'href="/admin/audit.csv?action=post.reveal"' in body


@pytest.mark.parametrize("role", ["rep", "ops", "leader"])
def test_only_admins_download_the_audit_log(client, login, role):
    login(role)
    assert client.get("/admin/audit.csv").status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/audit.csv")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
