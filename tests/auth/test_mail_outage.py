"""A password reset while the mail server is down: the same answer for every address, and the
reset mail waits in the outbox until the server is back."""

import re
from datetime import timedelta

import sqlalchemy as sa

from forum.core.outbox import OutboxMessage
from forum.core.time import utcnow
from forum.extensions import db
from forum.notify.delivery import deliver_due
from tests import factories
from tests.pagecheck import without_tokens

LATER = timedelta(days=2)  # past any backoff
NEW_PASSWORD = "a fresh new password"


def add_user(app, **fields) -> str:
    with app.app_context():
        email = factories.user("rep", **fields).email
        db.session.commit()
        return email


def request_reset(app, email: str):
    client = app.test_client()
    response = client.post("/forgot-password", data={"email": email})
    return client, response


def queued(app) -> list[tuple[str, str]]:
    with app.app_context():
        return db.session.execute(
            sa.select(OutboxMessage.to_address, OutboxMessage.status).order_by(OutboxMessage.id)
        ).all()


def test_with_the_mail_server_down_a_reset_answers_alike_for_known_and_unknown_addresses(mail_down):
    app, _ = mail_down
    email = add_user(app)
    known_client, known = request_reset(app, email)
    unknown_client, unknown = request_reset(app, "nobody@example.test")
    assert (known.status_code, known.headers["Location"]) == (302, "/login")
    assert (unknown.status_code, unknown.headers["Location"]) == (302, "/login")
    assert without_tokens(known) == without_tokens(unknown)
    known_page = known_client.get("/login")
    unknown_page = unknown_client.get("/login")
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_tokens(known_page) == without_tokens(unknown_page)
    assert "If that address belongs to an account" in known_page.get_data(as_text=True)


def test_a_reset_asked_for_while_the_mail_server_is_down_is_sent_once_it_is_up(mail_down):
    app, server = mail_down
    email = add_user(app)
    request_reset(app, email)
    with app.app_context():
        report = deliver_due()
    assert (report.sent, report.retried) == (0, 1)
    assert queued(app) == [(email, "pending")]

    server.start()
    with app.app_context():
        assert deliver_due(now=utcnow() + LATER).sent == 1
    assert queued(app) == [(email, "sent")]
    [received] = server.inbox.received
    assert received.rcpt_tos == [email]
    assert received.message["Subject"] == "Reset your Voice of Sales password"
    path = re.search(r"http://localhost(/reset/\S+)", received.message.get_content()).group(1)

    client = app.test_client()
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    signed_in = app.test_client().post("/login", data={"email": email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_an_unknown_address_queues_no_mail_while_the_server_is_down(mail_down):
    app, _ = mail_down
    _, response = request_reset(app, "nobody@example.test")
    assert response.status_code == 302
    assert queued(app) == []
