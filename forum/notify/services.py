"""Telling people what happened: preferences, in-app notifications, e-mail queued in the outbox,
unsubscribe tokens. Services add rows and flush; the caller commits. Receivers call them inside
the transaction of the change that caused the event, so the change, its notifications and its
e-mails are saved together or not at all."""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer

from forum.auth.models import User
from forum.core import outbox, zones
from forum.core.errors import DomainError
from forum.core.mail import one_line
from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.core.time import utcnow
from forum.extensions import db
from forum.notify.events import DAILY_DIGEST, EVENTS, Delivery, events_for, receives
from forum.notify.models import Notification, NotificationPreference

TITLE_MAX = 300
BODY_MAX = 2000
UNSUBSCRIBE_SALT = "notify-unsubscribe"


@dataclass
class Message:
    """What one recipient is told about one event (already safe for them to read)."""

    event: str
    title: str
    body: str = ""
    url: str = ""  # a path inside the app
    action: str = ""  # the link's text, e.g. "Verify the fix"
    shielded: bool = False  # tells the recipient's mailbox they wrote a shielded report


def _clip(text: str, limit: int = BODY_MAX) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- links -----------------------------------------------------------------------------------


def link(endpoint: str, _anchor: str | None = None, **values) -> str:
    """A path inside the app for ``endpoint``, also outside a request (the CLI, the worker)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    path = adapter.build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path


def absolute(path: str) -> str:
    """``path`` as a link for an e-mail (``BASE_URL`` names the site)."""
    return current_app.config["BASE_URL"] + path


# --- preferences -----------------------------------------------------------------------------


def preferences(user: User) -> dict[str, Delivery]:
    """Every event kind ``user`` can receive, with their choice or the kind's default."""
    stored = dict(
        db.session.execute(
            sa.select(NotificationPreference.event, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {
        t.key: Delivery(stored[t.key]) if stored.get(t.key) in t.choices else t.default
        for t in events_for(user.role)
    }


def deliveries(user_ids: Iterable[int], event: str) -> dict[int, Delivery]:
    ids = list(user_ids)
    default = EVENTS[event].default
    found = {i: default for i in ids}
    if ids:
        rows = db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                NotificationPreference.event == event, NotificationPreference.user_id.in_(ids)
            )
        ).all()
        for user_id, delivery in rows:
            if delivery in EVENTS[event].choices:
                found[user_id] = Delivery(delivery)
    return found


def preference(user: User, event: str) -> Delivery:
    return deliveries([user.id], event)[user.id]


def set_preference(user: User, event: str, delivery: Delivery | str) -> None:
    """Store ``user``'s choice for one event kind. Flushes."""
    if not receives(user.role, event):
        raise DomainError("Unknown kind of notification.")
    kind = EVENTS[event]
    try:
        delivery = Delivery(delivery)
    except ValueError:
        raise DomainError("Choose how you want to hear about it.") from None
    if delivery not in kind.choices:
        raise DomainError("That choice is not offered for this kind of notification.")
    row = db.session.scalar(
        sa.select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.event == event
        )
    )
    if row is None:
        db.session.add(NotificationPreference(user_id=user.id, event=event, delivery=delivery))
    else:
        row.delivery = delivery
    db.session.flush()


def unsubscribe(user: User, event: str) -> list[str]:
    """Turn one event kind off (or, for the daily digest, every kind it carries). Flushes.

    Returns the kinds that were switched off.
    """
    if event == DAILY_DIGEST:
        kinds = [k for k, d in preferences(user).items() if d == Delivery.DAILY]
    elif receives(user.role, event):
        kinds = [event]
    else:
        raise DomainError("Unknown kind of notification.")
    for kind in kinds:
        set_preference(user, kind, Delivery.OFF)
    return kinds


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, event: str) -> str:
    """A signed token that switches ``event`` off for one user, without signing in."""
    return _serializer().dumps([user_id, event])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, event) a token stands for, or None if it is not one of ours."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], int)
        or not isinstance(data[1], str)
    ):
        return None
    return data[0], data[1]


# --- notifying -------------------------------------------------------------------------------


