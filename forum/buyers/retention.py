"""Retention: buyer names and e-mail addresses go after ``buyer_retention_months``; the answers
stay, anonymised. Run by ``flask buyers purge`` (cron, like ``flask escalate``). Flushes; the
caller commits."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from forum.buyers.models import BuyerResponse, BuyerSurvey
from forum.core import outbox, settings
from forum.core.time import utcnow
from forum.extensions import db


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day when
    that month is shorter)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in range(now.day, 0, -1):
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class Purged:
    surveys: int
    interviews: int
    messages: int


def purge(now: datetime | None = None) -> Purged:
    """Delete the personal data of buyers asked (or interviewed) before the retention limit:
    a survey's contact name and e-mail address, an interview's buyer name, and the address on
    the survey's e-mail in the outbox. Running it twice changes nothing more."""
    now = now or utcnow()
    cutoff = months_before(now, settings.get("buyer_retention_months"))
    surveys = db.session.execute(
        sa.update(BuyerSurvey)
        .where(BuyerSurvey.created_at < cutoff, BuyerSurvey.anonymised_at.is_(None))
        .values(contact_name=None, contact_email=None, anonymised_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    interviews = db.session.execute(
        sa.update(BuyerResponse)
        .where(BuyerResponse.submitted_at < cutoff, BuyerResponse.contact_name.is_not(None))
        .values(contact_name=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    messages = db.session.execute(
        sa.update(outbox.OutboxMessage)
        .where(
            outbox.OutboxMessage.event == outbox.BUYER_SURVEY_EVENT,
            outbox.OutboxMessage.created_at < cutoff,
            outbox.OutboxMessage.to_address != "",
            outbox.OutboxMessage.status.in_([outbox.OutboxStatus.SENT, outbox.OutboxStatus.FAILED]),
        )
        .values(to_address="", to_name="", text_body=outbox.SCRUBBED, html_body="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire_all()
    return Purged(surveys, interviews, messages)
