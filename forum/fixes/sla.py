"""The SLA policy: per priority, hours to acknowledge and days to resolve, and the policy
settings beside them. ``save_sla_policy`` flushes; the caller commits."""

from datetime import datetime, timedelta

from forum.auth.models import User
from forum.core import audit, settings, zones
from forum.extensions import db
from forum.fixes.models import DEFAULT_SLA, SlaTarget


def sla_for(priority: str) -> tuple[int, int]:
    """(hours to acknowledge, days to resolve) for ``priority``."""
    row = db.session.get(SlaTarget, str(priority))
    return (row.ack_hours, row.resolve_days) if row else DEFAULT_SLA[str(priority)]


POLICY_SETTINGS = (
    "triage_target_hours",
    "verify_window_days",
    "sponsor_after_hours",
    "alert_min_impact",
    "customer_told_days",
    "buyer_retention_months",
)


def save_sla_policy(
    targets: dict[str, tuple[int, int]],
    policy: dict[str, int],
    *,
    actor: User,
    time_zone: str | None = None,
) -> None:
    """Store (ack hours, resolve days) per priority, the policy settings and the
    organisation's time zone (None: unchanged), audited.

    Existing fixes keep their due dates; new ones take theirs from here. Flushes; DomainError
    (nothing stored) for a time zone that is none.
    """
    if time_zone is not None:
        zones.check_zone(time_zone)  # before anything is stored
    for priority, (ack_hours, resolve_days) in targets.items():
        row = db.session.get(SlaTarget, priority) or SlaTarget(priority=priority)
        row.ack_hours, row.resolve_days = ack_hours, resolve_days
        db.session.add(row)
    for key in POLICY_SETTINGS:
        if policy.get(key) is not None:  # a setting left out of the form keeps its value
            settings.put(key, policy[key])
    if time_zone is not None:
        zones.set_org_zone(time_zone)
    db.session.flush()
    audit.record(
        "sla.update",
        actor=actor,
        targets={p: list(v) for p, v in targets.items()},
        **policy,
        **({"time_zone": time_zone} if time_zone is not None else {}),
    )


def default_due(priority: str, start: datetime) -> tuple[datetime, datetime]:
    ack_hours, resolve_days = sla_for(priority)
    return start + timedelta(hours=ack_hours), start + timedelta(days=resolve_days)
