"""Escalation of overdue fixes: to the owner team's lead, then to the executive sponsor; each
escalation is recorded and must be acknowledged; snoozing holds it with a reason and a date.
Services flush; the caller commits."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.permissions import can
from forum.core import settings, zones
from forum.core.errors import Conflict, DomainError
from forum.core.signals import escalation_acknowledged, fix_escalated
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import history
from forum.fixes.models import OPEN_STATUSES, Escalation, EventKind, Fix, FixEvent
from forum.fixes.services import TransitionDenied, _reason, claim


def escalate_overdue(now: datetime | None = None, sponsor_after: timedelta | None = None):
    """Escalate every overdue, unsnoozed open fix one step. Safe to run as often as you like.

    Level 1 goes to the owner team's lead; level 2 to the executive sponsor once the fix has
    been escalated to the lead for ``sponsor_after`` and is still overdue.
    """
    now = now or utcnow()
    sponsor_after = sponsor_after or timedelta(hours=settings.get("sponsor_after_hours"))
    created = []
    fixes = db.session.scalars(
        sa.select(Fix).where(Fix.status.in_(OPEN_STATUSES), Fix.due_at < now).order_by(Fix.id)
    ).all()
    for fix in fixes:
        if fix.snoozed_until is not None and fix.snoozed_until > now:
            continue
        # Each path from the lead to the sponsor is a round; a reopened fix or a later due date
        # resets the level to 0 and so starts a new one.
        last_round = db.session.scalar(
            sa.select(sa.func.max(Escalation.round)).where(Escalation.fix_id == fix.id)
        )
        round_ = (last_round or 0) + (1 if fix.escalation_level == 0 else 0)
        team = fix.owner_team
        if fix.escalation_level == 0:
            level, target = (1, team.lead) if team.lead else (2, team.sponsor)
        elif fix.escalation_level == 1:
            first = db.session.scalar(
                sa.select(Escalation)
                .where(Escalation.fix_id == fix.id, Escalation.level == 1)
                .order_by(Escalation.id.desc())
            )
            if first is None or now - first.created_at < sponsor_after or team.sponsor is None:
                continue
            level, target = 2, team.sponsor
        else:
            continue
        if target is None:
            continue
        exists = db.session.scalar(
            sa.select(Escalation.id).where(
                Escalation.fix_id == fix.id, Escalation.level == level, Escalation.round == round_
            )
        )
        if exists:
            continue
        try:
            claim(fix, fix.version, now)
        except Conflict:
            continue  # changed under us; the next run looks again
        escalation = Escalation(
            fix_id=fix.id, level=level, round=round_, to_user_id=target.id, created_at=now
        )
        db.session.add(escalation)
        fix.escalation_level = level
        db.session.flush()
        overdue_days = (now - fix.due_at).days
        history.append(
            fix,
            EventKind.ESCALATED,
            at=now,
            from_value=str(level - 1),
            to_value=str(level),
            # Whom it went to is in details, by id: the hashed note never names them.
            note=f"Overdue by {overdue_days} day{'s' if overdue_days != 1 else ''}",
            details={"escalation_id": escalation.id, "to_user_id": target.id, "level": level},
        )
        fix_escalated.send(fix, escalation=escalation)
        created.append(escalation)
    return created


def acknowledge_escalation(
    escalation: Escalation, *, actor: User, now: datetime | None = None
) -> FixEvent:
    """The person it went to (or a leader) acknowledges an escalation."""
    now = now or utcnow()
    if escalation.acknowledged_at is not None:
        raise Conflict("This escalation is already acknowledged.")
    if not can(actor, "escalation.acknowledge", escalation):
        raise TransitionDenied(escalation.fix.status, escalation.fix.status)
    fix = escalation.fix
    claim(fix, fix.version, now)
    escalation.acknowledged_at = now
    escalation.acknowledged_by_id = actor.id
    db.session.flush()
    event = history.append(
        fix,
        EventKind.ESCALATION_ACK,
        actor=actor,
        at=now,
        to_value=str(escalation.level),
        details={"escalation_id": escalation.id},
    )
    escalation_acknowledged.send(fix, actor=actor, escalation=escalation)
    return event


def snooze(
    fix: Fix,
    until: datetime,
    *,
    actor: User,
    version: int,
    reason: str,
    now: datetime | None = None,
) -> FixEvent:
    """Hold escalation until a new date, with a reason. Leaders, or the escalation's recipient."""
    now = now or utcnow()
    reason = _reason(reason, "a reason for snoozing")
    recipient = db.session.scalar(
        sa.select(Escalation.id).where(
            Escalation.fix_id == fix.id, Escalation.to_user_id == actor.id
        )
    )
    if recipient is None and not can(actor, "escalation.oversee"):
        raise TransitionDenied(fix.status, fix.status)
    if until <= now:
        raise DomainError("Snooze until a date in the future.")
    if not fix.is_open:
        raise DomainError("Only open fixes can be snoozed.")
    claim(fix, version, now)
    fix.snoozed_until = until
    db.session.flush()
    return history.append(
        fix,
        EventKind.SNOOZED,
        actor=actor,
        at=now,
        to_value=zones.due_day(until).isoformat(),
        note=reason,
    )
