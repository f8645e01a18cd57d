"""Invitation and reset links: single use, expiring, bound to one user, the newest one wins."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth import services
from forum.auth.models import AuthToken, TokenPurpose, User
from forum.core.outbox import RESET_EVENT, SCRUBBED, OutboxMessage, OutboxStatus
from forum.core.outbox import enqueue as enqueue_mail
from forum.core.time import utcnow
from forum.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "a fresh new password"
CSRF_VALUE_RE = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]+(")')


def issue(app, user_id: int, purpose: TokenPurpose) -> str:
    with app.app_context():
        raw = services.issue_token(db.session.get(User, user_id), purpose)
        db.session.commit()
        return raw


def path_for(purpose: TokenPurpose, raw: str) -> str:
    return f"/invite/{raw}" if purpose == TokenPurpose.INVITE else f"/reset/{raw}"


def set_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


@pytest.fixture
def invited(make_user):
    return make_user("rep", password=None, active=False)


@pytest.fixture(params=[TokenPurpose.INVITE, TokenPurpose.RESET])
def purpose_and_user(request, make_user):
    """An invited user for an invitation, an active one for a reset."""
    if request.param == TokenPurpose.INVITE:
        return request.param, make_user("rep", password=None, active=False)
    return request.param, make_user("rep")


def test_link_sets_the_password_and_signs_the_user_in(app, client, purpose_and_user):
    purpose, who = purpose_and_user
    path = path_for(purpose, issue(app, who.id, purpose))
    response = set_password(client, path)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert can_sign_in(app, who.email, NEW_PASSWORD)


def test_link_works_only_once(app, client, purpose_and_user):
    purpose, who = purpose_and_user
    path = path_for(purpose, issue(app, who.id, purpose))
    set_password(client, path)
    other = app.test_client()
    assert other.get(path).status_code == 404
    assert set_password(other, path, "yet another password").status_code == 404
    assert not can_sign_in(app, who.email, "yet another password")


def test_expired_link_is_refused(app, client, purpose_and_user):
    purpose, who = purpose_and_user
    path = path_for(purpose, issue(app, who.id, purpose))
    with app.app_context():
        db.session.execute(sa.update(AuthToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(path).status_code == 404
    assert set_password(client, path).status_code == 404
    assert not can_sign_in(app, who.email, NEW_PASSWORD)


def test_link_about_to_expire_still_works(app, client, purpose_and_user):
    purpose, who = purpose_and_user
    path = path_for(purpose, issue(app, who.id, purpose))
    with app.app_context():
        db.session.execute(sa.update(AuthToken).values(expires_at=utcnow() + timedelta(minutes=1)))
        db.session.commit()
    assert set_password(client, path).status_code == 302


def test_invalid_link_page_is_readable(client):
    response = client.get("/reset/not-a-real-token")
    assert response.status_code == 404
    assert "<h1>This link is not valid</h1>" in response.get_data(as_text=True)


def test_second_link_revokes_the_first(app, client, purpose_and_user):
    purpose, who = purpose_and_user
    first = path_for(purpose, issue(app, who.id, purpose))
    second = path_for(purpose, issue(app, who.id, purpose))
    assert client.get(first).status_code == 404
    assert set_password(client, second).status_code == 302


def test_link_sets_only_its_own_users_password(app, client, make_user):
    owner, bystander = make_user("rep"), make_user("rep")
    set_password(client, path_for(TokenPurpose.RESET, issue(app, owner.id, TokenPurpose.RESET)))
    assert can_sign_in(app, owner.email, NEW_PASSWORD)
    assert can_sign_in(app, bystander.email, PASSWORD)


def test_invitation_link_does_not_work_as_a_reset_link(app, client, invited):
    raw = issue(app, invited.id, TokenPurpose.INVITE)
    assert client.get(f"/reset/{raw}").status_code == 404
    assert set_password(client, f"/reset/{raw}").status_code == 404


def test_reset_link_does_not_work_as_an_invitation(app, client, make_user):
    raw = issue(app, make_user("rep").id, TokenPurpose.RESET)
    assert client.get(f"/invite/{raw}").status_code == 404


def test_short_password_keeps_the_link_usable(app, client, purpose_and_user):
    purpose, who = purpose_and_user
    path = path_for(purpose, issue(app, who.id, purpose))
    response = set_password(client, path, "short")
    assert response.status_code == 200
    assert "Use at least 8 characters" in response.get_data(as_text=True)
    assert set_password(client, path).status_code == 302


def test_only_a_hash_of_the_token_is_stored(app, invited):
    raw = issue(app, invited.id, TokenPurpose.INVITE)
    with app.app_context():
        stored = db.session.scalar(sa.select(AuthToken.token_hash))
    assert raw not in stored


def test_reset_link_of_a_deactivated_user_does_not_set_a_password(app, client, make_user):
    who = make_user("rep")
    path = path_for(TokenPurpose.RESET, issue(app, who.id, TokenPurpose.RESET))
    with app.app_context():
        db.session.get(User, who.id).active = False
        db.session.commit()
    set_password(client, path)
    with app.app_context():
        user = db.session.get(User, who.id)
        assert not user.active
    assert client.get("/").status_code == 302


def request_reset(client, email: str):
    return client.post("/forgot-password", data={"email": email})


def test_forgot_password_answers_alike_for_known_and_unknown_addresses(app, make_user):
    who = make_user("rep")
    known_client, unknown_client = app.test_client(), app.test_client()
    known = request_reset(known_client, who.email)
    unknown = request_reset(unknown_client, "nobody@example.test")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    known_page = CSRF_VALUE_RE.sub("", known_client.get(known.headers["Location"]).get_data(True))
    unknown_page = CSRF_VALUE_RE.sub(
        "", unknown_client.get(unknown.headers["Location"]).get_data(True)
    )
    assert known_page == unknown_page
    assert "If that address belongs to an account" in known_page


def test_forgot_password_mails_a_link_to_a_known_address(app, client, make_user, outbox):
    who = make_user("rep")
    request_reset(client, who.email)
    [message] = outbox.messages
    assert outbox.to(message) == who.email
    assert outbox.link(message).startswith("/reset/")


def test_forgot_password_mails_nothing_for_an_unknown_address(client, outbox):
    request_reset(client, "nobody@example.test")
    assert outbox.messages == []


def test_forgot_password_mails_nothing_for_an_invited_user(client, invited, outbox):
    request_reset(client, invited.email)
    assert outbox.messages == []


def test_forgot_password_finds_the_account_whatever_the_spelling(client, make_user, outbox):
    make_user("rep", email="rep@example.com")
    request_reset(client, "  REP@Example.COM ")
    assert [outbox.to(m) for m in outbox.messages] == ["rep@example.com"]


def test_mailed_reset_link_sets_a_new_password(app, client, make_user, outbox):
    who = make_user("rep")
    request_reset(client, who.email)
    path = outbox.link(outbox.messages[0])
    assert set_password(app.test_client(), path).status_code == 302
    assert can_sign_in(app, who.email, NEW_PASSWORD)


def test_two_reset_mails_in_a_row_are_both_kept(client, make_user, outbox):
    who = make_user("rep")
    request_reset(client, who.email)
    request_reset(client, who.email)
    assert len(outbox.messages) == 2


def _stored_bodies(app) -> dict[str, tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.event, OutboxMessage.text_body, OutboxMessage.html_body)
        ).all()
        return {event: (text, html) for event, text, html in rows}


def test_a_sent_reset_mail_leaves_no_live_link_in_the_outbox(app, client, make_user, outbox):
    who = make_user("rep")
    request_reset(client, who.email)
    assert "/reset/" in _stored_bodies(app)["password_reset"][0]  # queued: the link waits

    path = outbox.link(outbox.messages[0])  # delivered: the recipient has the link
    assert _stored_bodies(app)["password_reset"] == (SCRUBBED, "")
    assert set_password(app.test_client(), path).status_code == 302  # and it still works


def test_a_sent_invitation_leaves_no_live_link_but_other_mails_keep_their_text(
    app, make_user, outbox
):
    admin = make_user("admin")
    with app.test_request_context():
        actor = db.session.get(User, admin.id)
        _, link = services.invite_user(
            "new.lead@example.com", "New Lead", "leader", None, actor=actor
        )
        enqueue_mail("someone@example.com", "A fix moved", "Fix #4 is resolved.", event="fix")
        db.session.commit()
    [_, _] = outbox.messages
    stored = _stored_bodies(app)
    assert stored["invite"] == (SCRUBBED, "")
    assert link.rpartition("/")[2] not in repr(stored)
    assert stored["fix"][0] == "Fix #4 is resolved."


def test_a_link_mail_given_up_on_is_scrubbed_too(app, outbox):
    with app.app_context():
        text = "Open http://localhost/reset/abc"
        enqueue_mail("not an address", "Reset", text, event=RESET_EVENT)
        db.session.commit()
    outbox.deliver()
    with app.app_context():
        row = db.session.scalars(sa.select(OutboxMessage)).one()
        assert (row.status, row.text_body) == (OutboxStatus.FAILED, SCRUBBED)
