"""Digests: each day, one e-mail per user gathering what they chose to hear about daily; each
week, one e-mail per leader of the top overdue fixes by revenue at risk.

Services flush; the caller commits. Running a digest twice sends nothing twice: daily
notifications are claimed (``digested_at``) by one atomic UPDATE, weekly e-mails carry a
per-week ``dedupe_key``.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from forum.auth.models import User
from forum.auth.permissions import role_filter
from forum.core.outbox import OutboxMessage
from forum.core.rates import Converted, Converter, month_of
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import revenue
from forum.fixes.models import OPEN_STATUSES, Fix
from forum.notify.events import DAILY_DIGEST, EVENTS, Delivery
from forum.notify.models import Notification
from forum.notify.services import (
    absolute,
    deliveries,
    link,
    queue_email,
    render_email,
    unsubscribe_token,
)

notifications = Notification.__table__


def send_daily(now: datetime | None = None) -> list[OutboxMessage]:
    """Queue each user's daily digest of their unread daily notifications. Flushes.

    Every daily notification waiting is marked digested; those already read in the app are
    left out of the e-mail, and a user with nothing unread gets no e-mail.
    """
    now = now or utcnow()
    waiting = (
        notifications.c.email_mode == Delivery.DAILY,
        notifications.c.digested_at.is_(None),
        notifications.c.created_at <= now,
    )
    user_ids = db.session.scalars(
        sa.select(notifications.c.user_id)
        .where(*waiting)
        .distinct()
        .order_by(notifications.c.user_id)
    ).all()
    queued = []
    for user_id in user_ids:
        claimed = db.session.scalars(
            sa.update(notifications)
            .where(notifications.c.user_id == user_id, *waiting)
            .values(digested_at=now)
            .returning(notifications.c.id)
        ).all()
        user = db.session.get(User, user_id)
        if not claimed or user is None or not user.active:
            continue
        items = db.session.scalars(
            sa.select(Notification)
            .where(Notification.id.in_(claimed), Notification.read_at.is_(None))
            .order_by(Notification.created_at, Notification.id)
        ).all()
        if items:
            queued.append(_queue_daily(user, items, now))
    db.session.flush()
    return queued


def _queue_daily(user: User, items: list[Notification], now: datetime) -> OutboxMessage:
    groups: dict[str, list[Notification]] = {}
    for item in items:
        groups.setdefault(item.event, []).append(item)
    sections = [(EVENTS[key].label if key in EVENTS else key, rows) for key, rows in groups.items()]
    stop_links = [
        (
            EVENTS[key].label,
            absolute(link("notify.unsubscribe", token=unsubscribe_token(user.id, key))),
        )
        for key in groups
        if key in EVENTS
    ]
    count = len(items)
    subject = f"Your daily digest: {count} update{'s' if count != 1 else ''} from Voice of Sales"
    text, html = render_email(
        "notify/email/daily",
        user,
        DAILY_DIGEST,
        subject=subject,
        sections=sections,
        stop_links=stop_links,
        day=now.date(),
    )
    return queue_email(
        user,
        event=DAILY_DIGEST,
        subject=subject,
        text=text,
        html=html,
        shielded=any(item.shielded for item in items),
    )


def top_overdue(now: datetime, limit: int, convert: Converter) -> list[Fix]:
    """Open fixes past their due date, the most revenue at risk first (each fix's own figure in
    the reporting currency), then the longest overdue."""
    fixes = db.session.scalars(
        sa.select(Fix)
        .where(Fix.status.in_(OPEN_STATUSES), Fix.due_at < now)
        .options(joinedload(Fix.owner_team))
        .order_by(Fix.due_at, Fix.id)
    ).all()
    month = month_of(now)
    per_fix = revenue.of_fixes(f.id for f in fixes)
    ranked = sorted(fixes, key=lambda f: -convert(per_fix[f.id], month).sort_key)
    return ranked[:limit]


def overdue_totals(now: datetime, convert: Converter) -> tuple[int, Converted]:
    """How many open fixes are overdue, and the revenue at risk on them (each account once
    across them, in the reporting currency)."""
    overdue = [Fix.status.in_(OPEN_STATUSES), Fix.due_at < now]
    count = db.session.scalar(sa.select(sa.func.count(Fix.id)).where(*overdue))
    return count, convert(revenue.once_across(revenue.load(*overdue)), month_of(now))


def send_weekly(now: datetime | None = None, limit: int | None = None) -> list[OutboxMessage]:
    """Queue this ISO week's executive digest for every active leader who wants it. Flushes."""
    now = now or utcnow()
    limit = limit or current_app.config["WEEKLY_DIGEST_SIZE"]
    year, week, _ = now.isocalendar()
    leaders = db.session.scalars(
        sa.select(User)
        .where(role_filter("notify.weekly_digest"), User.active.is_(True))
        .order_by(User.id)
    ).all()
    wanted = deliveries([u.id for u in leaders], "weekly_digest")
    convert = Converter({month_of(now)})
    fixes = top_overdue(now, limit, convert)
    count, total = overdue_totals(now, convert)
    per_fix = {
        i: convert(t, month_of(now)) for i, t in revenue.of_fixes(f.id for f in fixes).items()
    }
    if count:
        subject = f"Weekly digest: {count} overdue fix{'es' if count != 1 else ''}, {total} at risk"
    else:
        subject = "Weekly digest: no overdue fixes"
    queued = []
    for leader in leaders:
        key = f"weekly:{year}-W{week:02d}:{leader.id}"
        if wanted[leader.id] == Delivery.OFF or db.session.scalar(
            sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
        ):
            continue
        text, html = render_email(
            "notify/email/weekly",
            leader,
            "weekly_digest",
            subject=subject,
            fixes=fixes,
            count=count,
            total=total,
            revenue=per_fix,
            now=now,
            week=f"{year}-W{week:02d}",
            board_url=absolute(link("fixes.index", overdue="1", status="active")),
            link_for=lambda fix: link("fixes.detail", fix_id=fix.id),
        )
        queued.append(
            queue_email(
                leader,
                event="weekly_digest",
                subject=subject,
                text=text,
                html=html,
                dedupe_key=key,
            )
        )
    db.session.flush()
    return queued
