"""Lists remember each person's last filters, and keep the views they name.

The navigation leads back to a list with the filters its reader last used there; the bare
address (the "Clear filters" link) shows the defaults and forgets them. Only filters a page
accepted (200) are kept, never the paging, and only on the viewer's own row.
"""

import re

import pytest
import sqlalchemy as sa

from forum.auth import list_memory
from forum.auth.models import User
from forum.extensions import db
from tests import factories

NAV_LINK = re.compile(r'<a href="([^"]*)"(?: aria-current="page")?>{label}</a>')


def nav_href(client, label: str, page: str = "/") -> str:
    html = client.get(page).get_data(as_text=True)
    match = re.search(NAV_LINK.pattern.format(label=re.escape(label)), html)
    assert match, f"no {label!r} link in the navigation"
    return match.group(1).replace("&amp;", "&")


def prefs(app, who) -> dict:
    with app.app_context():
        return db.session.get(User, who.id).list_filters


def test_the_navigation_leads_back_to_the_last_filters_without_the_page(app, client, login):
    with app.app_context():
        team = factories.team("operations", name="Billing")
        db.session.commit()
        team_id = team.id
    login("leader")
    assert nav_href(client, "Fixes") == "/fixes/"
    assert client.get(f"/fixes/?status=any&team={team_id}&page=1").status_code == 200
    assert nav_href(client, "Fixes") == f"/fixes/?status=any&team={team_id}"
    assert nav_href(client, "Feed") == "/posts/"  # each list keeps its own

    assert client.get("/fixes/").status_code == 200  # "Clear filters": the defaults, forgotten
    assert nav_href(client, "Fixes") == "/fixes/"


def test_filters_a_page_refused_are_not_remembered(app, client, login):
    who = login("leader")
    assert client.get("/fixes/?status=verified").status_code == 200
    assert client.get("/fixes/?status=nonsense").status_code == 400
    assert client.get("/fixes/?team=%C2%B2").status_code == 400
    assert prefs(app, who) == {"last": {"fixes": "status=verified"}}


def test_remembering_writes_the_viewers_row_once_and_nothing_else(app, client, login):
    other = login("leader")
    client.get("/posts/?kind=win_loss")
    who = login("leader")
    statements = []

    def note(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    from tests.conftest import listening

    with listening(app, "before_cursor_execute", note):
        client.get("/posts/?kind=field_feedback&sort=risk")
        first = list(statements)
        client.get("/posts/?sort=risk&kind=field_feedback")  # the same filters, another order
    assert len(first) == 1 and "UPDATE users SET" in " ".join(first[0].split())
    assert "list_filters" in first[0] and len(statements) == 1
    assert prefs(app, who) == {"last": {"feed": "kind=field_feedback&sort=risk"}}
    assert prefs(app, other) == {"last": {"feed": "kind=win_loss"}}


def test_a_leader_saves_names_and_deletes_views_of_the_triage_inbox(app, client, login):
    who = login("leader")
    page = client.get("/triage/?kind=broken_promise&revenue=1")
    assert "Save these filters as a view" in page.get_data(as_text=True)
    saved = client.post(
        "/lists/triage/views",
        data={
            "name": "  Promises   with revenue ",
            "query": "revenue=1&kind=broken_promise&page=3",
        },
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/triage/?kind=broken_promise&revenue=1"
    html = client.get("/triage/").get_data(as_text=True)
    assert '<a href="/triage/?kind=broken_promise&amp;revenue=1">Promises with revenue</a>' in html
    # The same name (in any case) replaces the view.
    client.post(
        "/lists/triage/views",
        data={"name": "PROMISES WITH REVENUE", "query": "kind=broken_promise"},
    )
    assert list_memory.views(_user(app, who), "triage") == [
        list_memory.SavedView("PROMISES WITH REVENUE", "kind=broken_promise")
    ]
    deleted = client.post("/lists/triage/views/delete", data={"name": "PROMISES WITH REVENUE"})
    assert deleted.status_code == 302
    assert list_memory.views(_user(app, who), "triage") == []
    assert client.post("/lists/triage/views/delete", data={"name": "gone"}).status_code == 404


def _user(app, who):
    with app.app_context():
        user = db.session.get(User, who.id)
        db.session.expunge(user)
        return user


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "query": "kind=win_loss"}, "Name the view"),
        ({"name": "x" * 61, "query": "kind=win_loss"}, "Name the view"),
        ({"name": "Everything", "query": "page=2"}, "Choose some filters first"),
        ({"name": "Huge", "query": "q=" + "a" * 1200}, "too long"),
    ],
)
def test_a_view_that_cannot_be_kept_is_refused_and_nothing_is_stored(
    app, client, login, data, message
):
    who = login("leader")
    response = client.post("/lists/triage/views", data=data, follow_redirects=True)
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert message in response.get_data(as_text=True)
    assert "views" not in prefs(app, who)


def test_views_are_limited_per_list(app, client, login):
    who = login("leader")
    for i in range(list_memory.MAX_VIEWS):
        client.post("/lists/fixes/views", data={"name": f"View {i}", "query": f"team={i + 1}"})
    refused = client.post(
        "/lists/fixes/views", data={"name": "One more", "query": "team=99"}, follow_redirects=True
    )
    assert "delete one first" in refused.get_data(as_text=True)
    assert len(prefs(app, who)["views"]["fixes"]) == list_memory.MAX_VIEWS


def test_views_are_ones_own_and_only_of_lists_one_may_open(app, client, login):
    login("leader")
    client.post("/lists/triage/views", data={"name": "Mine", "query": "kind=win_loss"})
    login("leader")
    assert "Mine</a>" not in client.get("/triage/").get_data(as_text=True)
    login("rep")
    assert (
        client.post("/lists/triage/views", data={"name": "X", "query": "kind=win_loss"}).status_code
        == 403
    )
    assert (
        client.post("/lists/nowhere/views", data={"name": "X", "query": "a=1"}).status_code == 404
    )
    with app.app_context():
        assert all(
            "views" not in u.list_filters
            for u in db.session.scalars(sa.select(User))
            if u.role == "rep"
        )
