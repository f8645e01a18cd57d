"""Read models for the fix pages: the filtered list, a team's queue, open escalations and the
fix page's timeline. They only read; the views render what they return."""

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from forum.auth.models import Role, Team, TeamKind, User
from forum.auth.permissions import can
from forum.core import zones
from forum.core.pagination import Page, paginate
from forum.core.rates import Converted
from forum.core.templating import fmt_datetime
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.feedback.shielding import shielded_on_fix
from forum.fixes import history, revenue, workflow
from forum.fixes.models import (
    OPEN_STATUSES,
    Escalation,
    EventKind,
    Fix,
    FixComment,
    FixEvent,
    FixStatus,
)
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm

PLAIN_KINDS = {EventKind.CREATED, EventKind.STATUS, EventKind.LINKED}
# Those who may not see staff names ("fix.staff_names") read each member of staff as their role.
STAFF_BY_ROLE = {
    Role.OPS: "the operations team",
    Role.LEADER: "sales leadership",
    Role.ADMIN: "sales leadership",
}


def visible_fix_or_404(fix_id: int, viewer: User) -> Fix:
    """The fix, or 404: the same answer for a missing fix and one the viewer may not see."""
    fix = db.session.get(
        Fix, fix_id, options=[joinedload(Fix.owner_team), joinedload(Fix.assignee)]
    )
    if fix is None or not can(viewer, "fix.view", fix):
        abort(404)
    return fix


def root_cause_choices() -> list[tuple]:
    """The active root-cause categories, for the resolution form."""
    return [("", "— choose —")] + [
        (t.id, t.name)
        for t in db.session.scalars(
            sa.select(TaxonomyTerm)
            .where(TaxonomyTerm.kind == TaxonomyKind.ROOT_CAUSE, TaxonomyTerm.active.is_(True))
            .order_by(TaxonomyTerm.name)
        )
    ]


def team_member_choices(team_id: int) -> list[tuple[int, str]]:
    """(id, name) of the active members of a team, for assignee pickers."""
    return [
        (u.id, u.display_name)
        for u in db.session.scalars(
            sa.select(User)
            .where(User.team_id == team_id, User.active.is_(True))
            .order_by(User.display_name)
        )
    ]


def operations_teams() -> list[sa.Row]:
    """(id, name) of the operations teams, by name."""
    return db.session.execute(
        sa.select(Team.id, Team.name).where(Team.kind == TeamKind.OPERATIONS).order_by(Team.name)
    ).all()


def fix_list(*, status: str | None, team: int | None, priority: str | None, overdue: bool):
    """One page of fixes matching the filters: open ones first, soonest due (then priority),
    then the others, most recently resolved or closed first. ``status`` "active" is every open
    status (open, acknowledged, in progress, blocked, reopened), "any" every status, anything
    else that one status."""
    query = sa.select(Fix).options(joinedload(Fix.owner_team), joinedload(Fix.assignee))
    if status == "active":
        query = query.where(Fix.status.in_(OPEN_STATUSES))
    elif status and status != "any":
        query = query.where(Fix.status == status)
    if team is not None:
        query = query.where(Fix.owner_team_id == team)
    if priority:
        query = query.where(Fix.priority == priority)
    if overdue:
        query = query.where(Fix.status.in_(OPEN_STATUSES), Fix.due_at < utcnow())
    is_open = Fix.status.in_(OPEN_STATUSES)
    ended = sa.func.coalesce(Fix.closed_at, Fix.resolved_at, Fix.updated_at)
    return paginate(
        query.order_by(
            sa.case((is_open, 0), else_=1),
            sa.case((is_open, Fix.due_at)),
            sa.case((is_open, Fix.priority)),
            ended.desc(),
            Fix.id.desc(),
        ),
        per_page=30,
    )


def open_escalations(viewer: User, *, every: bool = False) -> list[Escalation]:
    """Escalations waiting for ``viewer`` (all waiting ones for those who oversee them); with
    ``every``, also those acknowledged or closed with their fix, newest first."""
    query = (
        sa.select(Escalation)
        .options(
            joinedload(Escalation.fix).joinedload(Fix.owner_team), joinedload(Escalation.to_user)
        )
        .order_by(Escalation.created_at.desc() if every else Escalation.created_at, Escalation.id)
    )
    if every:
        query = query.limit(500)
    else:
        query = query.where(Escalation.acknowledged_at.is_(None), Escalation.closed_at.is_(None))
    if not can(viewer, "escalation.oversee"):
        query = query.where(Escalation.to_user_id == viewer.id)
    return db.session.scalars(query).all()


