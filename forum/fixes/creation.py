"""Opening fixes and linking reports to them (the fix's revenue at risk is derived from them
when read: ``forum/fixes/revenue.py``). Services flush; the caller commits."""

from datetime import datetime

from forum.auth.models import Team, TeamKind, User
from forum.auth.permissions import ensure
from forum.core.errors import DomainError
from forum.core.signals import fix_assigned, fix_created
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post, PostStatus
from forum.feedback.services import set_post_status
from forum.fixes import history
from forum.fixes.models import EventKind, Fix, FixEvent, FixStatus, Priority
from forum.fixes.services import _assignee, _reason, claim
from forum.fixes.sla import default_due

S = FixStatus


def _owner_team(team_id: int | None) -> Team:
    team = db.session.get(Team, team_id) if team_id else None
    if team is None or team.kind != TeamKind.OPERATIONS:
        raise DomainError("Choose the operations team that owns the fix.")
    return team


def _link(fix: Fix, posts: list[Post], actor: User, now: datetime) -> None:
    for post in posts:
        if post.fix_id == fix.id:
            continue
        if post.status not in {PostStatus.NEW, PostStatus.NEEDS_INFO}:
            raise DomainError(f"Post #{post.id} has already been triaged.")
        post.fix_id = fix.id
        post.triaged_at = now
        set_post_status(
            post,
            PostStatus.LINKED,
            actor=actor,
            now=now,
            fix_id=fix.id,
            note=f"Linked to fix #{fix.id}",
        )


def create_fix(
    *,
    title: str,
    problem: str,
    owner_team_id: int,
    priority: str,
    actor: User,
    assignee_id: int | None = None,
    due_at: datetime | None = None,
    due_reason: str = "",
    posts: list[Post] = (),
    now: datetime | None = None,
) -> Fix:
    """Open a fix (optionally from posts) with its SLA dates; the first history entry."""
    now = now or utcnow()
    ensure(actor, "fix.create", message="Only leaders create fixes.")
    if priority not in {p.value for p in Priority}:
        raise DomainError("Choose a priority.")
    title, problem = " ".join((title or "").split()), (problem or "").strip()
    if not title or not problem:
        raise DomainError("A fix needs a title and a problem statement.")
    team = _owner_team(owner_team_id)
    ack_due, sla_due = default_due(priority, now)
    details = {"sla_due": sla_due.isoformat()}
    if due_at is not None and due_at != sla_due:
        details["due_reason"] = _reason(due_reason, "a reason for the non-standard due date")
    fix = Fix(
        title=title,
        problem=problem,
        owner_team=team,
        assignee=_assignee(team, assignee_id),
        created_by_id=actor.id,
        priority=priority,
        status=S.OPEN,
        ack_due_at=ack_due,
        due_at=due_at or sla_due,
        created_at=now,
        updated_at=now,
        version=1,
    )
    db.session.add(fix)
    db.session.flush()
    details.update(
        owner_team=team.name,
        priority=priority,
        due=fix.due_at.isoformat(),
        posts=[p.id for p in posts],
    )
    if fix.assignee_id is not None:
        details["assignee_id"] = fix.assignee_id  # people by id in the chain (fixes.history)
    history.append(
        fix,
        EventKind.CREATED,
        actor=actor,
        to_value=S.OPEN,
        at=now,
        note=details.get("due_reason", ""),
        details=details,
    )
    _link(fix, list(posts), actor, now)
    fix_created.send(fix, actor=actor)
    if fix.assignee is not None:  # assigned as it was created: the assignee is told so
        fix_assigned.send(fix, actor=actor, assignee=fix.assignee, previous=None)
    return fix


def link_posts(
    fix: Fix, posts: list[Post], *, actor: User, version: int, now: datetime | None = None
) -> FixEvent:
    """Attach more posts to an existing fix."""
    now = now or utcnow()
    if fix.status in {S.VERIFIED, S.WONT_FIX}:
        raise DomainError("Reopen this fix before attaching new reports to it.")
    claim(fix, version, now)
    _link(fix, posts, actor, now)
    return history.append(
        fix,
        EventKind.LINKED,
        actor=actor,
        at=now,
        details={"posts": [p.id for p in posts]},
        note=", ".join(f"#{p.id}" for p in posts),
    )
