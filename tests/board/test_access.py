"""Who may open the board's pages and exports: leaders and admins; reps and ops get 403 on every
page and every CSV (an account's promise ledger is open to all); a rep may open their own track
record and nobody else's."""

import html
import re

import pytest

from forum.accounts.models import Account
from forum.auth.models import TeamKind, User
from forum.extensions import db
from tests import factories

PAGES = [
    "/board/",
    "/board/teams/{ops}",
    "/board/win-loss",
    "/board/review",
    "/board/fixes?list=overdue",
    "/board/posts?list=lost",
    "/board/export/posts.csv",
    "/board/export/fixes.csv",
    "/board/export/history.csv",
]


@pytest.fixture
def ids(app):
    with app.app_context():
        ops = factories.team(TeamKind.OPERATIONS, name="Shipping")
        account = Account(name="Acme", name_key="acme", segment="smb")
        db.session.add(account)
        db.session.commit()
        return {"ops": ops.id, "account": account.id}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["rep", "ops"])
def test_reps_and_ops_are_refused_every_board_page_and_export(client, login, ids, page, role):
    login(role)
    assert client.get(page.format(**ids)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["leader", "admin"])
def test_leaders_and_admins_open_every_board_page_and_export(client, login, ids, page, role):
    login(role)
    response = client.get(page.format(**ids))
    assert response.status_code == 200
    expected = "text/csv" if ".csv" in page else "text/html"
    assert response.mimetype == expected


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_everyone_who_sees_an_account_sees_its_promise_ledger(client, login, ids, role):
    login(role)
    response = client.get(f"/board/accounts/{ids['account']}")
    assert response.status_code == 200
    assert "Acme" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, page):
    response = client.get(page.format(**ids))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_unknown_scorecard_is_not_found(client, login):
    login("leader")
    assert client.get("/board/teams/987654").status_code == 404


def test_an_unknown_account_ledger_is_not_found(client, login):
    login("leader")
    assert client.get("/board/accounts/987654").status_code == 404


def test_an_id_too_large_for_the_database_is_not_found(client, login):
    login("leader")
    assert client.get("/board/teams/99999999999").status_code == 404


def test_a_rep_opens_their_own_track_record(client, login):
    me = login("rep")
    assert client.get(f"/board/reps/{me.id}").status_code == 200


def test_my_record_shows_a_rep_their_own_track_record(client, login):
    login("rep", display_name="Rita Record")
    response = client.get("/board/reps/me")
    assert response.status_code == 200
    assert "Rita Record" in response.get_data(as_text=True)


def test_a_rep_is_refused_another_reps_track_record(client, login, make_user):
    other = make_user("rep")
    login("rep")
    assert client.get(f"/board/reps/{other.id}").status_code == 403


def test_ops_are_refused_a_reps_track_record(client, login, make_user):
    rep = make_user("rep")
    login("ops")
    assert client.get(f"/board/reps/{rep.id}").status_code == 403


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_leaders_and_admins_open_a_reps_track_record(client, login, make_user, role):
    rep = make_user("rep")
    login(role)
    assert client.get(f"/board/reps/{rep.id}").status_code == 200


def test_an_ops_member_has_no_track_record_to_show(client, login, make_user):
    ops = make_user("ops")
    login("leader")
    assert client.get(f"/board/reps/{ops.id}").status_code == 404


def test_an_unknown_person_has_no_track_record(client, login):
    login("leader")
    assert client.get("/board/reps/987654").status_code == 404


def test_the_board_is_in_the_navigation_of_leaders(client, login):
    login("leader")
    assert b'href="/board/"' in client.get("/").data


@pytest.mark.parametrize("role", ["rep", "ops"])
def test_the_board_is_not_in_the_navigation_of_reps_and_ops(client, login, role):
    login(role)
    assert b'href="/board/"' not in client.get("/").data


def test_my_record_is_in_the_navigation_of_reps(client, login):
    login("rep")
    assert b'href="/board/reps/me"' in client.get("/").data


@pytest.mark.parametrize("viewer", ["leader", "admin", "self"])
def test_a_track_record_tells_nobody_but_the_rep_of_their_shielded_reports(
    app, client, login, make_user, viewer
):
    rep = make_user("rep")
    with app.app_context():
        author = db.session.get(User, rep.id)
        factories.post(author=author, title="Open report about pallets")
        factories.post(author=author, title="Shielded report about the carrier", shielded=True)
        db.session.commit()
    login(who=rep) if viewer == "self" else login(viewer)

    page = visible_text(client.get(f"/board/reps/{rep.id}"))
    assert "Open report about pallets" in page
    if viewer == "self":
        assert "2 reports filed" in page and "Shielded report about the carrier" in page
        assert "Only you see your 1 shielded report" in page
    else:
        assert "1 reports filed" in page
        assert "carrier" not in page and "shielded report" not in page.replace(
            "Reports the rep filed shielded are neither counted nor listed here.", ""
        )


def visible_text(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
