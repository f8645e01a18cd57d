"""Delivering webhooks through the outbox to a real HTTP receiver on 127.0.0.1: signed,
retried with backoff until accepted, every attempt logged; redirects never followed; the
address checked again at each delivery; an endpoint that keeps failing is disabled and the
admins are told."""

import sqlalchemy as sa

from forum.core.outbox import OutboxStatus
from forum.extensions import db
from forum.notify.models import Notification
from forum.notify.services import queue_email
from forum.webhooks import services, signing
from forum.webhooks.models import WebhookAttempt
from tests.notify.conftest import build_org, file_post, person
from tests.webhooks.conftest import TLS_CERT, deliveries, outbox_row, register, run_worker


def test_a_delivery_refused_twice_is_accepted_on_the_third_attempt_and_each_is_logged(
    org, receiver
):
    endpoint, secret = register(org, receiver.url(), events=["report.filed"])
    receiver.secret = secret
    receiver.plan.extend([500, 503])
    post = file_post(org.author, title="Invoices arrive in the wrong currency")
    assert receiver.got == []  # queued, not sent: only the worker sends

    run_worker(rounds=4)  # the fourth finds nothing due

    assert [r.signed for r in receiver.got] == [True, True, True]
    [d] = deliveries(endpoint)
    assert {r.headers[signing.DELIVERY_HEADER] for r in receiver.got} == {d.uid}
    assert all(r.headers[signing.EVENT_HEADER] == "report.filed" for r in receiver.got)
    row = outbox_row(d)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 3)
    attempts = db.session.scalars(
        sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == d.id)
    ).all()
    assert [(a.number, a.status_code, a.accepted) for a in attempts] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert all(a.latency_ms is not None and a.latency_ms >= 0 for a in attempts)
    payload = receiver.got[-1].payload
    assert payload["version"] == "1" and payload["event"] == "report.filed"
    assert payload["data"]["report"]["id"] == post.id
    assert db.session.get(type(endpoint), endpoint.id).consecutive_failures == 0


def test_a_replayed_body_with_another_timestamp_fails_the_signature(org, receiver):
    endpoint, secret = register(org, receiver.url(), events=["report.filed"])
    receiver.secret = secret
    file_post(org.author)
    run_worker()
    [got] = receiver.got
    timestamp = int(got.headers[signing.TIMESTAMP_HEADER])
    signature = got.headers[signing.SIGNATURE_HEADER]
    assert signing.verify(secret, str(timestamp), got.body, signature)
    assert not signing.verify(secret, str(timestamp + 600), got.body, signature)
    assert not signing.verify("whsec_another", str(timestamp), got.body, signature)


def test_the_payload_is_slack_compatible_text_and_blocks(org, receiver):
    register(org, receiver.url(), events=["report.filed"])
    file_post(org.author, title="Pricing <page> & terms")
    run_worker()
    payload = receiver.got[0].payload
    assert "Pricing <page> & terms" in payload["text"]
    section, context = payload["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "Pricing &lt;page&gt; &amp; terms" in section["text"]["text"]
    assert context["type"] == "context"


def test_a_redirect_is_not_followed_even_to_an_allowed_looking_internal_address(
    org, receiver, private_target
):
    endpoint, _ = register(org, receiver.url("/redirect"), events=["report.filed"])
    receiver.redirect_to = private_target.url("/steal").replace("127.0.0.1", "localhost")
    file_post(org.author)
    run_worker()
    assert [r.path for r in receiver.got] == ["/redirect"]
    assert private_target.got == []
    [d] = deliveries(endpoint)
    [attempt] = d.attempts
    assert attempt.status_code == 302 and not attempt.accepted
    assert "redirects are not followed" in attempt.error
    assert outbox_row(d).status == OutboxStatus.PENDING  # retried later, never followed


def test_the_address_is_checked_again_at_each_delivery(app, org, receiver):
    endpoint, _ = register(org, receiver.url(), events=["report.filed"])
    file_post(org.author)
    app.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] = ()  # as if its name now led inside
    run_worker()
    assert receiver.got == []
    [d] = deliveries(endpoint)
    [attempt] = d.attempts
    assert attempt.status_code is None and attempt.error.startswith("Refused: ")
    assert "private or reserved address" in attempt.error


def test_a_delivery_is_given_up_after_the_last_attempt(app, org, receiver):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    endpoint, _ = register(org, receiver.url(), events=["report.filed"])
    receiver.plan.extend([500, 500, 500])
    file_post(org.author)
    run_worker(rounds=3)
    assert len(receiver.got) == 2
    [d] = deliveries(endpoint)
    row = outbox_row(d)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 2)
    assert "Given up after 2 attempts" in row.last_error


