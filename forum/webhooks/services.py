"""Registering endpoints, queueing deliveries, and what each attempt does to its endpoint.

Services add rows and flush; the caller commits. Deliveries are queued in the outbox inside
the transaction of the change they announce, so a rolled-back change announces nothing, and
only ``flask deliver`` ever sends them — never a request.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from forum.auth.models import User
from forum.auth.permissions import ensure, role_filter
from forum.core import audit, outbox
from forum.core.errors import DomainError
from forum.core.mail import one_line
from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.core.time import utcnow
from forum.extensions import db
from forum.notify.services import Message, link, notify
from forum.webhooks import payloads, signing, targets
from forum.webhooks.events import KEYS, PING
from forum.webhooks.models import WebhookDelivery, WebhookEndpoint

CHANNEL = "webhook"
NAME_MAX = 120


class WebhookError(DomainError):
    """A registration the rules refuse; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass
class Registered:
    endpoint: WebhookEndpoint
    secret: str  # shown once, on the page that answers the registration


def _events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    if not chosen:
        raise WebhookError("Choose at least one event.", "events")
    unknown = [e for e in chosen if e not in KEYS]
    if unknown:
        raise WebhookError(f"Unknown event: {unknown[0]}.", "events")
    return chosen


def register(actor: User, *, name: str, url: str, events: Iterable[str]) -> Registered:
    """Register an endpoint after checking its URL resolves to public addresses only (or to an
    allowed internal host). Flushes; the caller commits."""
    ensure(actor, "admin.webhooks")
    name = one_line(name or "", NAME_MAX).strip()
    if not name:
        raise WebhookError("Give the endpoint a name.", "name")
    try:
        targets.check(url)
    except targets.UnsafeTarget as exc:
        raise WebhookError(str(exc), "url") from None
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        name=name,
        url=url.strip(),
        secret=secret,
        events=_events(events),
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.register", actor=actor, target=endpoint, url=endpoint.url)
    return Registered(endpoint, secret)


def set_active(endpoint: WebhookEndpoint, active: bool, *, actor: User) -> None:
    """Enable or disable an endpoint; enabling starts its failure count afresh. Flushes."""
    ensure(actor, "admin.webhooks")
    if endpoint.active == active:
        return
    endpoint.active = active
    endpoint.consecutive_failures = 0
    if active:
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
    else:
        endpoint.disabled_at, endpoint.disabled_reason = (
            utcnow(),
            f"Disabled by {actor.display_name}.",
        )
        _give_up_pending(endpoint, "The endpoint was disabled.")
    audit.record("webhook.enable" if active else "webhook.disable", actor=actor, target=endpoint)
    db.session.flush()


# --- queueing ----------------------------------------------------------------------------------


def subscribed(event: str) -> list[WebhookEndpoint]:
    """The active endpoints that hear of ``event`` (one query; the table is small)."""
    endpoints = db.session.scalars(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    ).all()
    return [e for e in endpoints if e.hears(event)]


def queue(endpoint: WebhookEndpoint, event: str, content: tuple) -> WebhookDelivery:
    """Queue one payload for ``endpoint`` in the outbox. ``content`` is what a
    ``payloads`` builder returns: (data, text, detail, url). Flushes."""
    data, text, detail, url = content
    uid = str(uuid.uuid4())
    now = utcnow()
    body = payloads.dumps(payloads.envelope(event, uid, now, data, text, detail, url))
    message = outbox.enqueue(
        "",
        one_line(f"{event} to {endpoint.name}"),
        "",
        event="webhook",
        channel=CHANNEL,
    )
    delivery = WebhookDelivery(
        uid=uid,
        endpoint_id=endpoint.id,
        outbox_id=message.id,
        event=event,
        body=body,
        created_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    return delivery


def announce(event: str, build: Callable[[], tuple]) -> list[WebhookDelivery]:
    """Queue ``event`` for every endpoint that hears of it; ``build`` makes the content once,
    only if one does. Flushes."""
    endpoints = subscribed(event)
    if not endpoints:
        return []
    content = build()
    return [queue(endpoint, event, content) for endpoint in endpoints]


def test_send(endpoint: WebhookEndpoint, *, actor: User) -> WebhookDelivery:
    """Queue a test message (the ``ping`` event) for ``endpoint``, whatever it hears of; the
    worker sends it like any other. Flushes."""
    ensure(actor, "admin.webhooks")
    if not endpoint.active:
        raise WebhookError("Enable the endpoint before sending it a test message.")
    return queue(endpoint, PING, payloads.ping(endpoint.name))


# --- what attempts do to their endpoint --------------------------------------------------------


def _give_up_pending(endpoint: WebhookEndpoint, reason: str) -> int:
    """Mark the endpoint's deliveries still waiting as failed. Flushes."""
    waiting = sa.select(WebhookDelivery.outbox_id).where(WebhookDelivery.endpoint_id == endpoint.id)
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(waiting), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.FAILED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount


def attempt_accepted(endpoint: WebhookEndpoint) -> None:
    endpoint.consecutive_failures = 0
    db.session.flush()


def attempt_failed(endpoint: WebhookEndpoint, reason: str) -> bool:
    """Count a failed attempt; the ``WEBHOOK_DISABLE_AFTER``-th in a row disables the endpoint
    and tells the admins. Returns whether it was disabled. Flushes."""
    # Counted in SQL: two workers failing at once both count.
    endpoint.consecutive_failures = WebhookEndpoint.consecutive_failures + 1
    db.session.flush()
    db.session.refresh(endpoint, ["consecutive_failures", "active"])
    limit = current_app.config["WEBHOOK_DISABLE_AFTER"]
    if not endpoint.active or endpoint.consecutive_failures < limit:
        db.session.flush()
        return False
    endpoint.active = False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = one_line(
        f"Disabled after {endpoint.consecutive_failures} failed attempts in a row; the last: "
        f"{reason}",
        500,
    )
    _give_up_pending(endpoint, "The endpoint was disabled after repeated failures.")
    audit.record("webhook.auto_disable", target=endpoint, reason=endpoint.disabled_reason)
    _tell_admins(endpoint)
    db.session.flush()
    return True


def _tell_admins(endpoint: WebhookEndpoint) -> None:
    admins = db.session.scalars(
        sa.select(User).where(role_filter("notify.webhooks"), User.active.is_(True))
    ).all()

    def compose(user: User) -> Message:
        return Message(
            event="webhook_disabled",
            title=f"The webhook “{endpoint.name}” is disabled: its deliveries kept failing",
            body=endpoint.disabled_reason
            + "\n\nCheck the receiver, then enable the endpoint again.",
            url=link("webhooks.detail", endpoint_id=endpoint.id),
            action="Open the webhook",
        )

    notify(admins, compose)
