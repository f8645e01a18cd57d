"""User administration: invitations, roles and teams, deactivation."""

import pytest
import sqlalchemy as sa

from forum.auth.models import AuthToken, User
from forum.extensions import db
from tests import factories

NEW_PASSWORD = "a password of my own"


@pytest.fixture
def admin(login):
    return login("admin")


@pytest.fixture
def region(app) -> int:
    with app.app_context():
        team = factories.team("sales", name="EMEA")
        db.session.commit()
        return team.id


@pytest.fixture
def ops_team(app) -> int:
    with app.app_context():
        team = factories.team("operations", name="Billing")
        db.session.commit()
        return team.id


def invite(client, email="new.rep@example.com", role="rep", team_id=None, name="New Rep"):
    data = {"email": email, "display_name": name, "role": role}
    if team_id is not None:
        data["team_id"] = str(team_id)
    return client.post("/admin/users/invite", data=data)


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def get_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def edit(client, user_id: int, role: str, team_id=None, name="Edited Name"):
    data = {"display_name": name, "role": role, "team_id": "" if team_id is None else str(team_id)}
    return client.post(f"/admin/users/{user_id}", data=data)


# invitations


def test_invited_user_is_created_inactive_without_a_password(app, client, admin, region):
    response = invite(client, team_id=region)
    assert response.status_code == 200
    user = user_by_email(app, "new.rep@example.com")
    assert (user.role, user.team_id, user.active, user.password_hash) == (
        "rep",
        region,
        False,
        None,
    )


def test_invited_user_is_emailed_a_link(client, admin, region, outbox):
    invite(client, team_id=region)
    [message] = outbox.messages
    assert outbox.to(message) == "new.rep@example.com"
    assert outbox.link(message).startswith("/invite/")


def test_invitation_page_shows_the_same_link_as_the_email(client, admin, region, outbox):
    response = invite(client, team_id=region)
    assert outbox.link(outbox.messages[0]) in response.get_data(as_text=True)


def test_accepting_an_invitation_sets_the_password_and_signs_in(app, client, admin, region, outbox):
    invite(client, team_id=region)
    invitee = app.test_client()
    path = outbox.link(outbox.messages[0])
    response = invitee.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "New Rep" in invitee.get("/").get_data(as_text=True)
    assert user_by_email(app, "new.rep@example.com").active


def test_accepted_invitee_can_sign_in_again_later(app, client, admin, region, outbox):
    invite(client, team_id=region)
    path = outbox.link(outbox.messages[0])
    app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = app.test_client().post(
        "/login", data={"email": "new.rep@example.com", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_invited_user_cannot_sign_in_before_accepting(app, client, admin, region):
    invite(client, team_id=region)
    response = app.test_client().post(
        "/login", data={"email": "new.rep@example.com", "password": ""}
    )
    assert response.status_code == 200


def test_invitation_stores_the_email_normalised(app, client, admin, region):
    invite(client, email="  New.Rep@Example.COM ", team_id=region)
    assert user_by_email(app, "new.rep@example.com") is not None


def test_invitation_to_an_intranet_address_is_accepted(app, client, admin):
    response = invite(client, email="lena@corp.local", role="leader")
    assert response.status_code == 200
    assert user_by_email(app, "lena@corp.local") is not None


def test_invitation_to_something_that_is_not_an_address_is_refused(app, client, admin):
    response = invite(client, email="not an address", role="leader")
    assert "not a valid e-mail address" in response.get_data(as_text=True)
    assert user_by_email(app, "not an address") is None


def test_invitation_of_an_existing_address_is_refused(app, client, admin, make_user):
    make_user("leader", email="lena@example.com")
    response = invite(client, email="lena@example.com", role="leader")
    assert "A user with this e-mail already exists." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "look_alike", ["LENA@example.com", " lena@EXAMPLE.com ", "ｌｅｎａ@example.com"]
)
def test_invitation_of_a_look_alike_address_is_refused(
    app, client, admin, make_user, look_alike, outbox
):
    make_user("leader", email="lena@example.com")
    response = invite(client, email=look_alike, role="leader")
    assert "A user with this e-mail already exists." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2
    assert outbox.messages == []


def test_invitation_of_a_rep_without_a_sales_region_is_refused_on_the_team_field(
    app, client, admin, ops_team
):
    response = invite(client, role="rep", team_id=ops_team)
    body = response.get_data(as_text=True)
    assert 'id="team_id-error">A sales rep must belong to a sales region.' in body
    assert user_by_email(app, "new.rep@example.com") is None


def test_invitation_of_ops_without_an_operations_team_is_refused(app, client, admin):
    response = invite(client, role="ops")
    assert "An operations user must belong to an operations team." in response.get_data(
        as_text=True
    )
    assert user_by_email(app, "new.rep@example.com") is None


def test_new_invitation_replaces_the_previous_link(app, client, admin, make_user, outbox):
    invited = make_user("leader", password=None, active=False)
    client.post(f"/admin/users/{invited.id}/reinvite")
    client.post(f"/admin/users/{invited.id}/reinvite")
    first, second = (outbox.link(m) for m in outbox.messages)
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200


def test_new_invitation_is_refused_once_the_password_is_set(app, client, admin, make_user):
    who = make_user("leader")
    response = client.post(f"/admin/users/{who.id}/reinvite", follow_redirects=True)
    assert "This user has already set a password." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuthToken.id))) == 0


