"""Sending the outbox: claim what is due, send it, mark each message sent exactly once.

A worker claims rows with one atomic UPDATE ... WHERE status = 'pending' (on PostgreSQL the
candidates are also picked with FOR UPDATE SKIP LOCKED), so two workers never take the same
message. The claim is committed before anything is sent, and each result is committed as soon as
it is known. A server that is down or slow leaves the message pending with a later attempt
(exponential backoff); only a message that can never be delivered (a malformed or refused
address) is marked failed, with the reason. A worker that dies mid-send leaves its claim behind;
after ``OUTBOX_LEASE_SECONDS`` another worker takes it again (the message keeps its Message-ID,
so the rare second copy can be recognised).
"""

import logging
import signal
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from forum.core import outbox as channels
from forum.core.mail import one_line
from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.core.outbox import scrubbed as outbox_scrubbed
from forum.core.time import utcnow
from forum.extensions import db
from forum.notify.transports import (
    PermanentFailure,
    ServerUnreachable,
    TransientFailure,
    address_problem,
    compose,
    describe,
    transport_for,
)

log = logging.getLogger(__name__)
outbox = OutboxMessage.__table__


@dataclass
class Report:
    """What one round of delivery did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0  # claimed but not tried (the server was down, or the worker stopping)
    recovered: int = 0  # claims of a dead worker given back

    def __iadd__(self, other: "Report") -> "Report":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def __str__(self) -> str:
        parts = [f"{self.sent} sent", f"{self.retried + self.released} to retry"]
        parts.append(f"{self.failed} failed")
        if self.recovered:
            parts.append(f"{self.recovered} recovered from a stopped worker")
        return ", ".join(parts)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: doubling, with a ceiling."""
    cfg = current_app.config
    base, ceiling = cfg["MAIL_RETRY_BASE_SECONDS"], cfg["MAIL_RETRY_MAX_SECONDS"]
    return timedelta(seconds=min(ceiling, base * 2 ** min(max(attempts - 1, 0), 30)))


# --- claiming and marking ---------------------------------------------------------------------


def release_stale(now: datetime) -> int:
    """Give back the claims of workers that stopped mid-send (older than the lease). Commits."""
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    result = db.session.execute(
        sa.update(outbox)
        .where(outbox.c.status == OutboxStatus.SENDING, outbox.c.claimed_at < now - lease)
        .values(
            status=OutboxStatus.PENDING,
            claim_token=None,
            claimed_at=None,
            last_error="The worker sending it stopped before it finished; it is sent again.",
        )
    )
    db.session.commit()
    if result.rowcount:
        log.warning("outbox: %s claim(s) of a stopped worker given back", result.rowcount)
    return result.rowcount


