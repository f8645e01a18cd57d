"""Catalog pages: the list grouped by team with stale badges and filters, an entry's page, the
editor, confirming and retiring over HTTP, and the JSON options."""

from datetime import timedelta

import pytest

from forum.auth.models import TeamKind
from forum.catalog.models import Commitment
from forum.core.audit import AuditEntry
from forum.core.time import utcnow
from forum.extensions import db
from tests import factories
from tests.pagecheck import page_problems


def _team(app, name: str | None = None) -> int:
    with app.app_context():
        team_id = factories.team(TeamKind.OPERATIONS, name=name).id
        db.session.commit()
        return team_id


def _entry(app, team_id: int, title: str | None = None, days: int = 0, **fields) -> int:
    with app.app_context():
        entry = factories.commitment(
            team_id, title=title, last_confirmed_at=utcnow() - timedelta(days=days), **fields
        )
        db.session.commit()
        return entry.id


def test_the_catalog_groups_entries_under_their_team(app, client, login):
    login("rep")
    billing = _team(app, "Billing")
    shipping = _team(app, "Shipping")
    _entry(app, billing, "Invoice corrections")
    _entry(app, shipping, "Lead time")
    html = client.get("/catalog/").get_data(as_text=True)
    billing_at = html.index(f'<h2 id="team-{billing}">Billing</h2>')
    shipping_at = html.index(f'<h2 id="team-{shipping}">Shipping</h2>')
    assert billing_at < html.index("Invoice corrections") < shipping_at < html.index("Lead time")


def test_the_catalog_shows_title_promise_owner_and_last_confirmed_date(app, client, login):
    login("rep")
    with app.app_context():
        team = factories.team(TeamKind.OPERATIONS)
        owner = factories.user("ops", team_obj=team, display_name="Dana Kim")
        confirmed = utcnow() - timedelta(days=3)
        factories.commitment(
            team.id,
            title="Support hours",
            promise="7 am to 7 pm, Monday to Friday.",
            owner=owner,
            last_confirmed_at=confirmed,
        )
        db.session.commit()
    html = client.get("/catalog/").get_data(as_text=True)
    for text in ("Support hours", "7 am to 7 pm, Monday to Friday.", "Dana Kim"):
        assert text in html
    assert confirmed.strftime("%Y-%m-%d") in html
    assert "Confirmed 3 days ago" in html


def test_an_entry_confirmed_91_days_ago_shows_a_stale_badge(app, client, login):
    login("rep")
    _entry(app, _team(app), "Old promise", days=91)
    assert "Stale — not confirmed for 91 days" in client.get("/catalog/").get_data(as_text=True)


def test_an_entry_confirmed_89_days_ago_shows_no_stale_badge(app, client, login):
    login("rep")
    _entry(app, _team(app), "Recent promise", days=89)
    html = client.get("/catalog/").get_data(as_text=True)
    assert "Stale —" not in html
    assert "Confirmed 89 days ago" in html


def test_the_entry_page_warns_about_a_stale_entry(app, client, login):
    login("rep")
    entry_id = _entry(app, _team(app, "Billing"), "Old promise", days=91)
    html = client.get(f"/catalog/{entry_id}").get_data(as_text=True)
    assert "Stale — not confirmed for 91 days" in html
    assert "Check with Billing before promising it." in html


def test_the_catalog_filters_by_team(app, client, login):
    login("rep")
    billing = _team(app, "Billing")
    _entry(app, billing, "Invoice corrections")
    _entry(app, _team(app, "Shipping"), "Lead time")
    html = client.get(f"/catalog/?team={billing}").get_data(as_text=True)
    assert "Invoice corrections" in html
    assert "Lead time" not in html


@pytest.mark.parametrize("team", ["abc", "-1", "99999999999999999999"])
def test_a_meaningless_team_filter_is_ignored(app, client, login, team):
    login("rep")
    _entry(app, _team(app), "Lead time")
    response = client.get(f"/catalog/?team={team}")
    assert response.status_code == 200
    assert "Lead time" in response.get_data(as_text=True)


def test_the_catalog_can_show_stale_entries_only(app, client, login):
    login("rep")
    team = _team(app)
    _entry(app, team, "Fresh promise", days=10)
    _entry(app, team, "Stale promise", days=120)
    html = client.get("/catalog/?stale=1").get_data(as_text=True)
    assert "Stale promise" in html
    assert "Fresh promise" not in html


def test_retired_entries_are_hidden_unless_asked_for(app, client, login):
    login("rep")
    _entry(app, _team(app), "Retired promise", active=False)
    assert "Retired promise" not in client.get("/catalog/").get_data(as_text=True)
    assert "Retired promise" in client.get("/catalog/?retired=1").get_data(as_text=True)


