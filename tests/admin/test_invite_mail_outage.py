"""Inviting someone while the mail server is down: the user and their queued invitation are
saved together, the page shows the link, and the e-mail goes out once the server is back."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.outbox import OutboxMessage
from forum.core.time import utcnow
from forum.extensions import db
from forum.notify.delivery import deliver_due
from tests import factories
from tests.conftest import Who

LATER = timedelta(days=2)  # past any backoff
NEW_PASSWORD = "a password of my own"
LINK = re.compile(r"http://localhost(/invite/[\w-]+)")


@pytest.fixture
def admin_client(mail_down):
    app, _ = mail_down
    with app.app_context():
        region = factories.team("sales", name="EMEA")
        admin = factories.user("admin")
        db.session.commit()
        who = Who(admin.id, admin.email, admin.role, None)
        region_id = region.id
    client = app.test_client()
    client.sign_in(who)
    return client, region_id


def invite(client, region_id: int, email: str = "new.rep@example.com"):
    data = {"email": email, "display_name": "New Rep", "role": "rep", "team_id": str(region_id)}
    return client.post("/admin/users/invite", data=data)


def test_with_the_mail_server_down_an_invitation_shows_its_link_and_queues_the_mail(
    mail_down, admin_client
):
    app, _ = mail_down
    client, region_id = admin_client
    response = invite(client, region_id)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert LINK.search(page), "the page shows the invitation link"
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new.rep@example.com"))
        assert user is not None and not user.active
        [row] = db.session.scalars(sa.select(OutboxMessage)).all()
        assert (row.to_address, row.user_id, row.status) == (user.email, user.id, "pending")
        assert LINK.search(row.text_body).group(1) == LINK.search(page).group(1)


def test_an_invitation_queued_while_the_mail_server_is_down_is_sent_once_it_is_up(
    mail_down, admin_client
):
    app, server = mail_down
    client, region_id = admin_client
    shown = LINK.search(invite(client, region_id).get_data(as_text=True)).group(1)
    with app.app_context():
        assert deliver_due().sent == 0

    server.start()
    with app.app_context():
        assert deliver_due(now=utcnow() + LATER).sent == 1
    [received] = server.inbox.received
    assert received.rcpt_tos == ["new.rep@example.com"]
    assert LINK.search(received.message.get_content()).group(1) == shown

    invitee = app.test_client()
    response = invitee.post(shown, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new.rep@example.com"))
        assert user.active
