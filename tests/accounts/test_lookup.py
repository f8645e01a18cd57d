"""The typeahead lookup: JSON, at most ten matches, prefix matches first."""

from forum.extensions import db
from tests import factories


def _accounts(app, *names):
    with app.app_context():
        for name in names:
            factories.account(name=name)
        db.session.commit()


def test_the_lookup_answers_a_list_of_id_name_and_crm_id(app, client, login):
    login("rep")
    with app.app_context():
        account = factories.account(name="Globex Corporation", crm_id="0016g00000GlObX1")
        db.session.commit()
        account_id = account.id
    response = client.get("/accounts/lookup?q=globex")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == [
        {"id": account_id, "name": "Globex Corporation", "crm_id": "0016g00000GlObX1"}
    ]


def test_the_lookup_gives_null_for_a_missing_crm_id(app, client, login):
    login("rep")
    with app.app_context():
        factories.account(name="Bare Account", crm_id=None)
        db.session.commit()
    assert client.get("/accounts/lookup?q=bare").get_json()[0]["crm_id"] is None


def test_the_lookup_matches_crm_ids(app, client, login):
    login("rep")
    with app.app_context():
        factories.account(name="Hidden Name", crm_id="0016g00000FiNdMe")
        db.session.commit()
    assert [a["name"] for a in client.get("/accounts/lookup?q=findme").get_json()] == [
        "Hidden Name"
    ]


def test_the_lookup_puts_prefix_matches_before_substring_matches(app, client, login):
    login("rep")
    _accounts(app, "Big Northwind", "Northwind Traders", "Alpha Northwind")
    names = [a["name"] for a in client.get("/accounts/lookup?q=north").get_json()]
    assert names == ["Northwind Traders", "Alpha Northwind", "Big Northwind"]


def test_the_lookup_returns_at_most_ten_accounts(app, client, login):
    login("rep")
    _accounts(app, *[f"Acme {i:02d}" for i in range(15)])
    assert len(client.get("/accounts/lookup?q=acme").get_json()) == 10


def test_an_empty_lookup_returns_an_empty_list(app, client, login):
    login("rep")
    _accounts(app, "Acme")
    assert client.get("/accounts/lookup").get_json() == []
    assert client.get("/accounts/lookup?q=%20%20").get_json() == []


def test_the_lookup_treats_wildcards_literally(app, client, login):
    login("rep")
    _accounts(app, "Under_score Inc", "Underscore Inc")
    names = [a["name"] for a in client.get("/accounts/lookup?q=under_").get_json()]
    assert names == ["Under_score Inc"]


def test_the_lookup_returns_names_as_data_not_html(app, client, login):
    login("rep")
    _accounts(app, "<b>Bold</b> Co")
    assert client.get("/accounts/lookup?q=bold").get_json()[0]["name"] == "<b>Bold</b> Co"