@dataclass
class Queue:
    """An operations team's open fixes and those resolved, awaiting verification."""

    team: Team | None
    teams: list
    fixes: list[Fix]
    awaiting: list[Fix]
    can_ack: set[int]
    now: datetime = field(default_factory=utcnow)

    @property
    def groups(self) -> list[tuple[str, list[Fix]]]:
        """The open fixes in the order they are worked: overdue, due today (the organisation's
        day, as due dates are), later. Empty groups are left out."""
        today_ends = zones.org_day_ends(self.now)
        overdue = [f for f in self.fixes if f.due_at < self.now]
        today = [f for f in self.fixes if self.now <= f.due_at < today_ends]
        later = [f for f in self.fixes if f.due_at >= today_ends]
        named = [("Overdue", overdue), ("Due today", today), ("Due later", later)]
        return [(name, fixes) for name, fixes in named if fixes]


def queue(viewer: User, team_id: int | None) -> Queue:
    """The queue of ``team_id`` (the first operations team when None); 404 for another kind."""
    teams = operations_teams()
    if team_id is None and teams:
        team_id = teams[0][0]
    team = db.session.get(Team, team_id) if team_id else None
    if team_id and (team is None or team.kind != TeamKind.OPERATIONS):
        abort(404)
    fixes = (
        db.session.scalars(
            sa.select(Fix)
            .where(Fix.owner_team_id == team_id, Fix.status.in_(OPEN_STATUSES))
            .options(joinedload(Fix.assignee))
            .order_by(Fix.due_at, Fix.priority, Fix.id)
        ).all()
        if team_id
        else []
    )
    awaiting = (
        db.session.scalars(
            sa.select(Fix)
            .where(Fix.owner_team_id == team_id, Fix.status == FixStatus.RESOLVED)
            .order_by(Fix.resolved_at.desc())
            .limit(50)
        ).all()
        if team_id
        else []
    )
    return Queue(
        team=team,
        teams=teams,
        fixes=fixes,
        awaiting=awaiting,
        can_ack={f.id for f in fixes if workflow.allows(viewer, f, FixStatus.ACKNOWLEDGED)},
    )


def people_names(ids: set[int]) -> dict[int, str]:
    """``{id: display name}`` of these people (those a fix's history concerns)."""
    if not ids:
        return {}
    return dict(
        db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )


def _actor_label(event: FixEvent, plain: bool, shielded: dict[int, str]) -> str:
    if event.actor is None:
        return "Voice of Sales (automatic)"
    if event.actor_id in shielded:
        return shielded[event.actor_id]
    staff = STAFF_BY_ROLE.get(event.actor.role) if plain else None
    return staff or event.actor.display_name


@dataclass
class FixPage:
    """What the fix page shows besides its forms."""

    timeline: list[tuple]  # one page of it
    timeline_page: Page
    chain: history.ChainReport
    posts: list[Post]
    moves: list[FixStatus]
    plain: bool
    escalations: list[Escalation]
    now: datetime
    verify_prompt: bool
    window_ends: datetime | None
    is_reporter: bool
    revenue: Converted


TIMELINE_PER_PAGE = 50


