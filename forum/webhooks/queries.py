"""What the webhook pages read: the endpoints and one endpoint's delivery log."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum.core.outbox import OutboxMessage
from forum.core.pagination import paginate
from forum.extensions import db
from forum.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints() -> list[WebhookEndpoint]:
    return db.session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.name)).all()


def delivery_log(endpoint: WebhookEndpoint, per_page: int = 25):
    """The endpoint's deliveries, newest first, with their outbox row and every attempt."""
    query = (
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .options(
            selectinload(WebhookDelivery.message.of_type(OutboxMessage)),
            selectinload(WebhookDelivery.attempts),
        )
        .order_by(WebhookDelivery.id.desc())
    )
    return paginate(query, per_page=per_page)
