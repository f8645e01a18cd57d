"""Only admins curate taxonomies: every role × every route, on a term that exists and one that
does not; refused writes change nothing."""

import pytest

from forum.core.audit import AuditEntry
from forum.extensions import db
from forum.taxonomy.models import TaxonomyTerm
from tests import factories

MISSING = 999_999
ROLES = ["rep", "ops", "leader", "admin"]
WRITES = [
    ("/admin/taxonomy/{id}", {"name": "Renamed"}),
    ("/admin/taxonomy/{id}/deactivate", {}),
    ("/admin/taxonomy/{id}/reactivate", {}),
]


@pytest.fixture
def term_id(app):
    with app.app_context():
        term = factories.term("competitor", name="Globex Suite")
        db.session.commit()
        return term.id


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/admin/taxonomy/", "/admin/taxonomy/new"])
def test_only_admins_may_open_the_taxonomy_pages(client, login, role, url):
    login(role)
    assert client.get(url).status_code == (200 if role == "admin" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_may_open_a_term(client, login, term_id, role):
    login(role)
    expected = 200 if role == "admin" else 403
    assert client.get(f"/admin/taxonomy/{term_id}").status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "data"), WRITES)
def test_only_admins_may_change_a_term(client, login, term_id, role, url, data):
    login(role)
    expected = 302 if role == "admin" else 403
    assert client.post(url.format(id=term_id), data=data).status_code == expected


@pytest.mark.parametrize("role", ["rep", "ops", "leader"])
@pytest.mark.parametrize(("url", "data"), WRITES)
def test_a_refused_change_leaves_the_term_and_the_audit_log_unchanged(
    app, client, login, term_id, role, url, data
):
    login(role)
    client.post(url.format(id=term_id), data=data)
    with app.app_context():
        term = db.session.get(TaxonomyTerm, term_id)
        assert (term.name, term.active) == ("Globex Suite", True)
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


@pytest.mark.parametrize("role", ["rep", "ops", "leader"])
def test_non_admins_cannot_add_a_term(app, client, login, role):
    login(role)
    response = client.post("/admin/taxonomy/new", data={"kind": "competitor", "name": "Sneaky"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TaxonomyTerm.id))) == 0


@pytest.mark.parametrize(("url", "data"), [("/admin/taxonomy/{id}", None), *WRITES])
def test_a_missing_term_is_not_found(client, login, url, data):
    login("admin")
    target = url.format(id=MISSING)
    response = client.get(target) if data is None else client.post(target, data=data)
    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/taxonomy/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
