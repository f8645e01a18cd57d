"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): every message arrives exactly
once, through restarts and outages; refusals and timeouts are retried; bad addresses fail alone."""

import socket
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.outbox import OutboxMessage
from forum.core.time import utcnow
from forum.extensions import db
from forum.notify import delivery, services, transports
from tests import factories
from tests.ports import reserve_port
from tests.smtp import SmtpServer

LATER = timedelta(days=2)  # past any backoff


def _queue(count: int = 1, **user_fields) -> list[int]:
    """``count`` e-mails to new users; returns the outbox ids. Commits."""
    ids = []
    for _ in range(count):
        user = factories.user("rep", **user_fields)
        row = services.queue_email(
            user,
            event="mention",
            subject=f"Hello {user.display_name}",
            text="Plain text part.",
            html="<!DOCTYPE html><p>HTML part.</p>",
        )
        ids.append(row.id)
    db.session.commit()
    return ids


def _rows(ids) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    ).all()


def _statuses(ids) -> list[str]:
    return [r.status for r in _rows(ids)]


@pytest.fixture
def sctx(smtp_app):
    with smtp_app.app_context():
        yield smtp_app


def test_each_pending_message_is_sent_once_and_marked_sent(sctx, smtp_server):
    ids = _queue(3)
    report = delivery.deliver_due()
    assert (report.sent, report.failed, report.retried) == (3, 0, 0)
    assert _statuses(ids) == ["sent"] * 3
    assert len(smtp_server.inbox.received) == 3


def test_delivering_again_sends_nothing_twice(sctx, smtp_server):
    _queue(2)
    delivery.deliver_due()
    assert delivery.deliver_due().sent == 0
    assert len(smtp_server.inbox.received) == 2


def test_the_email_arrives_with_plain_text_and_html_parts(sctx, smtp_server):
    [row_id] = _queue()
    delivery.deliver_due()
    [received] = smtp_server.inbox.received
    msg = received.message
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().strip() == "Plain text part."
    assert "HTML part." in msg.get_body(("html",)).get_content()


def test_the_email_carries_its_outbox_message_id_and_an_unsubscribe_header(sctx, smtp_server):
    [row_id] = _queue()
    delivery.deliver_due()
    [received] = smtp_server.inbox.received
    [row] = _rows([row_id])
    assert received.message["Message-ID"] == row.message_id
    assert received.message["List-Unsubscribe"].startswith("<http://localhost/notifications/")
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.message["Auto-Submitted"] == "auto-generated"


def test_a_server_stopped_mid_delivery_and_started_again_gets_every_message_exactly_once(
    sctx, smtp_server, monkeypatch
):
    ids = _queue(6)
    original = transports.SmtpTransport.send
    sent = []

    def send_then_stop_after_three(self, row, msg):
        original(self, row, msg)
        sent.append(row.id)
        if len(sent) == 3:
            smtp_server.stop()  # the server goes away between two messages of one batch

    monkeypatch.setattr(transports.SmtpTransport, "send", send_then_stop_after_three)
    first = delivery.deliver_due()
    assert (first.sent, first.retried, first.released) == (3, 1, 2)
    assert _statuses(ids) == ["sent"] * 3 + ["pending"] * 3

    smtp_server.start()
    second = delivery.deliver_due(now=utcnow() + LATER)
    assert second.sent == 3
    counts = Counter(smtp_server.inbox.message_ids())
    assert sorted(counts) == sorted(r.message_id for r in _rows(ids))
    assert set(counts.values()) == {1}


def test_a_refused_connection_keeps_every_message_queued(make_app, refused_port):
    app = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=refused_port)
    with app.app_context():
        ids = _queue(3)
        report = delivery.deliver_due()
        assert (report.sent, report.retried, report.released) == (0, 1, 2)
        rows = _rows(ids)
        assert [r.status for r in rows] == ["pending"] * 3
        assert rows[0].attempts == 1 and rows[0].last_error.endswith("refused the connection.")
        assert rows[1].attempts == 0 and rows[1].last_error.startswith("Not tried yet")


def test_queued_messages_are_sent_when_the_server_comes_back(make_app):
    sock = reserve_port()  # refuses connections until the server listens on it
    port = sock.getsockname()[1]
    app = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        ids = _queue(2)
        delivery.deliver_due()
        server = SmtpServer(sock)
        server.start()
        try:
            assert delivery.deliver_due(now=utcnow() + LATER).sent == 2
        finally:
            server.stop()
        assert _statuses(ids) == ["sent", "sent"]
        assert len(server.inbox.received) == 2


def test_a_failed_message_is_not_tried_again_before_its_backoff_ends(make_app, refused_port):
    app = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=refused_port)
    with app.app_context():
        _queue(1)
        delivery.deliver_due()
        assert delivery.deliver_due().claimed == 0
        assert delivery.deliver_due(now=utcnow() + LATER).claimed == 1


@pytest.fixture
def silent_server():
    """A port that accepts connections and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