def fix_page(fix: Fix, viewer: User, *, page: int | None = None) -> FixPage:
    """One page of the timeline of history, comments and linked reports, as ``viewer`` may see
    it: the newest page unless ``page`` is given (a page past the end is a 404, except page 1).
    The whole history is read, to verify its chain; only one page of it is shown."""
    now = utcnow()
    plain = not can(viewer, "fix.staff_names")
    events = db.session.scalars(
        sa.select(FixEvent)
        .where(FixEvent.fix_id == fix.id)
        .options(joinedload(FixEvent.actor))
        .order_by(FixEvent.seq)
    ).all()
    chain = history.verify_entries(fix.id, list(events), fix.version)
    comments = db.session.scalars(
        sa.select(FixComment)
        .where(FixComment.fix_id == fix.id)
        .options(joinedload(FixComment.author))
        .order_by(FixComment.id)
    ).all()
    posts = db.session.scalars(
        sa.select(Post)
        .where(Post.fix_id == fix.id)
        .options(joinedload(Post.author), joinedload(Post.region), joinedload(Post.account))
        .order_by(Post.id)
    ).all()
    # A shielded reporter who verifies, reopens or comments would be named by it: their
    # entries and comments wear the shield (except to themselves), as on their report.
    shielded = {
        person: label for person, label in shielded_on_fix(fix.id).items() if person != viewer.id
    }
    if plain:
        events = [e for e in events if e.kind in PLAIN_KINDS]
    names = people_names(history.people_in(events))
    timeline = []
    for e in events:
        said = history.shown_entry(e, names)
        timeline.append(("event", e.at, e, _actor_label(e, plain, shielded), said))
    for c in comments:
        name = shielded.get(c.author_id, c.author.display_name)
        timeline.append(("comment", c.created_at, c, name, None))
    for p in posts:
        timeline.append(("post", p.created_at, p, None, None))
    timeline.sort(key=lambda item: (item[1], {"post": 0, "event": 1, "comment": 2}[item[0]]))
    pages = max(1, ceil(len(timeline) / TIMELINE_PER_PAGE))
    page = pages if page is None else page
    if page > pages:
        abort(404)
    shown = timeline[(page - 1) * TIMELINE_PER_PAGE : page * TIMELINE_PER_PAGE]
    # Only reporters verify or reopen a resolved fix: the question is asked once, and only then.
    reporter = fix.status == FixStatus.RESOLVED and workflow.is_reporter(viewer, fix)
    moves = workflow.allowed_moves(viewer, fix, now, reporter=reporter)
    escalations = db.session.scalars(
        sa.select(Escalation)
        .where(Escalation.fix_id == fix.id)
        .options(joinedload(Escalation.to_user))
        .order_by(Escalation.id)
    ).all()
    return FixPage(
        timeline=shown,
        timeline_page=Page([], page, TIMELINE_PER_PAGE, len(timeline)),
        chain=chain,
        posts=posts,
        moves=moves,
        plain=plain,
        escalations=escalations,
        now=now,
        verify_prompt=fix.status == FixStatus.RESOLVED
        and (FixStatus.VERIFIED in moves or FixStatus.REOPENED in moves),
        window_ends=workflow.verify_window_ends(fix),
        is_reporter=reporter,
        revenue=revenue.converted([fix.id])[fix.id],
    )


def _change(e: FixEvent) -> str:
    """What one history entry did, in the words of the fix page's timeline."""
    frm, to = e.from_value.replace("_", " "), e.to_value.replace("_", " ")
    match e.kind:
        case EventKind.STATUS:
            return f"changed the status {frm}→{to}"
        case EventKind.PRIORITY:
            return f"changed the priority {frm}→{to}"
        case EventKind.ASSIGNED:
            return f"changed the assignee {frm or 'nobody'}→{to or 'nobody'}"
        case EventKind.DUE_DATE:
            return f"changed the due date {frm}→{to}"
        case EventKind.SNOOZED:
            return f"snoozed escalation until {to}"
        case EventKind.ESCALATED:
            return f"escalated it (level {to})"
        case EventKind.ESCALATION_ACK:
            return "acknowledged the escalation"
        case EventKind.LINKED:
            return f"linked {e.note}"
        case _:
            return "opened the fix"


def stale_message(fix: Fix, event_ids: list[int], viewer: User) -> str:
    """The 409 answer to a change based on an old version: who changed what since, named as
    the fix page names them for ``viewer`` (shield labels, staff as their role for reps, and
    only the kinds of entry the viewer's timeline shows)."""
    plain = not can(viewer, "fix.staff_names")
    shielded = {
        person: label for person, label in shielded_on_fix(fix.id).items() if person != viewer.id
    }
    events = db.session.scalars(
        sa.select(FixEvent)
        .where(FixEvent.fix_id == fix.id, FixEvent.id.in_(event_ids))
        .options(joinedload(FixEvent.actor))
        .order_by(FixEvent.seq)
    ).all()
    changes = "; ".join(
        f"{_actor_label(e, plain, shielded)} {_change(e)} ({fmt_datetime(e.at)})"
        for e in events
        if not plain or e.kind in PLAIN_KINDS
    )
    return (
        "Someone changed this fix while you were looking at it"
        + (f": {changes}" if changes else "")
        + ". Review the current state and try again."
    )