def test_ops_see_a_publish_link_for_their_own_team_only(app, client, login):
    who = login("ops")
    other = _team(app, "Other team")
    html = client.get("/catalog/").get_data(as_text=True)
    assert f"/catalog/new?team_id={who.team_id}" in html
    assert f"/catalog/new?team_id={other}" not in html


def test_reps_see_no_editing_controls(app, client, login):
    login("rep")
    entry_id = _entry(app, _team(app))
    assert "Publish an entry" not in client.get("/catalog/").get_data(as_text=True)
    html = client.get(f"/catalog/{entry_id}").get_data(as_text=True)
    assert "Confirm it is still true" not in html
    assert "Edit this entry" not in html


def test_the_catalog_runs_the_same_number_of_queries_for_3_or_30_entries(
    app, client, login, count_queries
):
    login("rep")

    def add(count: int) -> None:
        # Spread over teams, each entry with its own owner and confirmer: a lazy load per row
        # would show in the count.
        with app.app_context():
            teams = [factories.team(TeamKind.OPERATIONS) for _ in range(3)]
            for i in range(count):
                team = teams[i % 3]
                owner = factories.user("ops", team_obj=team)
                confirmer = factories.user("ops", team_obj=team)
                factories.commitment(
                    team.id,
                    owner=owner,
                    confirmed_by=confirmer,
                    last_confirmed_at=utcnow() - timedelta(days=i * 7),
                )
            db.session.commit()

    add(3)
    with count_queries() as few:
        assert client.get("/catalog/").status_code == 200
    add(27)
    with count_queries() as many:
        assert client.get("/catalog/").status_code == 200
    assert len(few) == len(many)


