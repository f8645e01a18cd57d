"""The account picker never invents customers: a report picks an existing account; an unknown
name answers with the likeliest ones; adding an account is its own, explicit choice."""

import re

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.accounts.services import similar_accounts
from forum.auth.models import TeamKind
from forum.extensions import db
from forum.feedback.models import Post
from tests import factories


def _accounts(app, *names) -> list[int]:
    with app.app_context():
        ids = [factories.account(name).id for name in names]
        db.session.commit()
        return ids


def _form(client, **fields):
    page = client.get("/posts/new/field-feedback").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    return {"submission_key": key, "title": "Late pallets", "body": "Again.", **fields}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_misspelt_account_is_refused_and_the_right_one_offered(app, client, login):
    login("rep")
    (banco, _other) = _accounts(app, "Banco Austral", "Koala Freight")
    response = client.post("/posts/new/field-feedback", data=_form(client, account="Banco Austrl"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No account is named “Banco Austrl”. Did you mean Banco Austral?" in page
    assert f'name="account_id" id="account_id-{banco}" value="{banco}"' in page
    assert "Koala Freight" not in page
    assert _count(app, Account) == 2 and _count(app, Post) == 0


def test_picking_a_did_you_mean_choice_files_the_report_on_that_account(app, client, login):
    login("rep")
    (banco,) = _accounts(app, "Banco Austral")
    form = _form(client, account="Banco Austrl", account_id=str(banco))
    assert client.post("/posts/new/field-feedback", data=form).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Post.account_id)) == banco
    assert _count(app, Account) == 1


def test_an_exact_name_or_crm_id_needs_no_pick(app, client, login):
    login("rep")
    with app.app_context():
        banco = factories.account("Banco Austral", crm_id="0015g00000BncAus1")
        db.session.commit()
        banco_id = banco.id
    for typed in ("banco austral", "0015g00000BncAus1"):
        form = _form(client, account=typed)
        assert client.post("/posts/new/field-feedback", data=form).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Post.account_id)).all() == [banco_id, banco_id]


def test_a_picked_id_that_is_no_account_is_refused(app, client, login):
    login("rep")
    form = _form(client, account="Anything", account_id="999999")
    response = client.post("/posts/new/field-feedback", data=form)
    assert response.status_code == 200
    assert "That account does not exist." in response.get_data(as_text=True)
    assert _count(app, Post) == 0


def test_a_garbage_picked_id_falls_back_to_the_typed_name(app, client, login):
    login("rep")
    _accounts(app, "Banco Austral")
    for garbage in ("²", "٣", "1e30", "-1", ""):
        form = _form(client, account="Banco Austral", account_id=garbage)
        assert client.post("/posts/new/field-feedback", data=form).status_code == 302
    nul = _form(client, account="Banco Austral", account_id="\x00")
    assert client.post("/posts/new/field-feedback", data=nul).status_code == 400


def test_the_lookup_offers_the_right_account_for_a_misspelling(app, client, login):
    login("rep")
    _accounts(app, "Banco Austral", "Banco Norte", "Koala Freight")
    names = [a["name"] for a in client.get("/accounts/lookup?q=Banco Austrl").get_json()]
    assert names[0] == "Banco Austral"
    assert "Koala Freight" not in names


def test_similar_names_ignore_case_and_accents(app):
    with app.app_context():
        factories.account("Café Serrano")
        factories.account("Serrano Logistics")
        names = [a.name for a in similar_accounts("CAFE SERANO")]
        assert names[0] == "Café Serrano"
        assert similar_accounts("Zeppelin Works") == []


def test_a_me_too_naming_an_unknown_account_says_did_you_mean(app, client, login):
    login("rep")
    _accounts(app, "Banco Austral")
    with app.app_context():
        post_id = factories.post("broken_promise").id
        db.session.commit()
    before = _count(app, Account)
    response = client.post(
        f"/posts/{post_id}/corroborate", data={"account": "Banco Austrl"}, follow_redirects=True
    )
    assert "Did you mean Banco Austral?" in response.get_data(as_text=True)
    assert _count(app, Account) == before


def _new_account(client, **fields):
    data = {"name": "Banco Austrl", "segment": "enterprise", "region_id": "", "arr": ""}
    data.update(fields)
    return client.post("/accounts/new", data=data)


def test_adding_an_account_offers_similar_names_first(app, client, login):
    login("rep")
    _accounts(app, "Banco Austral")
    with app.app_context():
        region = factories.team(TeamKind.SALES, name="LATAM").id
        db.session.commit()
    response = _new_account(client, region_id=str(region))
    assert response.status_code == 200
    assert "Did you mean" in response.get_data(as_text=True)
    assert "Banco Austral" in response.get_data(as_text=True)
    assert _count(app, Account) == 1
    confirmed = _new_account(client, region_id=str(region), confirm_new="y")
    assert confirmed.status_code == 302
    assert _count(app, Account) == 2


def test_a_new_account_needs_a_segment_and_a_region(app, client, login):
    login("rep")
    response = _new_account(client, name="Zeppelin Works", segment="")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose the segment." in page and "Choose the sales region." in page
    assert _count(app, Account) == 0


def test_a_new_account_cannot_take_an_existing_name(app, client, login):
    login("rep")
    _accounts(app, "Banco Austral")
    with app.app_context():
        region = factories.team(TeamKind.SALES, name="LATAM").id
        db.session.commit()
    response = _new_account(client, name="banco austral", region_id=str(region), confirm_new="y")
    assert response.status_code == 200
    assert _count(app, Account) == 1
