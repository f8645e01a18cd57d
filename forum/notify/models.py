"""In-app notifications and notification preferences (the e-mail outbox is `forum.core.outbox`)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
<<<<<<< HEAD
from forum.core.models import LabelledEnum, TimestampMixin, enum_type
=======
from forum.core.models import TimestampMixin
>>>>>>> mail
from forum.core.time import utcnow
from forum.extensions import db


class Notification(TimestampMixin, db.Model):
    """One thing a user was told, written in the transaction of the change that caused it.

    The text is rendered for its recipient when the event happens (shielded authors already
    replaced by their shield label), so the list never has to work out what a reader may know.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_digest", "email_mode", "digested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # A path inside the app (never user input), e.g. "/fixes/12#verify-h".
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    action: Mapped[str] = mapped_column(sa.String(80), default="")
    # How the e-mail side goes: "immediate" (queued at once), "daily" (waits for the digest).
    email_mode: Mapped[str] = mapped_column(sa.String(12))
    # True when the notification tells its recipient's mailbox they wrote a shielded report.
    shielded: Mapped[bool] = mapped_column(default=False)
    read_at: Mapped[datetime | None]
    digested_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(db.Model):
    """A user's choice for one kind of event; no row means the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(sa.String(40))
    delivery: Mapped[str] = mapped_column(sa.String(12))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
<<<<<<< HEAD


class OutboxStatus(LabelledEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one worker
    SENT = "sent"
    FAILED = "failed"  # will never be delivered (a malformed or refused address)


class OutboxMessage(TimestampMixin, db.Model):
    """An e-mail waiting to be sent, written in the same transaction as the change behind it.

    ``flask deliver`` claims rows (pending -> sending, one atomic UPDATE, so two workers never
    take the same row), sends them and marks them sent; a failure puts the row back to pending
    with a later ``next_attempt_at``.
    """

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[str] = mapped_column(sa.String(40))
    to_address: Mapped[str] = mapped_column(sa.String(320))
    to_name: Mapped[str] = mapped_column(sa.String(120), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Fixed when queued, so a message sent twice after a crash can be recognised as one.
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    # Digests carry one, so running the digest twice queues it once.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    # The message would tell its reader who wrote a shielded report: admin pages hide it.
    shielded: Mapped[bool] = mapped_column(default=False)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, 12), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
=======
>>>>>>> mail
