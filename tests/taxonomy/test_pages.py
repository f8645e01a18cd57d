"""Taxonomy pages: terms by kind, reasons by branch with delivery/operations marked; adding,
renaming, deactivating and reactivating, with case-insensitive uniqueness and audit entries."""

import pytest

from forum.core.audit import AuditEntry
from forum.extensions import db
from forum.taxonomy.models import TaxonomyTerm
from tests import factories
from tests.pagecheck import page_problems


def _term(app, kind="competitor", name=None, **fields) -> int:
    with app.app_context():
        term = factories.term(kind, name=name, **fields)
        db.session.commit()
        return term.id


def _terms(app) -> list[tuple[str, str, str, bool]]:
    with app.app_context():
        return [
            (t.kind, t.name, t.branch, t.active)
            for t in db.session.scalars(db.select(TaxonomyTerm).order_by(TaxonomyTerm.id))
        ]


def _audits(app) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [
            (e.action, e.target_id)
            for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_the_index_lists_each_kind_under_its_heading(app, client, login):
    login("admin")
    _term(app, "competitor", "Globex Suite")
    _term(app, "reason", "Price too high", branch="price")
    _term(app, "root_cause", "Capacity")
    html = client.get("/admin/taxonomy/").get_data(as_text=True)
    competitors = html.index('<h2 id="competitors">')
    reasons = html.index('<h2 id="reasons">')
    root_causes = html.index('<h2 id="root-causes">')
    assert competitors < html.index("Globex Suite") < reasons
    assert reasons < html.index("Price too high") < root_causes
    assert root_causes < html.index("Capacity")


def test_reasons_are_grouped_by_branch(app, client, login):
    login("admin")
    _term(app, "reason", "Billing errors", branch="delivery")
    _term(app, "reason", "Price too high", branch="price")
    html = client.get("/admin/taxonomy/").get_data(as_text=True)
    price = html.index('id="branch-price"')
    delivery = html.index('id="branch-delivery"')
    assert price < html.index("Price too high") < delivery < html.index("Billing errors")


def test_the_delivery_branch_is_marked_as_operations(app, client, login):
    login("admin")
    html = client.get("/admin/taxonomy/").get_data(as_text=True)
    heading = html[html.index('id="branch-delivery"') :].split("</h3>")[0]
    assert "Delivery / operations" in heading
    assert "Operations: can point at a fix" in heading


def test_deactivated_terms_are_listed_as_such(app, client, login):
    login("admin")
    _term(app, "competitor", "Old Rival", active=False)
    html = client.get("/admin/taxonomy/").get_data(as_text=True)
    assert "Old Rival" in html and "Deactivated" in html


def test_the_index_runs_the_same_number_of_queries_for_3_or_30_terms(
    app, client, login, count_queries
):
    login("admin")
    kinds = [("competitor", ""), ("reason", "delivery"), ("root_cause", "")]

    def add(count: int, prefix: str) -> None:
        with app.app_context():
            for i in range(count):
                kind, branch = kinds[i % 3]
                factories.term(kind, name=f"{prefix} {i}", branch=branch)
            db.session.commit()

    add(3, "Few")
    with count_queries() as few:
        assert client.get("/admin/taxonomy/").status_code == 200
    add(30, "Many")
    with count_queries() as many:
        assert client.get("/admin/taxonomy/").status_code == 200
    assert len(few) == len(many)


@pytest.mark.parametrize("kind", ["competitor", "root_cause"])
def test_an_admin_adds_a_term_without_a_branch(app, client, login, kind):
    login("admin")
    response = client.post(
        "/admin/taxonomy/new", data={"kind": kind, "name": "  New   Term ", "branch": "price"}
    )
    assert response.status_code == 302
    assert _terms(app) == [(kind, "New Term", "", True)]


def test_an_admin_adds_a_reason_in_a_branch(app, client, login):
    login("admin")
    response = client.post(
        "/admin/taxonomy/new",
        data={"kind": "reason", "name": "Onboarding took too long", "branch": "delivery"},
    )
    assert response.status_code == 302
    assert _terms(app) == [("reason", "Onboarding took too long", "delivery", True)]


def test_a_reason_needs_a_branch(app, client, login):
    login("admin")
    response = client.post(
        "/admin/taxonomy/new", data={"kind": "reason", "name": "Vague", "branch": ""}
    )
    assert response.status_code == 200
    assert "Choose the branch this reason belongs to." in response.get_data(as_text=True)
    assert _terms(app) == []


def test_adding_a_term_is_audited(app, client, login):
    who = login("admin")
    client.post("/admin/taxonomy/new", data={"kind": "competitor", "name": "Globex Suite"})
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry))
        assert (entry.action, entry.actor_id) == ("taxonomy.create", who.id)
        assert entry.details == {"kind": "competitor", "name": "Globex Suite", "branch": ""}


