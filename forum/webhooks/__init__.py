"""Outgoing webhooks: endpoints admins register, signed payloads with a Slack-ready message,
sent by the outbox worker with retries, SSRF-checked at registration and at every delivery."""

from flask import Flask

from forum.core import outbox
from forum.webhooks import receivers, sender
from forum.webhooks.services import CHANNEL


def init_app(app: Flask) -> None:
    """Listen to the domains' signals and let the outbox worker send webhook rows."""
    receivers.connect()
    outbox.register_channel(CHANNEL, sender.send)