def test_an_endpoint_failing_again_and_again_is_disabled_and_the_admins_are_told(
    app, org, receiver
):
    app.config["WEBHOOK_DISABLE_AFTER"] = 3
    endpoint, _ = register(org, receiver.url(), events=["report.filed"])
    receiver.plan.extend([500] * 10)
    file_post(org.author, title="First")
    run_worker(rounds=2)
    file_post(org.author, title="Second")  # queued while the first is still retried
    run_worker()
    db.session.expire_all()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert "3 failed attempts in a row" in endpoint.disabled_reason
    assert {outbox_row(d).status for d in deliveries(endpoint)} == {OutboxStatus.FAILED}
    [notice] = db.session.scalars(
        sa.select(Notification).where(Notification.event == "webhook_disabled")
    ).all()
    assert notice.user_id == org.admin and endpoint.name in notice.title

    got = len(receiver.got)
    file_post(org.author, title="Third")  # a disabled endpoint is queued nothing
    run_worker()
    assert len(deliveries(endpoint)) == 2 and len(receiver.got) == got


def test_enabling_again_resets_the_failure_count(app, org, receiver):
    app.config["WEBHOOK_DISABLE_AFTER"] = 1
    endpoint, _ = register(org, receiver.url(), events=["report.filed"])
    receiver.plan.append(500)
    file_post(org.author)
    run_worker()
    assert not endpoint.active
    services.set_active(endpoint, True, actor=person(org.admin))
    db.session.commit()
    assert endpoint.active and endpoint.consecutive_failures == 0
    file_post(org.author, title="After the repair")
    run_worker()
    assert receiver.got[-1].payload["data"]["report"]["title"] == "After the repair"


def test_a_test_send_is_queued_and_sent_by_the_worker(org, receiver):
    endpoint, secret = register(org, receiver.url(), events=["fix.created"])
    receiver.secret = secret
    services.test_send(endpoint, actor=person(org.admin))
    db.session.commit()
    assert receiver.got == []
    run_worker()
    [got] = receiver.got
    assert got.signed and got.payload["event"] == "ping"
    assert "Test message" in got.payload["text"]


def test_an_unreachable_endpoint_does_not_hold_up_the_e_mails_behind_it(org, refused_port):
    endpoint, _ = register(org, f"http://127.0.0.1:{refused_port}/", events=["report.filed"])
    file_post(org.author)
    mail = queue_email(person(org.leader), event="mention", subject="Hello", text="Hi")
    db.session.commit()
    [report] = run_worker()
    assert report.sent == 1 and report.retried == 1
    assert outbox_row(deliveries(endpoint)[0]).status == OutboxStatus.PENDING
    db.session.refresh(mail)
    assert mail.status == OutboxStatus.SENT


def test_https_checks_the_certificate_of_the_name_while_connecting_to_the_checked_address(
    app, org, tls_receiver
):
    app.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] = ("localhost",)
    tls_receiver.got.clear()
    endpoint, secret = register(org, tls_receiver.url(host="localhost"), events=["report.filed"])
    tls_receiver.secret = secret
    file_post(org.author)
    run_worker()  # the system's CAs do not know the receiver's certificate
    [d] = deliveries(endpoint)
    [first] = d.attempts
    assert first.status_code is None and "CERTIFICATE_VERIFY_FAILED" in first.error
    assert tls_receiver.got == []

    app.config["WEBHOOK_CA_BUNDLE"] = str(TLS_CERT)  # an internal CA, as for an on-premises chat
    run_worker(rounds=2)  # the retry is due in the second round
    [got] = tls_receiver.got
    assert got.signed and got.headers["Host"] == f"localhost:{tls_receiver.port}"
    assert outbox_row(deliveries(endpoint)[0]).status == OutboxStatus.SENT


def test_webhooks_go_on_while_the_mail_server_is_down(make_app, refused_port, receiver):
    app = make_app(
        MAIL_TRANSPORT="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=refused_port,
        WEBHOOK_ALLOWED_INTERNAL_HOSTS=("127.0.0.1",),
    )
    with app.app_context():
        org = build_org()
        first = queue_email(person(org.leader), event="mention", subject="One", text="1")
        endpoint, _ = register(org, receiver.url(), events=["report.filed"])
        file_post(org.author)
        second = queue_email(person(org.leader), event="mention", subject="Two", text="2")
        db.session.commit()
        [report] = run_worker()
        assert report.retried == 1 and report.released == 1 and report.sent == 1
        assert len(receiver.got) == 1
        assert outbox_row(deliveries(endpoint)[0]).status == OutboxStatus.SENT
        for mail in (first, second):
            db.session.refresh(mail)
            assert mail.status == OutboxStatus.PENDING