def test_a_server_that_never_answers_times_out_and_the_message_stays_queued(
    make_app, silent_server
):
    app = make_app(
        MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=silent_server, MAIL_TIMEOUT=1
    )
    with app.app_context():
        [row_id] = _queue(1)
        report = delivery.deliver_due()
        assert report.retried == 1
        [row] = _rows([row_id])
        assert row.status == "pending"
        assert row.last_error == "The mail server did not answer in time."


def test_a_temporary_refusal_keeps_the_message_queued_and_the_next_one_is_tried(sctx, smtp_server):
    ids = _queue(2)
    smtp_server.inbox.data_reply = "451 4.3.0 Try again later"
    report = delivery.deliver_due()
    assert report.retried == 2  # both tried on the same connection
    rows = _rows(ids)
    assert [r.status for r in rows] == ["pending", "pending"]
    assert rows[0].last_error == "451 4.3.0 Try again later"


def test_a_refused_address_fails_with_the_reason_and_the_others_are_sent(sctx, smtp_server):
    ok_first = _queue(1)
    refused = _queue(1, email="gone@example.test")
    ok_last = _queue(1)
    smtp_server.inbox.refuse_rcpt["gone@example.test"] = "550 5.1.1 No such user here"
    report = delivery.deliver_due()
    assert (report.sent, report.failed) == (2, 1)
    [row] = _rows(refused)
    assert row.status == "failed"
    assert row.last_error == "The mail server refused the address: 550 5.1.1 No such user here"
    assert _statuses(ok_first + ok_last) == ["sent", "sent"]


@pytest.mark.parametrize(
    "address",
    ["not an address", "two@@example.test", "no-at-sign.example.test", "dot.@example.test"],
)
def test_a_malformed_address_fails_with_the_reason_and_the_others_are_sent(
    sctx, smtp_server, address
):
    good = _queue(1)
    bad = _queue(1, email=address)
    more = _queue(1)
    report = delivery.deliver_due()
    assert (report.sent, report.failed) == (2, 1)
    [row] = _rows(bad)
    assert row.status == "failed"
    assert row.last_error.startswith("Malformed address: ")
    assert address not in row.last_error
    assert _statuses(good + more) == ["sent", "sent"]
    assert all(r.rcpt_tos != [address] for r in smtp_server.inbox.received)


def test_newlines_in_a_name_and_a_title_cannot_add_headers_or_recipients(sctx, smtp_server):
    user = factories.user(
        "rep", display_name="Eve\r\nBcc: evil@example.test", email="eve@example.test"
    )
    services.notify(
        [user],
        lambda u: services.Message(
            event="mention",
            title="Shipping\r\nBcc: evil@example.test\nX-Injected: yes",
            body="Body",
            url="/",
        ),
    )
    db.session.commit()
    delivery.deliver_due()
    [received] = smtp_server.inbox.received
    msg = received.message
    assert received.rcpt_tos == ["eve@example.test"]
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert msg["Subject"] == "Shipping Bcc: evil@example.test X-Injected: yes"
    assert "\n" not in str(msg["To"]) and msg["To"].addresses[0].addr_spec == "eve@example.test"