def notify(users: Iterable[User], compose) -> list[Notification]:
    """Tell each of ``users`` (active ones, once each) the ``Message`` ``compose(user)`` returns.

    Their preference for the message's kind decides: off - nothing; daily - a notification that
    waits for the daily digest; immediate - a notification and an e-mail in the outbox. Flushes.
    """
    recipients = {u.id: u for u in users if u is not None and u.active}
    if not recipients:
        return []
    made = []
    messages = {uid: compose(u) for uid, u in recipients.items()}
    by_event: dict[str, list[int]] = {}
    for uid, message in messages.items():
        if message is not None:
            by_event.setdefault(message.event, []).append(uid)
    for event, uids in by_event.items():
        chosen = deliveries(uids, event)
        for uid in uids:
            delivery = chosen[uid]
            if delivery == Delivery.OFF:
                continue
            made.append(_record(recipients[uid], messages[uid], delivery))
    db.session.flush()
    return made


def _record(user: User, message: Message, delivery: Delivery) -> Notification:
    notification = Notification(
        user_id=user.id,
        event=message.event,
        title=one_line(message.title),
        body=_clip(message.body),
        url=message.url,
        action=one_line(message.action, 80),
        email_mode=Delivery.IMMEDIATE if delivery == Delivery.IMMEDIATE else Delivery.DAILY,
        shielded=message.shielded,
        created_at=utcnow(),
        digested_at=None,
    )
    db.session.add(notification)
    if delivery == Delivery.IMMEDIATE:
        text, html = render_email("notify/email/message", user, message.event, n=notification)
        queue_email(
            user,
            event=message.event,
            subject=notification.title,
            text=text,
            html=html,
            shielded=message.shielded,
        )
    return notification


def render_email(template: str, user: User, event: str, **context) -> tuple[str, str]:
    """The plain-text and HTML parts of an e-mail to ``user`` from ``template``.txt/.html,
    with times in ``user``'s zone."""
    kind = EVENTS.get(event)
    unsubscribe_path = link("notify.unsubscribe", token=unsubscribe_token(user.id, event))
    context.update(
        user=user,
        kind=kind,
        event=event,
        absolute=absolute,
        unsubscribe_url=absolute(unsubscribe_path),
        preferences_url=absolute(link("notify.preferences")),
        notifications_url=absolute(link("notify.index")),
    )
    with zones.in_zone_of(user):  # every time in the e-mail in the recipient's zone
        return (
            render_template(f"{template}.txt", **context),
            render_template(f"{template}.html", **context),
        )


def queue_email(
    user: User,
    *,
    event: str,
    subject: str,
    text: str,
    html: str = "",
    shielded: bool = False,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Put one e-mail about ``event`` to ``user`` in the outbox, with its unsubscribe headers.
    Flushes; ``flask deliver`` sends it."""
    unsubscribe_url = absolute(link("notify.unsubscribe", token=unsubscribe_token(user.id, event)))
    return outbox.enqueue(
        user.email,
        subject,
        text,
        html,
        to_name=user.display_name,
        user_id=user.id,
        event=event,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        shielded=shielded,
        dedupe_key=dedupe_key,
    )


def requeue(row: OutboxMessage) -> None:
    """Queue a failed message again, to its user's current address. Flushes."""
    if row.status != OutboxStatus.FAILED:
        raise DomainError("Only failed messages can be queued again.")
    user = db.session.get(User, row.user_id) if row.user_id else None
    if user is not None:
        row.to_address = user.email  # the reason it failed may have been corrected since
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = utcnow()
    db.session.flush()


# --- the in-app list ---------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of ``user``'s notifications read. Flushes."""
    if notification.user_id != user.id:
        raise DomainError("That notification is not yours.")
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.flush()


def mark_read_about(user: User, path: str) -> int:
    """Mark ``user``'s unread notifications about the page ``path`` (a fix, a post) read: they
    acted on it, which is what those notifications asked. Returns how many. Flushes."""
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            sa.or_(
                Notification.url == path, Notification.url.startswith(f"{path}#", autoescape=True)
            ),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many. Flushes."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount
