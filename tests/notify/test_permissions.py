"""Who may open each notification route: every role × every route, own / other's / missing
items, and refused writes that change nothing. (The shared access-matrix test is not on this
branch; these rows belong in it once it is.)"""

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.outbox import OutboxMessage
from forum.extensions import db
from forum.notify import services
from forum.notify.models import Notification

ROLES = ["anonymous", "rep", "ops", "leader", "admin"]


def _sign_in(client, make_user, role):
    if role == "anonymous":
        return None
    who = make_user(role)
    client.sign_in(who)
    return who


def _expect(role: str, allowed: set[str], ok: int) -> int:
    if role == "anonymous":
        return 302  # to the sign-in page
    return ok if role in allowed else 403


EVERYONE = {"rep", "ops", "leader", "admin"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "allowed", "ok"),
    [
        ("get", "/notifications/", EVERYONE, 200),
        ("get", "/notifications/preferences", EVERYONE, 200),
        ("post", "/notifications/read-all", EVERYONE, 303),
        ("get", "/notifications/outbox", {"admin"}, 200),
    ],
)
def test_each_role_gets_the_expected_answer_from_each_route(
    client, make_user, role, method, path, allowed, ok
):
    _sign_in(client, make_user, role)
    response = getattr(client, method)(path)
    assert response.status_code == _expect(role, allowed, ok)
    if role == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.fixture
def someone_elses(app, make_user):
    """A notification and a failed outbox message belonging to another user."""
    other = make_user("rep")
    with app.app_context():
        user = db.session.get(User, other.id)
        [note] = services.notify(
            [user], lambda u: services.Message(event="mention", title="Theirs", url="/")
        )
        row = db.session.get(OutboxMessage, db.session.scalars(sa.select(OutboxMessage.id)).one())
        row.status = "failed"
        db.session.commit()
        return note.id, row.id


@pytest.mark.parametrize("verb", ["read", "open"])
@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_marking_my_own_notification_read_works_for_every_role(app, client, make_user, role, verb):
    who = _sign_in(client, make_user, role)
    with app.app_context():
        user = db.session.get(User, who.id)
        [note] = services.notify(
            [user], lambda u: services.Message(event="mention", title="Mine", url="/")
        )
        db.session.commit()
        note_id = note.id
    assert client.post(f"/notifications/{note_id}/{verb}").status_code == 303
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is not None


@pytest.mark.parametrize("verb", ["read", "open"])
@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_nobody_marks_someone_elses_notification_read(
    app, client, make_user, role, someone_elses, verb
):
    note_id, _ = someone_elses
    _sign_in(client, make_user, role)
    assert client.post(f"/notifications/{note_id}/{verb}").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is None


@pytest.mark.parametrize("verb", ["read", "open"])
@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_a_missing_notification_is_a_404(client, make_user, role, verb):
    _sign_in(client, make_user, role)
    assert client.post(f"/notifications/2147483647/{verb}").status_code == 404
    assert client.post(f"/notifications/99999999999/{verb}").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "rep", "ops", "leader"])
def test_only_an_admin_queues_a_failed_email_again(app, client, make_user, role, someone_elses):
    _, row_id = someone_elses
    _sign_in(client, make_user, role)
    response = client.post(f"/notifications/outbox/{row_id}/retry")
    assert response.status_code == _expect(role, {"admin"}, 303)
    with app.app_context():
        assert db.session.get(OutboxMessage, row_id).status == "failed"


@pytest.mark.parametrize("role", ["anonymous", "rep", "ops", "leader"])
def test_only_an_admin_reads_the_mail_folder(client, make_user, role):
    _sign_in(client, make_user, role)
    response = client.get("/notifications/outbox/mail/x.eml")
    assert response.status_code == _expect(role, {"admin"}, 404)


def test_an_admin_queuing_a_missing_email_again_gets_a_404(client, make_user):
    _sign_in(client, make_user, "admin")
    assert client.post("/notifications/outbox/2147483647/retry").status_code == 404


def test_the_unsubscribe_page_needs_no_sign_in(app, client, make_user):
    who = make_user("rep")
    with app.app_context():
        token = services.unsubscribe_token(who.id, "comment")
    assert client.get(f"/notifications/unsubscribe/{token}").status_code == 200


def test_an_unsubscribe_token_for_a_kind_the_user_cannot_receive_is_a_404(app, client, make_user):
    who = make_user("rep")
    with app.app_context():
        token = services.unsubscribe_token(who.id, "fix_new")
    assert client.get(f"/notifications/unsubscribe/{token}").status_code == 404


def test_an_unsubscribe_token_of_a_deactivated_user_is_a_404(app, client, make_user):
    who = make_user("rep", active=False)
    with app.app_context():
        token = services.unsubscribe_token(who.id, "comment")
    assert client.post(f"/notifications/unsubscribe/{token}", csrf=False).status_code == 404


def test_every_notification_route_is_covered_by_these_tests(app):
    covered = {
        "notify.index",
        "notify.preferences",
        "notify.mark_all_read",
        "notify.mark_read",
        "notify.open_target",
        "notify.outbox_admin",
        "notify.mail_file",
        "notify.retry",
        "notify.unsubscribe",
    }
    routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("notify.")}
    assert routes == covered
