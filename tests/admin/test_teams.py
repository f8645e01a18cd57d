"""Team administration: sales regions and operations teams, names unique whatever the case."""

import pytest
import sqlalchemy as sa

from forum.auth.models import Team
from forum.extensions import db
from tests import factories


@pytest.fixture
def admin(login):
    return login("admin")


def save_team(client, url="/admin/teams/new", **fields):
    data = {"name": "Billing", "kind": "operations", "description": "", "lead_id": ""}
    data.update({k: "" if v is None else str(v) for k, v in fields.items()})
    return client.post(url, data=data)


def teams(app) -> list[tuple[str, str]]:
    with app.app_context():
        return db.session.execute(sa.select(Team.name, Team.kind).order_by(Team.id)).all()


def team_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Team.id).order_by(Team.id)))


def get_team(app, team_id: int) -> Team:
    with app.app_context():
        team = db.session.get(Team, team_id)
        db.session.expunge(team)
        return team


def test_admin_creates_a_team(app, client, admin):
    response = save_team(client, description="Invoices and credit notes.")
    assert response.status_code == 302
    assert teams(app) == [("Billing", "operations")]


def test_created_team_is_listed(client, admin):
    save_team(client)
    assert "Billing" in client.get("/admin/teams").get_data(as_text=True)


def test_team_name_is_stored_normalised(app, client, admin):
    save_team(client, name="  Customer    Ｓupport ")
    assert teams(app) == [("Customer Support", "operations")]


def test_admin_renames_a_team(app, client, admin):
    save_team(client)
    [team_id] = team_ids(app)
    response = save_team(client, url=f"/admin/teams/{team_id}", name="Billing & Collections")
    assert response.status_code == 302
    assert get_team(app, team_id).name == "Billing & Collections"


def test_duplicate_team_name_is_refused_with_a_form_error(app, client, admin):
    save_team(client)
    response = save_team(client, name="billing", kind="sales")
    assert response.status_code == 200
    assert 'id="name-error">A team with this name already exists.' in response.get_data(
        as_text=True
    )
    assert teams(app) == [("Billing", "operations")]


def test_renaming_onto_another_teams_name_is_refused(app, client, admin):
    save_team(client, name="Billing")
    save_team(client, name="Shipping")
    shipping_id = team_ids(app)[-1]
    response = save_team(client, url=f"/admin/teams/{shipping_id}", name="BILLING")
    assert "A team with this name already exists." in response.get_data(as_text=True)
    assert get_team(app, shipping_id).name == "Shipping"


def test_saving_a_team_under_its_own_name_is_allowed(app, client, admin):
    save_team(client)
    [team_id] = team_ids(app)
    response = save_team(client, url=f"/admin/teams/{team_id}", description="Now described.")
    assert response.status_code == 302
    assert get_team(app, team_id).description == "Now described."


def test_team_name_too_long_once_case_folded_is_refused(app, client, admin):
    # "ß" is one character but case-folds to "ss": 41 of them pass the form, not the key column.
    response = save_team(client, name="ß" * 41)
    assert response.status_code == 200
    assert teams(app) == []


def test_team_without_a_name_is_refused(app, client, admin):
    response = save_team(client, name="   ")
    assert response.status_code == 200
    assert teams(app) == []


def test_kind_of_a_team_with_members_cannot_change(app, client, admin):
    with app.app_context():
        region = factories.team("sales", name="EMEA")
        factories.user("rep", team_obj=region)
        db.session.commit()
        region_id = region.id
    response = save_team(client, url=f"/admin/teams/{region_id}", name="EMEA", kind="operations")
    body = response.get_data(as_text=True)
    assert 'id="kind-error">Move this team&#39;s members before changing its kind.' in body
    assert get_team(app, region_id).kind == "sales"


def test_operations_team_gets_a_lead_and_a_sponsor(app, client, admin, make_user):
    lead, sponsor = make_user("leader"), make_user("leader")
    save_team(client, lead_id=lead.id, sponsor_id=sponsor.id)
    [team_id] = team_ids(app)
    team = get_team(app, team_id)
    assert (team.lead_id, team.sponsor_id) == (lead.id, sponsor.id)


def test_sales_region_has_no_sponsor(app, client, admin, make_user):
    sponsor = make_user("leader")
    save_team(client, name="EMEA", kind="sales", sponsor_id=sponsor.id)
    [team_id] = team_ids(app)
    assert get_team(app, team_id).sponsor_id is None


def test_sponsor_who_is_not_a_leader_is_refused(app, client, admin, make_user):
    rep = make_user("rep")
    response = save_team(client, sponsor_id=rep.id)
    assert response.status_code == 200
    assert "Billing" not in [name for name, _ in teams(app)]
