"""Creating, moving and maintaining fixes. Every change claims the fix's version (so two
simultaneous changes never both win) and appends a history entry. Services flush; the caller
commits."""

from datetime import datetime

import sqlalchemy as sa

from forum.auth.models import Team, User
from forum.auth.permissions import can, ensure
from forum.core import zones
from forum.core.errors import Conflict, DomainError, Forbidden
from forum.core.signals import fix_assigned, fix_commented, fix_transitioned
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes import history, sla, workflow
from forum.fixes.models import (
    OPEN_STATUSES,
    Escalation,
    EventKind,
    Fix,
    FixComment,
    FixEvent,
    FixStatus,
    Priority,
)
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm

S = FixStatus
MIN_REASON = 3


class TransitionDenied(Forbidden):
    """The user may not make this move (HTTP 403)."""

    def __init__(self, frm: FixStatus, to: FixStatus):
        super().__init__(f"You cannot move this fix from “{frm.label}” to “{to.label}”.")


class InvalidTransition(Conflict):
    """The move does not exist from the fix's current status (HTTP 409)."""

    def __init__(self, frm: FixStatus, to: FixStatus):
        super().__init__(
            f"This fix is “{frm.label}”; it cannot go to “{to.label}” from there. "
            "Reload to see its current state."
        )


def _reason(note: str, what: str = "a reason") -> str:
    note = (note or "").strip()
    if len(note) < MIN_REASON:
        raise DomainError(f"Give {what}.")
    return note


def _assignee(team: Team, user_id: int | None) -> User | None:
    if not user_id:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.team_id != team.id:
        raise DomainError("The assignee must be an active member of the owner team.")
    return user


def changes_since(fix: Fix, version: int) -> list[FixEvent]:
    return db.session.scalars(
        sa.select(FixEvent)
        .where(FixEvent.fix_id == fix.id, FixEvent.version_after > version)
        .order_by(FixEvent.seq)
    ).all()


def _change_line(e: FixEvent) -> str:
    said = history.shown_entry(e, {})  # who was assigned is on the page the user reloads
    moved = f" {said.from_value}→{said.to_value}" if said.from_value or said.to_value else ""
    return f"{e.at:%Y-%m-%d %H:%M} {e.kind}{moved}"


def stale(fix: Fix, version: int) -> Conflict:
    """The Conflict for a change based on ``version``, listing what changed since."""
    changed = changes_since(fix, version)
    lines = "; ".join(_change_line(e) for e in changed)
    return Conflict(
        "Someone changed this fix while you were looking at it"
        + (f" ({lines})" if lines else "")
        + ". Review the current state and try again.",
        changes=[e.id for e in changed],
    )