def test_a_duplicate_name_in_the_same_kind_is_a_form_error_whatever_its_case(app, client, login):
    login("admin")
    _term(app, "competitor", "Globex Suite")
    response = client.post(
        "/admin/taxonomy/new", data={"kind": "competitor", "name": "GLOBEX  suite"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is already a competitor named “Globex Suite”." in html
    assert 'id="name-error"' in html
    assert len(_terms(app)) == 1


def test_a_duplicate_of_a_deactivated_term_suggests_reactivating_it(app, client, login):
    login("admin")
    _term(app, "root_cause", "Capacity", active=False)
    response = client.post("/admin/taxonomy/new", data={"kind": "root_cause", "name": "capacity"})
    assert "reactivate it instead" in response.get_data(as_text=True)


def test_the_same_name_may_exist_in_two_kinds(app, client, login):
    login("admin")
    _term(app, "root_cause", "Tooling")
    response = client.post(
        "/admin/taxonomy/new", data={"kind": "reason", "name": "Tooling", "branch": "product"}
    )
    assert response.status_code == 302
    assert len(_terms(app)) == 2


def test_an_admin_renames_a_term_and_it_is_audited(app, client, login):
    login("admin")
    term_id = _term(app, "competitor", "Globex")
    response = client.post(f"/admin/taxonomy/{term_id}", data={"name": "Globex Suite"})
    assert response.status_code == 302
    assert _terms(app) == [("competitor", "Globex Suite", "", True)]
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry))
        assert entry.action == "taxonomy.update"
        assert entry.details == {"name": ["Globex", "Globex Suite"]}


def test_renaming_a_term_only_changes_its_case(app, client, login):
    login("admin")
    term_id = _term(app, "competitor", "globex suite")
    response = client.post(f"/admin/taxonomy/{term_id}", data={"name": "Globex Suite"})
    assert response.status_code == 302
    assert _terms(app)[0][1] == "Globex Suite"


def test_renaming_to_another_terms_name_is_a_form_error(app, client, login):
    login("admin")
    _term(app, "competitor", "Globex Suite")
    term_id = _term(app, "competitor", "Initech")
    response = client.post(f"/admin/taxonomy/{term_id}", data={"name": "globex suite"})
    assert response.status_code == 200
    assert "There is already a competitor named" in response.get_data(as_text=True)
    assert _terms(app)[1][1] == "Initech"


def test_a_reason_can_move_to_another_branch(app, client, login):
    login("admin")
    term_id = _term(app, "reason", "Billing errors", branch="price")
    client.post(f"/admin/taxonomy/{term_id}", data={"name": "Billing errors", "branch": "delivery"})
    assert _terms(app) == [("reason", "Billing errors", "delivery", True)]


def test_only_reasons_show_a_branch_field_when_renamed(app, client, login):
    login("admin")
    competitor = _term(app, "competitor")
    reason = _term(app, "reason")
    assert 'id="branch"' not in client.get(f"/admin/taxonomy/{competitor}").get_data(as_text=True)
    assert 'id="branch"' in client.get(f"/admin/taxonomy/{reason}").get_data(as_text=True)


def test_deactivating_and_reactivating_a_term_are_audited(app, client, login):
    login("admin")
    term_id = _term(app, "competitor", "Umbrella")
    assert client.post(f"/admin/taxonomy/{term_id}/deactivate").status_code == 302
    assert _terms(app)[0][3] is False
    assert client.post(f"/admin/taxonomy/{term_id}/reactivate").status_code == 302
    assert _terms(app)[0][3] is True
    assert _audits(app) == [("taxonomy.deactivate", term_id), ("taxonomy.reactivate", term_id)]


def test_deactivating_needs_a_csrf_token(app, client, login):
    login("admin")
    term_id = _term(app, "competitor")
    assert client.post(f"/admin/taxonomy/{term_id}/deactivate", csrf=False).status_code == 400
    assert _terms(app)[0][3] is True


def test_term_names_are_escaped_everywhere(app, client, login):
    login("admin")
    name = "<script>alert(1)</script>"
    term_id = _term(app, "reason", name, branch="delivery")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for url in ("/admin/taxonomy/", f"/admin/taxonomy/{term_id}"):
        html = client.get(url).get_data(as_text=True)
        assert name not in html, url
        assert escaped in html, url


def test_a_flash_naming_a_term_is_escaped(app, client, login):
    login("admin")
    response = client.post(
        "/admin/taxonomy/new",
        data={"kind": "competitor", "name": "<script>alert(1)</script>"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” is added." in html


def test_an_unknown_kind_is_a_form_error(app, client, login):
    login("admin")
    response = client.post("/admin/taxonomy/new", data={"kind": "weapon", "name": "X"})
    assert response.status_code == 200
    assert 'id="kind-error"' in response.get_data(as_text=True)
    assert _terms(app) == []


def test_a_name_longer_than_80_characters_is_a_form_error(app, client, login):
    login("admin")
    response = client.post("/admin/taxonomy/new", data={"kind": "competitor", "name": "x" * 81})
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert _terms(app) == []


def test_the_new_term_form_preselects_the_kind_and_branch_asked_for(client, login):
    login("admin")
    html = client.get("/admin/taxonomy/new?kind=reason&branch=delivery").get_data(as_text=True)
    assert '<option selected value="reason">' in html
    assert '<option selected value="delivery">' in html


def test_taxonomy_pages_have_one_h1_labelled_fields_and_no_inline_code(app, client, login):
    login("admin")
    reason = _term(app, "reason", branch="delivery")
    competitor = _term(app, "competitor", active=False)
    for url in (
        "/admin/taxonomy/",
        "/admin/taxonomy/new",
        f"/admin/taxonomy/{reason}",
        f"/admin/taxonomy/{competitor}",
    ):
        assert page_problems(client.get(url).get_data(as_text=True)) == [], url
