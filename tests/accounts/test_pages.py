"""The accounts list, an account's page with its promise ledger, and the editor."""

from datetime import timedelta
from decimal import Decimal

import pytest

from forum.accounts.models import Account
from forum.auth.models import TeamKind, User
from forum.core.audit import AuditEntry
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from tests import factories
from tests.pagecheck import page_problems


def _accounts(app, *names, **fields) -> list[int]:
    with app.app_context():
        ids = [factories.account(name=name, **fields).id for name in names]
        db.session.commit()
        return ids


def _post(account_id: int, author: User, title: str, **fields) -> Post:
    post = Post(
        kind=fields.pop("kind", "broken_promise"),
        title=title,
        body="What happened.",
        author=author,
        account_id=account_id,
        **fields,
    )
    db.session.add(post)
    db.session.flush()
    return post


def test_the_list_shows_name_segment_region_arr_and_crm_id(app, client, login):
    login("rep")
    with app.app_context():
        region = factories.team(TeamKind.SALES, name="EMEA")
        factories.account(
            name="Rheinwerk GmbH",
            segment="enterprise",
            region=region,
            arr=Decimal("2950000"),
            crm_id="0016g00000AbCdE1",
        )
        db.session.commit()
    html = client.get("/accounts/").get_data(as_text=True)
    for text in ("Rheinwerk GmbH", "Enterprise", "EMEA", "USD 2,950,000", "0016g00000AbCdE1"):
        assert text in html


def test_the_list_searches_names_case_insensitively(app, client, login):
    login("rep")
    _accounts(app, "Harborview Medical", "Bluestone Manufacturing")
    html = client.get("/accounts/?q=HARBOR").get_data(as_text=True)
    assert "Harborview Medical" in html
    assert "Bluestone Manufacturing" not in html


def test_the_list_searches_crm_ids(app, client, login):
    login("rep")
    with app.app_context():
        factories.account(name="Harborview Medical", crm_id="0016g00000ZZtop9")
        factories.account(name="Bluestone Manufacturing")
        db.session.commit()
    html = client.get("/accounts/?q=zztop").get_data(as_text=True)
    assert "Harborview Medical" in html
    assert "Bluestone Manufacturing" not in html


def test_the_search_treats_wildcards_literally(app, client, login):
    login("rep")
    _accounts(app, "100% Organic Ltd", "Plain Foods")
    html = client.get("/accounts/?q=%25").get_data(as_text=True)
    assert "100% Organic Ltd" in html
    assert "Plain Foods" not in html


def test_the_list_filters_by_segment(app, client, login):
    login("rep")
    with app.app_context():
        factories.account(name="Big Co", segment="enterprise")
        factories.account(name="Small Co", segment="smb")
        db.session.commit()
    html = client.get("/accounts/?segment=smb").get_data(as_text=True)
    assert "Small Co" in html
    assert "Big Co" not in html


def test_the_list_filters_by_region(app, client, login):
    login("rep")
    with app.app_context():
        emea = factories.team(TeamKind.SALES, name="EMEA")
        apac = factories.team(TeamKind.SALES, name="APAC")
        factories.account(name="Euro Co", region=emea)
        factories.account(name="Asia Co", region=apac)
        db.session.commit()
        emea_id = emea.id
    html = client.get(f"/accounts/?region={emea_id}").get_data(as_text=True)
    assert "Euro Co" in html
    assert "Asia Co" not in html


@pytest.mark.parametrize("region", ["abc", "-1", "0", "99999999999999999999"])
def test_a_meaningless_region_filter_is_ignored(app, client, login, region):
    login("rep")
    _accounts(app, "Acme")
    response = client.get(f"/accounts/?region={region}")
    assert response.status_code == 200
    assert "Acme" in response.get_data(as_text=True)


def test_the_list_is_paginated_by_fifty(app, client, login):
    login("rep")
    _accounts(app, *[f"Account {i:02d}" for i in range(55)])
    first = client.get("/accounts/").get_data(as_text=True)
    second = client.get("/accounts/?page=2").get_data(as_text=True)
    assert "Account 49" in first and "Account 50" not in first
    assert "Account 50" in second and "Account 54" in second


