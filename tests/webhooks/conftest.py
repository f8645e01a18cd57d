"""Fixtures for the webhook tests: a real HTTP receiver on 127.0.0.1 (http.server in a thread,
port 0) that checks every signature, the organisation of the notification tests, and helpers to
register endpoints and run the delivery worker."""

import json
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.core.outbox import OutboxMessage
from forum.core.time import utcnow
from forum.extensions import db
from forum.notify import delivery
from forum.webhooks import services, signing
from forum.webhooks.events import KEYS
from forum.webhooks.models import WebhookDelivery
from tests.notify.conftest import build_org, person
from tests.ports import reserve_port

LATER = timedelta(days=2)  # past any backoff
# A self-signed certificate for localhost and 127.0.0.1, made for these tests only (its key is
# no secret): the https receiver's.
TLS_CERT = Path(__file__).with_name("tls-cert.pem")
TLS_KEY = Path(__file__).with_name("tls-key.pem")


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signed: bool  # the signature matched the receiver's secret

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the test's HTTP server got, and what it answers next (a status per request, then
    200; a path starting /redirect answers 302 to ``redirect_to``)."""

    port: int = 0
    secret: str = ""
    plan: deque = field(default_factory=deque)
    redirect_to: str = ""
    got: list[Received] = field(default_factory=list)

    scheme: str = "http"

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def reset(self) -> None:
        self.secret, self.redirect_to = "", ""
        self.plan.clear()
        self.got.clear()


def serve(receiver: Receiver, tls: bool = False):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            signed = signing.verify(
                receiver.secret,
                self.headers.get(signing.TIMESTAMP_HEADER, ""),
                body,
                self.headers.get(signing.SIGNATURE_HEADER, ""),
            )
            receiver.got.append(Received(self.path, dict(self.headers), body, signed))
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", receiver.redirect_to)
            else:
                self.send_response(receiver.plan.popleft() if receiver.plan else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS_CERT, TLS_KEY)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        receiver.scheme = "https"
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def _receiver_server():
    receiver = Receiver()
    server, thread = serve(receiver)
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def receiver(_receiver_server) -> Receiver:
    _receiver_server.reset()
    yield _receiver_server
    _receiver_server.reset()


@pytest.fixture(scope="module")
def tls_receiver():
    """An https receiver whose certificate (for localhost) no system CA signed."""
    receiver = Receiver()
    server, thread = serve(receiver, tls=True)
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def private_target():
    """A second server, standing for an internal service a redirect points at: it must never
    be reached."""
    target = Receiver()
    server, thread = serve(target)
    yield target
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def refused_port():
    """A port on 127.0.0.1 where nothing listens (held for the test)."""
    sock = reserve_port()
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def ctx(app):
    app.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] = ("127.0.0.1",)  # the receivers live there
    with app.app_context():
        yield app


@pytest.fixture
def org(ctx):
    return build_org()


def register(org, url: str, events=KEYS, name: str = "Chat channel"):
    """Register an endpoint as the org's admin and commit; returns (endpoint, secret)."""
    made = services.register(person(org.admin), name=name, url=url, events=events)
    db.session.commit()
    return made.endpoint, made.secret


def deliveries(endpoint=None) -> list[WebhookDelivery]:
    db.session.expire_all()
    query = sa.select(WebhookDelivery).order_by(WebhookDelivery.id)
    if endpoint is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint.id)
    return db.session.scalars(query).all()


def run_worker(rounds: int = 1):
    """Run the delivery worker ``rounds`` times, each far enough after the last for every
    retry to be due; returns the reports."""
    now = utcnow()
    reports = []
    for i in range(rounds):
        reports.append(delivery.deliver_due(now=now + LATER * i))
    db.session.expire_all()
    return reports


def outbox_row(d: WebhookDelivery) -> OutboxMessage:
    return db.session.get(OutboxMessage, d.outbox_id, populate_existing=True)
