"""Who may open which accounts page: every role × every route, for an account that exists and one
that does not; refused writes change nothing."""

import pytest

from forum.accounts.models import Account
from forum.core.audit import AuditEntry
from forum.extensions import db
from tests import factories

MISSING = 999_999
ROLES = ["rep", "ops", "leader", "admin"]
EDITORS = {"leader", "admin"}
CREATORS = {"rep", "leader", "admin"}  # a new customer is an explicit choice reps make too
FORM = {"name": "Renamed Corp", "segment": "smb", "region_id": "", "arr": "", "crm_id": ""}


@pytest.fixture
def account_id(app):
    with app.app_context():
        account = factories.account(name="Acme Corp")
        db.session.commit()
        return account.id


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_open_the_accounts_list(client, login, role):
    login(role)
    assert client.get("/accounts/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_open_an_account(client, login, account_id, role):
    login(role)
    assert client.get(f"/accounts/{account_id}").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_missing_account_is_not_found_for_every_role(client, login, role):
    login(role)
    assert client.get(f"/accounts/{MISSING}").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_use_the_account_lookup(client, login, role):
    login(role)
    assert client.get("/accounts/lookup?q=a").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_reps_leaders_and_admins_may_open_the_new_account_form(client, login, role):
    login(role)
    assert client.get("/accounts/new").status_code == (200 if role in CREATORS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_leaders_and_admins_may_open_the_account_editor(client, login, account_id, role):
    login(role)
    expected = 200 if role in EDITORS else 403
    assert client.get(f"/accounts/{account_id}/edit").status_code == expected


@pytest.mark.parametrize("role", sorted(EDITORS))
def test_editing_a_missing_account_is_not_found(client, login, role):
    login(role)
    assert client.get(f"/accounts/{MISSING}/edit").status_code == 404
    assert client.post(f"/accounts/{MISSING}/edit", data=FORM).status_code == 404


@pytest.mark.parametrize("role", ["rep", "ops"])
def test_a_refused_account_edit_changes_nothing(app, client, login, account_id, role):
    login(role)
    response = client.post(f"/accounts/{account_id}/edit", data=FORM)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Account, account_id).name == "Acme Corp"
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


@pytest.mark.parametrize("role", ["ops"])
def test_a_refused_account_creation_adds_nothing(app, client, login, role):
    login(role)
    assert client.post("/accounts/new", data=FORM).status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Account.id))) == 0


@pytest.mark.parametrize(
    "url", ["/accounts/", "/accounts/1", "/accounts/lookup?q=a", "/accounts/new"]
)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