def test_a_page_past_the_end_is_not_found(app, client, login):
    login("rep")
    _accounts(app, "Only Co")
    assert client.get("/accounts/?page=3").status_code == 404


def test_the_list_runs_the_same_number_of_queries_for_3_or_30_accounts(
    app, client, login, count_queries
):
    login("rep")

    def add(count: int) -> None:
        # Each account in its own region, so a region loaded per row would show in the count.
        with app.app_context():
            for _ in range(count):
                factories.account(region=factories.team(TeamKind.SALES))
            db.session.commit()

    add(3)
    with count_queries() as few:
        assert client.get("/accounts/").status_code == 200
    add(27)
    with count_queries() as many:
        assert client.get("/accounts/").status_code == 200
    assert len(few) == len(many)


def test_an_account_page_shows_its_facts(app, client, login):
    login("rep")
    with app.app_context():
        region = factories.team(TeamKind.SALES, name="LATAM")
        account = factories.account(
            name="Paulista Alimentos",
            segment="public_sector",
            region=region,
            arr=Decimal("1910000"),
            crm_id="0016g00000PaUl01",
        )
        db.session.commit()
        account_id = account.id
    html = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert "<h1>Paulista Alimentos</h1>" in html
    for text in ("Public sector", "LATAM", "USD 1,910,000", "0016g00000PaUl01", "promise ledger"):
        assert text in html


def test_the_ledger_lists_the_accounts_posts_newest_first(app, client, login):
    login("rep")
    with app.app_context():
        account = factories.account(name="Acme")
        other = factories.account(name="Other")
        author = factories.user("rep")
        now = utcnow()
        _post(account.id, author, "Older promise", created_at=now - timedelta(days=3))
        _post(
            account.id,
            author,
            "Newer deal",
            kind="win_loss",
            outcome="lost",
            status="linked",
            created_at=now - timedelta(days=1),
        )
        _post(other.id, author, "Someone else's post")
        db.session.commit()
        account_id = account.id
    html = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert html.index("Newer deal") < html.index("Older promise")
    assert "Win/loss report" in html and "Broken promise" in html
    assert '<span class="badge">Linked to a fix</span>' in html
    assert '<span class="badge">New</span>' in html
    assert "Someone else&#39;s post" not in html


def test_the_ledger_never_names_the_authors(app, client, login):
    login("leader")
    with app.app_context():
        account = factories.account(name="Acme")
        author = factories.user("rep", display_name="Shielded Sam")
        _post(account.id, author, "A shielded report", shielded=True)
        _post(account.id, factories.user("rep", display_name="Open Olivia"), "An open report")
        db.session.commit()
        account_id = account.id
    html = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert "A shielded report" in html and "An open report" in html
    assert "Shielded Sam" not in html
    assert "Open Olivia" not in html


def test_an_account_page_runs_the_same_number_of_queries_for_3_or_30_posts(
    app, client, login, count_queries
):
    login("rep")
    with app.app_context():
        account = factories.account(name="Acme")
        author = factories.user("rep")
        for i in range(3):
            _post(account.id, author, f"Few {i}")
        db.session.commit()
        account_id = account.id
    with count_queries() as few:
        assert client.get(f"/accounts/{account_id}").status_code == 200
    with app.app_context():
        for i in range(27):
            _post(account_id, factories.user("rep"), f"Many {i}")
        db.session.commit()
    with count_queries() as many:
        assert client.get(f"/accounts/{account_id}").status_code == 200
    assert len(few) == len(many)