def test_backoff_doubles_with_each_failure_up_to_a_ceiling(sctx):
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert delivery.backoff(50).total_seconds() == 3600


def test_repeated_failures_push_the_next_attempt_further_out(make_app, refused_port):
    app = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=refused_port)
    with app.app_context():
        [row_id] = _queue(1)
        now = utcnow()
        delivery.deliver_due(now=now)
        delivery.deliver_due(now=now + timedelta(seconds=61))
        [row] = _rows([row_id])
        assert row.attempts == 2
        assert row.next_attempt_at == now + timedelta(seconds=61 + 120)


def test_a_claim_left_by_a_stopped_worker_is_taken_again_only_after_the_lease(sctx, smtp_server):
    ids = _queue(2)
    now = utcnow()
    delivery.claim(now, 10)  # a worker claims, then dies before sending
    assert delivery.deliver_due(now=now + timedelta(seconds=30)).claimed == 0
    later = now + timedelta(seconds=sctx.config["OUTBOX_LEASE_SECONDS"] + 1)
    report = delivery.deliver_due(now=later)
    assert (report.recovered, report.sent) == (2, 2)
    assert Counter(smtp_server.inbox.message_ids()) == Counter(r.message_id for r in _rows(ids))


def test_a_worker_whose_claim_was_taken_over_cannot_mark_the_message(sctx):
    [row_id] = _queue(1)
    stale_token, _ = delivery.claim(utcnow(), 10)
    delivery.release_stale(utcnow() + timedelta(days=1))
    fresh_token, _ = delivery.claim(utcnow() + timedelta(days=1), 10)
    [row] = _rows([row_id])
    delivery._settle(row, stale_token, status="sent")
    [row] = _rows([row_id])
    assert row.status == "sending" and row.claim_token == fresh_token


def test_two_workers_at_once_send_every_message_exactly_once(smtp_app, smtp_server):
    with smtp_app.app_context():
        ids = _queue(30)
        message_ids = [r.message_id for r in _rows(ids)]
    errors = []

    def worker():
        try:
            with smtp_app.app_context():
                while delivery.deliver_due(limit=4).claimed:
                    pass
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    counts = Counter(smtp_server.inbox.message_ids())
    assert sorted(counts) == sorted(message_ids)
    assert set(counts.values()) == {1}


def test_the_worker_runs_until_it_is_stopped(smtp_app, smtp_server):
    with smtp_app.app_context():
        _queue(2)
    stop = threading.Event()
    lines = []

    def work():
        with smtp_app.app_context():
            delivery.run(interval=0.05, stop=stop, echo=lines.append)

    thread = threading.Thread(target=work)
    thread.start()
    # Wait for the two messages themselves (bounded generously: a loaded machine is slow).
    deadline = time.monotonic() + 60
    while len(smtp_server.inbox.received) < 2 and time.monotonic() < deadline:
        stop.wait(0.05)
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    assert len(smtp_server.inbox.received) == 2
    assert "2 sent, 0 to retry, 0 failed" in lines


def test_the_deliver_command_once_sends_what_is_due_and_exits(smtp_app, smtp_server):
    with smtp_app.app_context():
        _queue(3)
    result = smtp_app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "Done: 3 sent, 0 to retry, 0 failed." in result.output
    assert len(smtp_server.inbox.received) == 3


def test_the_file_transport_writes_one_file_per_message_even_when_sent_again(app):
    with app.app_context():
        ids = _queue(2)
        delivery.deliver_due()
        # A worker that died after writing but before marking sends the message again.
        db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.id == ids[0]).values(status="pending")
        )
        db.session.commit()
        assert delivery.deliver_due().sent == 1
        files = sorted(p.name for p in app.config["MAIL_DIR"].glob("*.eml"))
    assert len(files) == 2
    assert files[0].endswith(f"-outbox-{ids[0]:08d}.eml")