def claim(fix: Fix, version: int, now: datetime) -> None:
    """Take the fix's version from ``version`` to the next one, or raise Conflict.

    A single UPDATE ... WHERE version = :version: of two simultaneous requests, exactly one
    matches; the other gets a Conflict listing what changed.
    """
    claimed = db.session.execute(
        sa.update(Fix)
        .where(Fix.id == fix.id, Fix.version == version)
        .values(version=Fix.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(fix)
        raise stale(fix, version)
    # The row is already written; keep the session from writing these two again.
    sa.orm.attributes.set_committed_value(fix, "version", version + 1)
    sa.orm.attributes.set_committed_value(fix, "updated_at", now)


def transition(
    fix: Fix,
    to: FixStatus | str,
    *,
    actor: User,
    version: int,
    note: str = "",
    resolution_note: str = "",
    root_cause_id: int | None = None,
    prevention: str = "",
    now: datetime | None = None,
    recurrence_post: Post | None = None,
) -> FixEvent:
    """Move ``fix`` to ``to`` by the table's rules, recording who did it and why."""
    now = now or utcnow()
    if version != fix.version and workflow.parties(actor, fix):
        # Judge a stale form by what changed, not by the move it asks for from a status the
        # user never saw. Someone with no part in the fix is refused below instead, and
        # learns nothing of what changed.
        raise stale(fix, version)
    to = FixStatus(to)  # a form may hand the value over as a string
    frm = fix.status
    rule = workflow.rule_for(fix, to)
    if rule is None:
        raise InvalidTransition(frm, to)
    if not workflow.allows(actor, fix, to, now):
        raise TransitionDenied(frm, to)
    details: dict = {}
    if workflow.Need.REASON in rule.needs:
        note = _reason(note)
    if workflow.Need.RESOLUTION in rule.needs:
        resolution_note = _reason(resolution_note, "a resolution note")
        prevention = _reason(prevention, "a prevention action")
        cause = db.session.get(TaxonomyTerm, root_cause_id) if root_cause_id else None
        if cause is None or cause.kind != TaxonomyKind.ROOT_CAUSE:
            raise DomainError("Choose a root-cause category.")
        details.update(
            resolution_note=resolution_note, root_cause=cause.name, prevention=prevention
        )
    claim(fix, version, now)
    who = workflow.parties(actor, fix)
    if to == S.VERIFIED and workflow.Party.REPORTER not in who:
        details["verified_for_reporters"] = True  # a leader after the reporters' window
    fix.status = to
    if to == S.ACKNOWLEDGED:
        fix.acknowledged_at = now
    elif to == S.BLOCKED or to == S.WONT_FIX:
        fix.status_reason = note
        if to == S.WONT_FIX:
            fix.closed_at = now
    elif to == S.RESOLVED:
        fix.resolved_at = now
        fix.resolution_note, fix.prevention = resolution_note, prevention
        fix.root_cause_id = root_cause_id
        fix.status_reason = ""
    elif to == S.VERIFIED:
        fix.verified_at = fix.closed_at = now
    elif to == S.REOPENED:
        fix.status_reason = note
        fix.reopen_count += 1
        fix.resolved_at = fix.verified_at = fix.closed_at = None
        fix.escalation_level = 0
        fix.snoozed_until = None
        _, fix.due_at = sla.default_due(fix.priority, now)
        details["new_due"] = fix.due_at.isoformat()
        if recurrence_post is not None:
            fix.recurrence_count += 1
            details["recurrence_post"] = recurrence_post.id
    elif to == S.IN_PROGRESS:
        fix.status_reason = ""
    if frm in OPEN_STATUSES and to not in OPEN_STATUSES:
        closed = _close_escalations(fix, now)
        if closed:
            details["escalations_closed"] = closed
    db.session.flush()
    event = history.append(
        fix,
        EventKind.STATUS,
        actor=actor,
        from_value=frm,
        to_value=to,
        note=note,
        details=details,
        at=now,
    )
    fix_transitioned.send(fix, actor=actor, event=event, from_status=frm, to_status=to)
    return event


def _close_escalations(fix: Fix, now: datetime) -> list[int]:
    """Close the fix's escalations still waiting: the fix they asked about is no longer open."""
    waiting = db.session.scalars(
        sa.select(Escalation).where(
            Escalation.fix_id == fix.id,
            Escalation.acknowledged_at.is_(None),
            Escalation.closed_at.is_(None),
        )
    ).all()
    for escalation in waiting:
        escalation.closed_at = now
    return sorted(e.id for e in waiting)


def assign(
    fix: Fix, assignee_id: int | None, *, actor: User, version: int, now: datetime | None = None
) -> FixEvent:
    """Give the fix to a member of its owner team (or to nobody)."""
    now = now or utcnow()
    assignee = _assignee(fix.owner_team, assignee_id)
    if not can(actor, "fix.assign", fix):
        raise TransitionDenied(fix.status, fix.status)
    old = fix.assignee
    claim(fix, version, now)
    fix.assignee = assignee
    db.session.flush()
    event = history.append(
        fix,
        EventKind.ASSIGNED,
        actor=actor,
        at=now,
        # Ids only: the hashed entry must stay true when someone is renamed or erased.
        details={"from_id": old.id if old else None, "to_id": assignee.id if assignee else None},
    )
    fix_assigned.send(fix, actor=actor, assignee=assignee, previous=old)
    return event


def set_priority(
    fix: Fix,
    priority: str,
    *,
    actor: User,
    version: int,
    note: str = "",
    now: datetime | None = None,
) -> FixEvent:
    """A leader re-prioritises a fix (the due date stays; change it separately)."""
    now = now or utcnow()
    ensure(actor, "fix.manage", message="Only leaders can do that.")
    if priority not in {p.value for p in Priority}:
        raise DomainError("Choose a priority.")
    old = fix.priority
    claim(fix, version, now)
    fix.priority = priority
    db.session.flush()
    return history.append(
        fix,
        EventKind.PRIORITY,
        actor=actor,
        at=now,
        from_value=old,
        to_value=priority,
        note=note.strip(),
    )


def set_due(
    fix: Fix,
    due_at: datetime,
    *,
    actor: User,
    version: int,
    reason: str,
    now: datetime | None = None,
) -> FixEvent:
    """A leader changes the due date, with a reason (recorded)."""
    now = now or utcnow()
    ensure(actor, "fix.manage", message="Only leaders can do that.")
    reason = _reason(reason, "a reason for changing the due date")
    if not fix.is_open:
        raise DomainError("Only open fixes have a due date to change.")
    old = fix.due_at
    claim(fix, version, now)
    fix.due_at = due_at
    if due_at > old:
        fix.escalation_level = 0  # a new deadline earns a fresh escalation path
    db.session.flush()
    return history.append(
        fix,
        EventKind.DUE_DATE,
        actor=actor,
        at=now,
        from_value=zones.due_day(old).isoformat(),
        to_value=zones.due_day(due_at).isoformat(),
        note=reason,
        details={"extended": due_at > old},
    )


def add_comment(fix: Fix, author: User, body: str) -> FixComment:
    if not (body or "").strip():
        raise DomainError("Write something first.")
    comment = FixComment(fix_id=fix.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    fix_commented.send(fix, actor=author, comment=comment)
    return comment


def bulk_acknowledge(
    fixes_and_versions: list[tuple[Fix, int]], *, actor: User, now: datetime | None = None
) -> tuple[list[Fix], list[str]]:
    """Acknowledge several fixes at once; each one is checked and recorded on its own."""
    done, problems = [], []
    for fix, version in fixes_and_versions:
        # transition() checks everything before it writes, and a lost version claim writes
        # nothing, so one refusal leaves the others (and the session) untouched.
        try:
            transition(fix, S.ACKNOWLEDGED, actor=actor, version=version, now=now)
        except DomainError as exc:
            problems.append(f"Fix #{fix.id}: {exc.message}")
        else:
            done.append(fix)
    return done, problems