def test_account_names_are_escaped_on_the_list_and_the_page(app, client, login):
    login("leader")
    (account_id,) = _accounts(app, "<script>alert(1)</script>")
    for url in ("/accounts/", f"/accounts/{account_id}", f"/accounts/{account_id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_template_syntax_in_a_name_shows_literally(app, client, login):
    login("rep")
    (account_id,) = _accounts(app, "{{7*7}} Holdings")
    html = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert "{{7*7}} Holdings" in html
    assert "49 Holdings" not in html


def test_accounts_pages_have_one_h1_labelled_fields_and_no_inline_code(app, client, login):
    login("admin")
    (account_id,) = _accounts(app, "Acme")
    for url in (
        "/accounts/",
        f"/accounts/{account_id}",
        "/accounts/new",
        f"/accounts/{account_id}/edit",
    ):
        assert page_problems(client.get(url).get_data(as_text=True)) == [], url


def test_a_leader_adds_an_account(app, client, login):
    login("leader")
    with app.app_context():
        region_id = factories.team(TeamKind.SALES, name="APAC").id
        db.session.commit()
    response = client.post(
        "/accounts/new",
        data={
            "name": "  Sakura   Retail ",
            "segment": "enterprise",
            "region_id": str(region_id),
            "arr": "2,250,000",
            "crm_id": " 0016g00000SaKu01 ",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        account = db.session.scalar(db.select(Account))
        assert (account.name, account.segment, account.region_id) == (
            "Sakura Retail",
            "enterprise",
            region_id,
        )
        assert account.arr == Decimal("2250000.00")
        assert account.crm_id == "0016g00000SaKu01"
    assert response.headers["Location"].endswith(f"/accounts/{account.id}")


def test_adding_an_account_is_audited(app, client, login):
    who = login("admin")
    with app.app_context():
        region_id = factories.team(TeamKind.SALES, name="APAC").id
        db.session.commit()
    client.post(
        "/accounts/new",
        data={"name": "Audited Co", "segment": "smb", "region_id": str(region_id)},
    )
    with app.app_context():
        entries = db.session.execute(db.select(AuditEntry.action, AuditEntry.actor_id)).all()
        assert sorted(entries) == [("account.create", who.id), ("account.save", who.id)]


def test_a_leader_edits_an_account(app, client, login):
    login("leader")
    (account_id,) = _accounts(app, "Old Name")
    response = client.post(
        f"/accounts/{account_id}/edit",
        data={"name": "New Name", "segment": "smb", "region_id": "", "arr": "", "crm_id": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        account = db.session.get(Account, account_id)
        assert (account.name, account.segment, account.crm_id) == ("New Name", "smb", None)


def test_a_crm_id_used_by_another_account_is_a_form_error(app, client, login):
    login("leader")
    with app.app_context():
        factories.account(name="First Co", crm_id="0016g00000DuP001")
        region_id = factories.team(TeamKind.SALES, name="APAC").id
        db.session.commit()
    response = client.post(
        "/accounts/new",
        data={
            "name": "Second Co",
            "segment": "smb",
            "region_id": str(region_id),
            "crm_id": "0016g00000DuP001",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Another account (First Co) already has this CRM id." in html
    assert 'id="crm_id-error"' in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Account.id))) == 1


def test_an_account_keeps_its_own_crm_id_when_edited(app, client, login):
    login("leader")
    with app.app_context():
        account_id = factories.account(name="Same Co", crm_id="0016g00000KeEp01").id
        db.session.commit()
    response = client.post(
        f"/accounts/{account_id}/edit",
        data={
            "name": "Same Co Renamed",
            "segment": "",
            "region_id": "",
            "crm_id": "0016g00000KeEp01",
        },
    )
    assert response.status_code == 302


def test_an_account_needs_a_name(app, client, login):
    login("leader")
    response = client.post("/accounts/new", data={"name": "   ", "segment": "", "region_id": ""})
    assert response.status_code == 200
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_a_negative_or_absurd_arr_is_a_form_error(app, client, login):
    login("leader")
    for arr in ("-5", "1e20", "NaN", "Infinity", "lots"):
        response = client.post(
            "/accounts/new", data={"name": "Money Co", "segment": "", "region_id": "", "arr": arr}
        )
        assert response.status_code == 200, arr
        assert 'id="arr-error"' in response.get_data(as_text=True), arr
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Account.id))) == 0


def test_a_region_that_is_not_a_sales_region_is_refused(app, client, login):
    login("leader")
    with app.app_context():
        ops_team_id = factories.team(TeamKind.OPERATIONS).id
        db.session.commit()
    response = client.post(
        "/accounts/new", data={"name": "Odd Co", "segment": "", "region_id": str(ops_team_id)}
    )
    assert response.status_code == 200
    assert 'id="region_id-error"' in response.get_data(as_text=True)