def claim(now: datetime, limit: int) -> tuple[str, list[int]]:
    """Take up to ``limit`` due messages for this worker. Commits.

    The UPDATE only matches rows still pending, so of two workers racing for a row exactly one
    gets it; on PostgreSQL, SKIP LOCKED lets them pick different rows instead of waiting.
    """
    token = uuid.uuid4().hex
    due = (
        sa.select(outbox.c.id)
        .where(outbox.c.status == OutboxStatus.PENDING, outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.scalars(
        sa.update(outbox)
        .where(outbox.c.id.in_(due), outbox.c.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=now)
        .returning(outbox.c.id)
    ).all()
    db.session.commit()
    return token, sorted(ids)


def _mine(row_ids, token: str):
    return sa.update(outbox).where(
        outbox.c.id.in_(list(row_ids)),
        outbox.c.status == OutboxStatus.SENDING,
        outbox.c.claim_token == token,
    )


def _settle(row: OutboxMessage, token: str, **values) -> None:
    result = db.session.execute(_mine([row.id], token).values(claim_token=None, **values))
    if result.rowcount != 1:
        # Our lease ran out and another worker took the message over.
        log.warning("outbox message %s was taken over by another worker", row.id)
    db.session.commit()


def _release(row_ids, token: str, reason: str, next_at: datetime) -> int:
    if not row_ids:
        return 0
    result = db.session.execute(
        _mine(row_ids, token).values(
            status=OutboxStatus.PENDING,
            claim_token=None,
            claimed_at=None,
            next_attempt_at=next_at,
            last_error=one_line(reason, 500),
        )
    )
    db.session.commit()
    return result.rowcount


def deliver_due(
    now: datetime | None = None, limit: int = 50, should_stop: Callable[[], bool] = lambda: False
) -> Report:
    """One round: recover dead claims, claim what is due, send it. Commits as it goes."""
    now = now or utcnow()
    report = Report(recovered=release_stale(now))
    token, ids = claim(now, limit)
    report.claimed = len(ids)
    if not ids:
        return report
    transport = transport_for(current_app.config)
    try:
        released: set[int] = set()  # e-mails given back while the mail server is down
        for index, row_id in enumerate(ids):
            if row_id in released:
                continue
            if should_stop():
                report.released += _release(
                    [i for i in ids[index:] if i not in released],
                    token,
                    "The worker stopped before sending it.",
                    now,
                )
                break
            row = db.session.get(OutboxMessage, row_id, populate_existing=True)
            outcome = _send_one(transport, row)
            attempts = row.attempts + 1
            if outcome is None:
                _settle(
                    row,
                    token,
                    status=OutboxStatus.SENT,
                    sent_at=utcnow(),
                    attempts=attempts,
                    **outbox_scrubbed(row),
                )
                report.sent += 1
                continue
            if isinstance(outcome, PermanentFailure):
                _settle(
                    row,
                    token,
                    status=OutboxStatus.FAILED,
                    attempts=attempts,
                    last_error=one_line(str(outcome), 500),
                    **outbox_scrubbed(row),
                )
                report.failed += 1
                continue
            next_at = now + backoff(attempts)
            _settle(
                row,
                token,
                status=OutboxStatus.PENDING,
                attempts=attempts,
                claimed_at=None,
                next_attempt_at=next_at,
                last_error=one_line(str(outcome), 500),
            )
            report.retried += 1
            if isinstance(outcome, ServerUnreachable):
                # The other e-mails wait for the server; other channels' rows (webhooks) go on.
                emails = _emails_among(ids[index + 1 :])
                report.released += _release(emails, token, f"Not tried yet: {outcome}", next_at)
                released.update(emails)
    finally:
        transport.close()
    return report


def _emails_among(row_ids: list[int]) -> list[int]:
    if not row_ids:
        return []
    return sorted(
        db.session.scalars(
            sa.select(outbox.c.id).where(
                outbox.c.id.in_(row_ids), outbox.c.channel == channels.EMAIL
            )
        )
    )


def _send_one(transport, row: OutboxMessage) -> Exception | None:
    """Send ``row``; None when the server took it, else the failure."""
    if row.channel != channels.EMAIL:
        return _send_on_channel(row)
    problem = address_problem(row.to_address)
    if problem:
        return PermanentFailure(f"Malformed address: {problem}")
    try:
        msg = compose(row)
    except (ValueError, TypeError, IndexError) as exc:
        return PermanentFailure(f"The message cannot be written: {one_line(str(exc), 200)}")
    try:
        transport.send(row, msg)
    except (PermanentFailure, TransientFailure) as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one odd message must not stop the others
        log.exception("outbox message %s: unexpected error", row.id)
        return TransientFailure(f"Unexpected error: {describe(exc)}")
    return None


def _send_on_channel(row: OutboxMessage) -> Exception | None:
    """Hand a row of another channel (a webhook) to the sender that channel registered."""
    send = channels.sender_for(row.channel)
    if send is None:
        return PermanentFailure(f"Nothing sends messages of the channel {row.channel!r}.")
    try:
        send(row)
    except channels.DeliveryFailed as exc:
        failure = PermanentFailure if exc.permanent else TransientFailure
        return failure(str(exc))
    except Exception as exc:  # noqa: BLE001 - one odd message must not stop the others
        log.exception("outbox message %s: unexpected error", row.id)
        return TransientFailure(f"Unexpected error: {describe(exc)}")
    return None


# --- the worker --------------------------------------------------------------------------------


def run(
    *,
    once: bool = False,
    batch: int = 50,
    interval: float = 5.0,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> Report:
    """Deliver until stopped (SIGTERM or SIGINT finish the message in hand, then exit), or, with
    ``once``, until nothing more is due. Survives the database or the mail server going away."""
    stop = stop or threading.Event()
    total = Report()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.is_set():
            try:
                report = deliver_due(limit=batch, should_stop=stop.is_set)
            except sa.exc.DBAPIError as exc:
                db.session.rollback()
                if once:
                    raise
                echo(f"The database is unavailable ({exc.__class__.__name__}); retrying.")
                stop.wait(interval)
                continue
            total += report
            if report.claimed or report.recovered:
                echo(str(report))
            if once and (report.claimed == 0 or report.released):
                break
            if not once and report.claimed < batch:
                stop.wait(interval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return total