# roles and teams


def test_admin_moves_a_rep_to_another_region(app, client, admin, make_user, region):
    who = make_user("rep")
    response = edit(client, who.id, "rep", region)
    assert response.status_code == 302
    assert get_user(app, who.id).team_id == region


def test_admin_makes_a_rep_an_ops_user_of_an_operations_team(
    app, client, admin, make_user, ops_team
):
    who = make_user("rep")
    edit(client, who.id, "ops", ops_team)
    user = get_user(app, who.id)
    assert (user.role, user.team_id) == ("ops", ops_team)


def test_rep_outside_a_sales_region_is_refused_with_a_form_error(
    app, client, admin, make_user, ops_team
):
    who = make_user("rep")
    response = edit(client, who.id, "rep", ops_team)
    assert response.status_code == 200
    assert 'id="team_id-error">A sales rep must belong to a sales region.' in response.get_data(
        as_text=True
    )
    assert get_user(app, who.id).team_id == who.team_id


def test_ops_outside_an_operations_team_is_refused_with_a_form_error(
    app, client, admin, make_user, region
):
    who = make_user("leader")
    response = edit(client, who.id, "ops", region)
    assert "An operations user must belong to an operations team." in response.get_data(
        as_text=True
    )
    assert get_user(app, who.id).role == "leader"


def test_rep_without_a_team_is_refused(app, client, admin, make_user):
    who = make_user("leader")
    edit(client, who.id, "rep", None)
    assert get_user(app, who.id).role == "leader"


def test_leader_needs_no_team(app, client, admin, make_user):
    who = make_user("rep")
    edit(client, who.id, "leader", None)
    user = get_user(app, who.id)
    assert (user.role, user.team_id) == ("leader", None)


def test_unknown_role_is_refused(app, client, admin, make_user):
    who = make_user("leader")
    response = edit(client, who.id, "superuser", None)
    assert response.status_code == 200
    assert get_user(app, who.id).role == "leader"


def test_display_name_is_stored_normalised(app, client, admin, make_user):
    who = make_user("leader")
    edit(client, who.id, "leader", None, name="  Ｌena   Leader ")
    assert get_user(app, who.id).display_name == "Lena Leader"


def test_display_name_too_long_once_normalised_is_refused(app, client, admin, make_user):
    who = make_user("leader", display_name="Lena")
    # Each of these ligatures becomes 18 characters under NFKC: 5 of them pass the form's limit.
    edit(client, who.id, "leader", None, name="\ufdfa" * 5)
    assert get_user(app, who.id).display_name == "Lena"


def test_admin_cannot_demote_themselves(app, client, admin):
    response = edit(client, admin.id, "leader", None)
    assert response.status_code == 200
    assert "You cannot remove your own admin role." in response.get_data(as_text=True)
    assert get_user(app, admin.id).role == "admin"


def test_admin_can_rename_themselves(app, client, admin):
    response = edit(client, admin.id, "admin", None, name="Ada Admin")
    assert response.status_code == 302
    assert get_user(app, admin.id).display_name == "Ada Admin"


def test_admin_can_demote_another_admin(app, client, admin, make_user):
    other = make_user("admin")
    edit(client, other.id, "leader", None)
    assert get_user(app, other.id).role == "leader"


# deactivation


def test_admin_cannot_deactivate_themselves(app, client, admin):
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert get_user(app, admin.id).active
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot deactivate yourself." in page


def test_admin_deactivates_a_user(app, client, admin, make_user):
    who = make_user("rep")
    client.post(f"/admin/users/{who.id}/active", data={"active": "0"})
    assert not get_user(app, who.id).active


def test_deactivated_user_cannot_sign_in(app, client, admin, make_user):
    who = make_user("rep")
    client.post(f"/admin/users/{who.id}/active", data={"active": "0"})
    response = app.test_client().post(
        "/login", data={"email": who.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 200


def test_reactivated_user_can_sign_in_again(app, client, admin, make_user):
    who = make_user("rep")
    client.post(f"/admin/users/{who.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{who.id}/active", data={"active": "1"})
    response = app.test_client().post(
        "/login", data={"email": who.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_deactivating_an_invited_user_revokes_the_invitation(app, client, admin, region, outbox):
    invite(client, team_id=region)
    user = user_by_email(app, "new.rep@example.com")
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    path = outbox.link(outbox.messages[0])
    response = app.test_client().post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 404
    assert not user_by_email(app, "new.rep@example.com").active


def test_deactivating_a_user_revokes_their_reset_link(app, client, admin, make_user, outbox):
    who = make_user("rep")
    app.test_client().post("/forgot-password", data={"email": who.email})
    client.post(f"/admin/users/{who.id}/active", data={"active": "0"})
    assert app.test_client().get(outbox.link(outbox.messages[0])).status_code == 404


def test_user_list_filters_by_role(client, admin, make_user):
    make_user("leader", display_name="Lena Leader")
    make_user("rep", display_name="Riley Rep")
    body = client.get("/admin/users?role=leader").get_data(as_text=True)
    assert "Lena Leader" in body
    assert "Riley Rep" not in body


def test_user_search_treats_wildcards_literally(client, admin, make_user):
    make_user("leader", display_name="Lena Leader")
    body = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "Lena Leader" not in body
