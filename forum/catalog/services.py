"""Publishing, confirming and retiring catalog entries. Services flush and audit; callers commit."""

from datetime import datetime

from forum.auth.models import Team, User, normalize_name
from forum.catalog.models import Commitment
from forum.core import audit
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db

MAX_TITLE = 120
MAX_PROMISE = 300
MAX_DETAILS = 5000


def _check_text(title: str, promise: str, details: str) -> tuple[str, str, str]:
    title, promise, details = normalize_name(title), normalize_name(promise), details.strip()
    if not title or len(title) > MAX_TITLE:
        raise DomainError(f"A title has 1 to {MAX_TITLE} characters.")
    if not promise or len(promise) > MAX_PROMISE:
        raise DomainError(f"A promise has 1 to {MAX_PROMISE} characters.")
    if len(details) > MAX_DETAILS:
        raise DomainError(f"Details have at most {MAX_DETAILS} characters.")
    return title, promise, details


def _owner(owner_id: int | None, team: Team) -> User | None:
    """The entry's owner: an active member of its team, or nobody."""
    if owner_id is None:
        return None
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.active or owner.team_id != team.id:
        raise DomainError(f"The owner must be an active member of {team.name}.")
    return owner


def create_commitment(
    team: Team,
    *,
    title: str,
    promise: str,
    details: str = "",
    owner_id: int | None = None,
    actor: User,
) -> Commitment:
    """Publish an entry for an operations team; publishing counts as confirming it."""
    if not team.is_operations:
        raise DomainError("Only operations teams publish catalog entries.")
    title, promise, details = _check_text(title, promise, details)
    commitment = Commitment(
        team=team,
        title=title,
        promise=promise,
        details=details,
        owner=_owner(owner_id, team),
        last_confirmed_at=utcnow(),
        confirmed_by=actor,
        active=True,
    )
    db.session.add(commitment)
    db.session.flush()
    audit.record("commitment.create", actor=actor, target=commitment, team_id=team.id, title=title)
    return commitment


def update_commitment(
    commitment: Commitment,
    *,
    title: str,
    promise: str,
    details: str = "",
    owner_id: int | None = None,
    actor: User,
) -> Commitment:
    """Change an entry's wording or owner (its team stays); the changed fields are audited."""
    title, promise, details = _check_text(title, promise, details)
    owner = _owner(owner_id, commitment.team)
    changes = {}
    for name, value in (("title", title), ("promise", promise), ("details", details)):
        if getattr(commitment, name) != value:
            changes[name] = [getattr(commitment, name), value]
            setattr(commitment, name, value)
    if commitment.owner_id != (owner.id if owner else None):
        changes["owner_id"] = [commitment.owner_id, owner.id if owner else None]
        commitment.owner = owner
    db.session.flush()
    audit.record("commitment.update", actor=actor, target=commitment, **changes)
    return commitment


def confirm_commitment(
    commitment: Commitment, *, actor: User, now: datetime | None = None
) -> Commitment:
    """Record that the entry is still true today: it is no longer stale."""
    if not commitment.active:
        raise DomainError("A retired entry cannot be confirmed; reactivate it first.")
    previous = commitment.last_confirmed_at
    commitment.last_confirmed_at = now or utcnow()
    commitment.confirmed_by = actor
    db.session.flush()
    audit.record(
        "commitment.confirm",
        actor=actor,
        target=commitment,
        previous=previous.isoformat() if previous else None,
    )
    return commitment


def set_active(commitment: Commitment, active: bool, *, actor: User) -> Commitment:
    """Retire an entry (reps no longer see it offered) or bring it back."""
    commitment.active = active
    db.session.flush()
    audit.record(
        "commitment.reactivate" if active else "commitment.deactivate",
        actor=actor,
        target=commitment,
    )
    return commitment
