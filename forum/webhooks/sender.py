"""Sending one webhook delivery: the outbox worker's sender for the ``webhook`` channel.

Each attempt checks the URL again (``targets``: DNS can change), connects to one of the checked
addresses — never resolving the name a second time — signs the body with the attempt's
timestamp and does not follow redirects. Every attempt is logged (status code, latency, error);
a 2xx answer is the only acceptance.
"""

import logging
import time

import sqlalchemy as sa
import urllib3
from flask import current_app, has_request_context

from forum.core.mail import one_line
from forum.core.outbox import DeliveryFailed, OutboxMessage
from forum.core.time import utcnow
from forum.extensions import db
from forum.webhooks import services, signing, targets
from forum.webhooks.models import WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)
USER_AGENT = "VoiceOfSales-Webhooks/1"
MAX_ANSWER = 4096  # bytes of the receiver's answer read (and dropped)


class Answer:
    def __init__(self, status: int, location: str = ""):
        self.status = status
        self.location = location


def post(
    target: targets.Target,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    ca_bundle: str = "",
) -> Answer:
    """POST ``body`` to the first checked address of ``target`` (TLS still checks the host's
    certificate and sends its name). Raises urllib3's errors."""
    address = str(target.addresses[0])
    kwargs = {}
    if target.scheme == "https":
        pool_class = urllib3.HTTPSConnectionPool
        kwargs = {
            "server_hostname": target.host,
            "assert_hostname": target.host,
            "cert_reqs": "CERT_REQUIRED",
            **({"ca_certs": ca_bundle} if ca_bundle else {}),
        }
    else:
        pool_class = urllib3.HTTPConnectionPool
    pool = pool_class(
        address,
        target.port,
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        retries=False,
        maxsize=1,
        block=False,
        **kwargs,
    )
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            response.read(MAX_ANSWER)
        finally:
            response.release_conn()
        return Answer(response.status, response.headers.get("Location", ""))
    finally:
        pool.close()


def send(row: OutboxMessage) -> None:
    """Send the delivery queued as ``row``; raise ``DeliveryFailed`` unless it was accepted.
    Logs the attempt and updates the endpoint's failure count (committed by the worker)."""
    if has_request_context():  # only the worker sends: a request never waits for a receiver
        raise RuntimeError("Webhooks are sent by the outbox worker, never during a request.")
    delivery = db.session.scalar(
        sa.select(WebhookDelivery).where(WebhookDelivery.outbox_id == row.id)
    )
    if delivery is None:
        raise DeliveryFailed("The delivery behind this message is gone.", permanent=True)
    endpoint = delivery.endpoint
    if not endpoint.active:
        raise DeliveryFailed("The endpoint is disabled.", permanent=True)
    number = row.attempts + 1
    attempt = WebhookAttempt(delivery_id=delivery.id, number=number, attempted_at=utcnow())
    db.session.add(attempt)
    error = _attempt(endpoint, delivery, attempt)
    if error is None:
        attempt.accepted = True
        services.attempt_accepted(endpoint)
        return
    attempt.error = one_line(error, 500)
    disabled = services.attempt_failed(endpoint, error)
    db.session.flush()
    last = number >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    if disabled:
        raise DeliveryFailed(f"{error} The endpoint is now disabled.", permanent=True)
    if last:
        raise DeliveryFailed(f"{error} Given up after {number} attempts.", permanent=True)
    raise DeliveryFailed(error)


def _attempt(endpoint, delivery: WebhookDelivery, attempt: WebhookAttempt) -> str | None:
    """One try; None when accepted, else why not (the attempt row gets code and latency)."""
    try:
        target = targets.check(endpoint.url)
    except targets.UnsafeTarget as exc:
        return f"Refused: {exc}"
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: delivery.uid,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(endpoint.secret, timestamp, body),
    }
    started = time.monotonic()
    try:
        cfg = current_app.config
        answer = post(
            target, body, headers, cfg["WEBHOOK_TIMEOUT_SECONDS"], cfg["WEBHOOK_CA_BUNDLE"]
        )
    except urllib3.exceptions.HTTPError as exc:
        attempt.latency_ms = round((time.monotonic() - started) * 1000)
        return f"No answer: {one_line(str(exc), 300)}"
    attempt.latency_ms = round((time.monotonic() - started) * 1000)
    attempt.status_code = answer.status
    if 200 <= answer.status < 300:
        return None
    if 300 <= answer.status < 400:
        return f"Answered {answer.status}, a redirect: redirects are not followed."
    return f"Answered {answer.status}."
