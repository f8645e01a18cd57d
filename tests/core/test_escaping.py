"""What users and admins type is shown as typed: never run as a template, never as HTML."""

import sqlalchemy as sa

from forum.auth.models import Team
from forum.extensions import db
from tests import factories

SCRIPT = "<script>alert(1)</script>"


def test_template_syntax_in_a_display_name_shows_literally(client, login):
    login("rep", display_name="Rita {{7*7}} {% if 1 %}x{% endif %}")
    body = client.get("/").get_data(as_text=True)
    assert "Rita {{7*7}} {% if 1 %}x{% endif %}" in body
    assert "Rita 49" not in body


def test_template_syntax_typed_by_an_admin_is_stored_as_typed(app, client, login):
    login("admin")
    client.post("/admin/teams/new", data={"name": "Team {{7*7}}", "kind": "sales"})
    with app.app_context():
        assert db.session.scalar(sa.select(Team.name)) == "Team {{7*7}}"
    assert "Team {{7*7}}" in client.get("/admin/teams").get_data(as_text=True)


def test_team_name_with_a_script_is_escaped_on_the_teams_page(client, login):
    login("admin")
    response = client.post("/admin/teams/new", data={"name": f"North {SCRIPT}", "kind": "sales"})
    assert response.status_code == 302
    body = client.get("/admin/teams").get_data(as_text=True)
    assert SCRIPT not in body
    assert "North &lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_team_name_with_a_script_is_escaped_in_the_saved_message(client, login):
    login("admin")
    response = client.post(
        "/admin/teams/new",
        data={"name": f"North {SCRIPT}", "kind": "sales"},
        follow_redirects=True,
    )
    assert SCRIPT not in response.get_data(as_text=True)


def test_team_name_with_a_script_is_escaped_in_the_team_choices(client, login):
    login("admin")
    client.post("/admin/teams/new", data={"name": f"North {SCRIPT}", "kind": "sales"})
    body = client.get("/admin/users/invite").get_data(as_text=True)
    assert SCRIPT not in body
    assert "&lt;script&gt;" in body


def test_team_name_with_a_script_is_escaped_on_the_users_page(app, client, login):
    with app.app_context():
        factories.user("rep", team_obj=factories.team("sales", name=f"North {SCRIPT}"))
        db.session.commit()
    login("admin")
    body = client.get("/admin/users").get_data(as_text=True)
    assert SCRIPT not in body
    assert "North &lt;script&gt;" in body


def test_display_name_with_a_script_is_escaped_in_the_header(client, login):
    login("rep", display_name=f"Rita {SCRIPT}")
    body = client.get("/").get_data(as_text=True)
    assert SCRIPT not in body
    assert "Rita &lt;script&gt;" in body
