"""In-app notifications and notification preferences (the e-mail outbox is `forum.core.outbox`)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.models import TimestampMixin
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
