"""Webhook endpoints, the deliveries queued for them and every attempt to send one."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.models import TimestampMixin
from forum.core.outbox import OutboxMessage
from forum.extensions import db


class WebhookEndpoint(TimestampMixin, db.Model):
    """A URL an admin registered, the events it hears of and the secret its payloads are signed
    with (shown once, when it is made; kept to sign every payload)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    url: Mapped[str] = mapped_column(sa.String(2000))
    secret: Mapped[str] = mapped_column(sa.String(100))
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # Failed attempts since the last accepted one; WEBHOOK_DISABLE_AFTER of them disable it.
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    def hears(self, event: str) -> bool:
        return self.active and event in (self.events or [])


class WebhookDelivery(TimestampMixin, db.Model):
    """One payload for one endpoint, queued in the outbox (its status, attempts and next try
    are the outbox row's). The body is fixed when queued; each attempt signs it afresh."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(36), unique=True)  # X-VoS-Delivery
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    outbox_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox.id", ondelete="CASCADE"), unique=True
    )
    event: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    message: Mapped[OutboxMessage] = relationship()
    attempts: Mapped[list["WebhookAttempt"]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.number"
    )


class WebhookAttempt(db.Model):
    """One try at sending a delivery: what the receiver answered and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    attempted_at: Mapped[datetime]
    accepted: Mapped[bool] = mapped_column(default=False)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.String(500), default="")

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempts")