def test_names_and_titles_are_escaped(app, client, login):
    login("admin")
    team = _team(app, "<script>alert('team')</script>")
    entry_id = _entry(
        app, team, "<script>alert('title')</script>", promise="<img src=x onerror=alert(1)>"
    )
    escaped_team = "&lt;script&gt;alert(&#39;team&#39;)&lt;/script&gt;"
    escaped_title = "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"
    for url in ("/catalog/", f"/catalog/{entry_id}", f"/catalog/{entry_id}/edit", "/catalog/new"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(" not in html, url
        assert "<img src=x" not in html, url
        assert escaped_team in html, url
        if url != "/catalog/new":
            assert escaped_title in html, url


def test_details_are_rendered_as_sanitised_markdown(app, client, login):
    login("rep")
    entry_id = _entry(app, _team(app), details="**Only** on weekdays <script>x()</script>")
    html = client.get(f"/catalog/{entry_id}").get_data(as_text=True)
    assert "<strong>Only</strong>" in html
    assert "<script>x()" not in html


def test_catalog_pages_have_one_h1_labelled_fields_and_no_inline_code(app, client, login):
    login("admin")
    team = _team(app)
    entry_id = _entry(app, team, days=100, details="Some *details*.")
    for url in (
        "/catalog/",
        "/catalog/?stale=1&retired=1",
        f"/catalog/{entry_id}",
        "/catalog/new",
        f"/catalog/{entry_id}/edit",
    ):
        assert page_problems(client.get(url).get_data(as_text=True)) == [], url


def test_ops_publish_an_entry_for_their_team(app, client, login):
    who = login("ops")
    response = client.post(
        "/catalog/new",
        data={
            "team_id": str(who.team_id),
            "title": "Standard lead time",
            "promise": "Ships in 2 business days.",
            "details": "",
            "owner_id": str(who.id),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(db.select(Commitment))
        assert (entry.team_id, entry.title, entry.owner_id) == (
            who.team_id,
            "Standard lead time",
            who.id,
        )
        assert entry.confirmed_by_id == who.id
    assert response.headers["Location"].endswith(f"/catalog/{entry.id}")


def test_ops_default_to_their_own_team_on_the_new_entry_form(client, login):
    who = login("ops")
    html = client.get("/catalog/new").get_data(as_text=True)
    assert f'<option selected value="{who.team_id}">' in html


def test_admins_publish_an_entry_for_any_operations_team(app, client, login):
    login("admin")
    team_id = _team(app)
    response = client.post(
        "/catalog/new",
        data={"team_id": str(team_id), "title": "T", "promise": "P.", "owner_id": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Commitment.team_id)) == team_id


def test_an_admin_must_choose_a_team(app, client, login):
    login("admin")
    _team(app)
    _team(app)
    response = client.post(
        "/catalog/new", data={"team_id": "", "title": "T", "promise": "P.", "owner_id": ""}
    )
    assert response.status_code == 200
    assert 'id="team_id-error"' in response.get_data(as_text=True)


def test_an_owner_from_another_team_is_a_form_error(app, client, login):
    login("admin")
    team_id = _team(app)
    with app.app_context():
        outsider_id = factories.user("ops").id
        db.session.commit()
    response = client.post(
        "/catalog/new",
        data={"team_id": str(team_id), "title": "T", "promise": "P.", "owner_id": str(outsider_id)},
    )
    assert response.status_code == 200
    assert "must be an active member of" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Commitment.id))) == 0


def test_a_title_and_a_promise_are_required(client, login):
    who = login("ops")
    response = client.post(
        "/catalog/new", data={"team_id": str(who.team_id), "title": " ", "promise": ""}
    )
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and 'id="promise-error"' in html


def test_ops_edit_their_teams_entry(app, client, login):
    who = login("ops")
    entry_id = _entry(app, who.team_id, "Old title")
    response = client.post(
        f"/catalog/{entry_id}/edit",
        data={"title": "New title", "promise": "New promise.", "details": "", "owner_id": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(Commitment, entry_id)
        assert (entry.title, entry.promise) == ("New title", "New promise.")


def test_confirming_over_http_updates_the_date_and_writes_an_audit_entry(app, client, login):
    who = login("ops")
    entry_id = _entry(app, who.team_id, days=120)
    response = client.post(f"/catalog/{entry_id}/confirm")
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(Commitment, entry_id)
        assert utcnow() - entry.last_confirmed_at < timedelta(minutes=1)
        assert entry.confirmed_by_id == who.id
        audit = db.session.scalar(db.select(AuditEntry))
        assert (audit.action, audit.actor_id, audit.target_id) == (
            "commitment.confirm",
            who.id,
            entry_id,
        )
    html = client.get(f"/catalog/{entry_id}").get_data(as_text=True)
    assert "Stale —" not in html and "Confirmed today" in html


def test_confirming_a_retired_entry_is_refused_with_a_message(app, client, login):
    who = login("ops")
    entry_id = _entry(app, who.team_id, days=120, active=False)
    response = client.post(f"/catalog/{entry_id}/confirm", follow_redirects=True)
    assert "reactivate it first" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Commitment, entry_id).is_stale()


def test_confirming_needs_a_csrf_token(app, client, login):
    who = login("ops")
    entry_id = _entry(app, who.team_id, days=120)
    assert client.post(f"/catalog/{entry_id}/confirm", csrf=False).status_code == 400
    with app.app_context():
        assert db.session.get(Commitment, entry_id).is_stale()


def test_retiring_hides_the_entry_from_the_catalog(app, client, login):
    who = login("ops")
    entry_id = _entry(app, who.team_id, "Going away")
    link = f'<a href="/catalog/{entry_id}">Going away</a>'
    assert client.post(f"/catalog/{entry_id}/deactivate").status_code == 302
    assert link not in client.get("/catalog/").get_data(as_text=True)
    assert client.post(f"/catalog/{entry_id}/reactivate").status_code == 302
    assert link in client.get("/catalog/").get_data(as_text=True)


def test_options_list_a_teams_active_entries_with_their_stale_flag(app, client, login):
    login("rep")
    team = _team(app)
    fresh = _entry(app, team, "A fresh one", days=89, promise="Fresh promise.")
    stale = _entry(app, team, "B stale one", days=91, promise="Stale promise.")
    _entry(app, team, "C retired", active=False)
    _entry(app, _team(app), "Other team's")
    response = client.get(f"/catalog/options?team_id={team}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == [
        {"id": fresh, "title": "A fresh one", "promise": "Fresh promise.", "stale": False},
        {"id": stale, "title": "B stale one", "promise": "Stale promise.", "stale": True},
    ]


def test_options_of_a_team_without_entries_are_an_empty_list(app, client, login):
    login("rep")
    assert client.get(f"/catalog/options?team_id={_team(app)}").get_json() == []


@pytest.mark.parametrize("query", ["", "?team_id=", "?team_id=abc", "?team_id=1.5"])
def test_options_without_a_numeric_team_id_are_a_bad_request(client, login, query):
    login("rep")
    response = client.get(f"/catalog/options{query}")
    assert response.status_code == 400
    assert response.get_json()["message"] == "Give team_id as a whole number."


@pytest.mark.parametrize("team_id", ["999999", "0", "-3", "99999999999999999999"])
def test_options_of_a_missing_team_are_not_found(client, login, team_id):
    login("rep")
    response = client.get(f"/catalog/options?team_id={team_id}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not found"
