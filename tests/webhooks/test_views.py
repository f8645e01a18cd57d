"""The admin pages: registering an endpoint (bad URLs refused with a clear form error, nothing
stored; the secret shown once), the delivery log, a test send and enabling/disabling — none of
which sends anything during the request."""

import html

import pytest
import sqlalchemy as sa

from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.extensions import db
from forum.webhooks import sender
from forum.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.pagecheck import page_problems

PUBLIC = "https://93.184.215.14/hooks/vos"
FORM = {"name": "Fixes channel", "url": PUBLIC, "events": ["fix.created", "fix.verified"]}


@pytest.fixture
def admin(login):
    return login("admin")


def _endpoints(app) -> list[WebhookEndpoint]:
    with app.app_context():
        rows = db.session.scalars(sa.select(WebhookEndpoint)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _register(client, **changes):
    return client.post("/admin/webhooks/new", data={**FORM, **changes})


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(app, client, admin):
    response = _register(client)
    assert response.status_code == 200
    [endpoint] = _endpoints(app)
    assert (endpoint.name, endpoint.url) == ("Fixes channel", PUBLIC)
    assert endpoint.events == ["fix.created", "fix.verified"] and endpoint.active
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.text
    for page in (f"/admin/webhooks/{endpoint.id}", "/admin/webhooks/"):
        shown = client.get(page)
        assert shown.status_code == 200 and endpoint.secret not in shown.text
        assert "Fixes channel" in shown.text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/hook", "private or reserved address (127.0.0.1)"),
        ("http://[::1]/hook", "private or reserved address (::1)"),
        (
            "http://169.254.169.254/latest/meta-data",
            "private or reserved address (169.254.169.254)",
        ),
        ("http://0x7f000001/", "private or reserved address (127.0.0.1)"),
        ("http://[::ffff:127.0.0.1]/", "private or reserved address"),
        ("http://10.1.2.3/", "private or reserved address (10.1.2.3)"),
        ("http://localhost:8080/", "private or reserved address"),
        ("ftp://93.184.215.14/", "Only http and https URLs can receive webhooks."),
        ("https://user:secret@93.184.215.14/", "Put no user name or password in the URL"),
        ("https://93.184.215.14:99999/", "That is not a valid URL."),
        ("not a url", "cannot contain spaces"),
        ("https:///path-only", "The URL names no host."),
    ],
)
def test_a_bad_url_is_refused_with_a_form_error_and_nothing_is_stored(
    app, client, admin, url, message
):
    response = _register(client, url=url)
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert "URL: " in text and message in text
    assert _endpoints(app) == []


def test_no_events_is_refused(app, client, admin):
    response = client.post("/admin/webhooks/new", data={"name": "x", "url": PUBLIC})
    assert response.status_code == 400 and "Choose at least one event." in response.text
    assert _endpoints(app) == []


def test_an_unknown_event_is_refused(app, client, admin):
    response = _register(client, events=["fix.created", "user.deleted"])
    assert response.status_code == 400 and _endpoints(app) == []


def test_the_pages_are_valid_html(client, admin):
    assert page_problems(client.get("/admin/webhooks/new").text) == []
    created = _register(client)
    assert page_problems(created.text) == []
    endpoint_id = _endpoints(client.application)[0].id
    assert page_problems(client.get(f"/admin/webhooks/{endpoint_id}").text) == []
    assert page_problems(client.get("/admin/webhooks/").text) == []


def test_a_test_send_is_only_queued_during_the_request(app, client, admin):
    _register(client)
    [endpoint] = _endpoints(app)
    response = client.post(f"/admin/webhooks/{endpoint.id}/test")
    assert response.status_code == 303
    with app.app_context():
        [delivery] = db.session.scalars(sa.select(WebhookDelivery)).all()
        row = db.session.get(OutboxMessage, delivery.outbox_id)
        assert (delivery.event, row.status, row.attempts) == ("ping", OutboxStatus.PENDING, 0)
    page = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert "ping" in page and "Not tried yet" in page


def test_disabling_gives_up_what_waits_and_enabling_restores(app, client, admin):
    _register(client)
    [endpoint] = _endpoints(app)
    client.post(f"/admin/webhooks/{endpoint.id}/test")
    assert client.post(f"/admin/webhooks/{endpoint.id}/disable").status_code == 303
    [endpoint] = _endpoints(app)
    assert not endpoint.active
    with app.app_context():
        assert db.session.scalars(sa.select(OutboxMessage.status)).all() == [OutboxStatus.FAILED]
    refused = client.post(f"/admin/webhooks/{endpoint.id}/test", follow_redirects=True)
    assert "Enable the endpoint before sending it a test message." in refused.text
    client.post(f"/admin/webhooks/{endpoint.id}/enable")
    assert _endpoints(app)[0].active


def test_webhook_rows_stay_out_of_the_e_mail_outbox_page(app, client, admin):
    _register(client)
    [endpoint] = _endpoints(app)
    client.post(f"/admin/webhooks/{endpoint.id}/test")
    page = client.get("/notifications/outbox").text
    assert "ping to Fixes channel" not in page


def test_a_webhook_row_cannot_be_retried_as_an_e_mail(app, client, admin):
    _register(client)
    [endpoint] = _endpoints(app)
    client.post(f"/admin/webhooks/{endpoint.id}/disable")  # gives the row up: failed
    with app.app_context():
        row_id = db.session.scalar(sa.select(OutboxMessage.id))
    assert client.post(f"/notifications/outbox/{row_id}/retry").status_code == 404


def test_the_sender_refuses_to_run_inside_a_request(app):
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="never during"):
        sender.send(OutboxMessage(id=1, channel="webhook"))
