"""The outbox: every e-mail the app sends is a row here, written in the transaction of the
change behind it, so the two are saved together or not at all. ``flask deliver``
(``forum.notify.delivery``) sends the rows; no request ever waits for a mail server.

Other channels (outgoing webhooks) queue their rows here too, with a ``channel`` of their own:
they share the claiming, the retries with backoff and the worker. A channel registers the
function that sends one of its rows (``register_channel``); it returns normally when the
receiver took the message and raises ``DeliveryFailed`` when it did not.
"""

import secrets
from collections.abc import Callable
from datetime import datetime
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.mail import one_line
from forum.core.models import LabelledEnum, TimestampMixin, enum_type
from forum.core.time import utcnow
from forum.extensions import db


class OutboxStatus(LabelledEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one worker
    SENT = "sent"
    FAILED = "failed"  # will never be delivered (a malformed or refused address)


EMAIL = "email"


class DeliveryFailed(Exception):
    """A channel's sender could not deliver a row: retried later, unless ``permanent``."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


_SENDERS: dict[str, Callable[["OutboxMessage"], None]] = {}


def register_channel(name: str, send: Callable[["OutboxMessage"], None]) -> None:
    """Let the worker deliver rows of ``channel`` ``name`` with ``send`` (registering twice
    replaces the first)."""
    _SENDERS[name] = send


def sender_for(channel: str) -> Callable[["OutboxMessage"], None] | None:
    return _SENDERS.get(channel)


class OutboxMessage(TimestampMixin, db.Model):
    """An e-mail waiting to be sent, written in the same transaction as the change behind it.

    ``flask deliver`` claims rows (pending -> sending, one atomic UPDATE, so two workers never
    take the same row), sends them and marks them sent; a failure puts the row back to pending
    with a later ``next_attempt_at``.
    """

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "email", or the channel that registered a sender (``register_channel``).
    channel: Mapped[str] = mapped_column(sa.String(20), default=EMAIL, server_default=EMAIL)
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


# Messages of these events carry a single-use link (an invitation, a password reset, a survey):
# their text is replaced by SCRUBBED once they are sent or given up, so the outbox, its backups
# and anyone reading the database later hold no live link.
INVITE_EVENT = "invite"
RESET_EVENT = "password_reset"
BUYER_SURVEY_EVENT = "buyer_survey"  # a buyer's single-use survey link (forum/buyers)
LINK_EVENTS = frozenset({INVITE_EVENT, RESET_EVENT, BUYER_SURVEY_EVENT})
SCRUBBED = "(This message carried a single-use link; its text was removed once it was sent.)"


def scrubbed(row: "OutboxMessage") -> dict[str, str]:
    """The column values that erase a settled message's text, if it carried a link."""
    if row.event not in LINK_EVENTS:
        return {}
    return {"text_body": SCRUBBED, "html_body": ""}


def message_id() -> str:
    """A Message-ID fixed when the e-mail is queued, in the sender's domain."""
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2]
    return f"<{secrets.token_hex(16)}@{domain or 'voice-of-sales.local'}>"


def enqueue(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    *,
    to_name: str = "",
    user_id: int | None = None,
    event: str = "account",
    headers: dict[str, str] | None = None,
    shielded: bool = False,
    dedupe_key: str | None = None,
    channel: str = EMAIL,
) -> OutboxMessage:
    """Queue one e-mail to ``to``. Flushes; the caller commits (or rolls back) it together with
    the change it is about, and ``flask deliver`` sends it."""
    now = utcnow()
    row = OutboxMessage(
        channel=channel,
        user_id=user_id,
        event=event,
        to_address=to,
        to_name=one_line(to_name, 120),
        subject=one_line(subject),
        text_body=text,
        html_body=html or "",
        headers=headers or {},
        message_id=message_id(),
        dedupe_key=dedupe_key,
        shielded=shielded,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row
