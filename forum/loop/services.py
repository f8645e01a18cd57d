"""Opening, moving and editing follow-ups. Every change appends a ``FollowUpEvent``. Services
flush; the caller commits.

When a fix is verified (``open_for_fix``):

- every broken-promise report linked to it gets a *customer* follow-up for its author;
- every lost or no-decision deal (a win/loss report, duplicates left out) whose cause is that
  fix gets a *deal* follow-up for its rep: the deal was triaged into the fix, or its
  delivery/operations reason points at the fix (``cause_fix_id``) or at a report linked to it
  or merged into one (``cause_post_id``).

When a verified fix is reopened, the follow-ups nobody acted on yet are withdrawn; verifying it
again brings them back. Follow-ups already acted on keep their state.
"""

from datetime import date, timedelta

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.permissions import ensure
from forum.core.errors import Conflict, DomainError
from forum.core.signals import follow_up_moved, follow_ups_opened
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Outcome, Post, PostKind, PostStatus
from forum.feedback.shielding import fix_reports
from forum.fixes.models import Fix, FixStatus
from forum.loop import workflow
from forum.loop.models import (
    FIRST_STATE,
    FollowUp,
    FollowUpEvent,
    FollowUpKind,
    FollowUpState,
)

S = FollowUpState
MAX_MESSAGE = 10_000
MAX_NOTE = 2_000
DEAL_OUTCOMES = (str(Outcome.LOST), str(Outcome.NO_DECISION))


def _record(follow_up: FollowUp, kind: str, *, actor: User | None, frm="", to="", note="", on=None):
    event = FollowUpEvent(
        follow_up_id=follow_up.id,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        from_state=str(frm),
        to_state=str(to),
        note=note,
        on_date=on,
        at=utcnow(),
    )
    db.session.add(event)
    return event


def promises_of(fix: Fix) -> list[Post]:
    """The broken-promise reports linked to ``fix`` (not merged ones: their original is)."""
    return db.session.scalars(
        sa.select(Post)
        .where(Post.fix_id == fix.id, Post.kind == PostKind.BROKEN_PROMISE)
        .order_by(Post.id)
    ).all()


def deals_caused_by(fix_id):
    """A condition on ``Post``: a lost or no-decision deal whose cause is the fix ``fix_id``
    (a value or a column), as the module docstring says."""
    reports = fix_reports()
    linked = sa.select(reports.c.post_id).where(reports.c.fix_id == fix_id)
    return sa.and_(
        Post.kind == PostKind.WIN_LOSS,
        Post.status != PostStatus.DUPLICATE,
        Post.outcome.in_(DEAL_OUTCOMES),
        sa.or_(
            Post.fix_id == fix_id,
            Post.cause_fix_id == fix_id,
            Post.cause_post_id.in_(linked),
        ),
    )


def deals_of(fix: Fix) -> list[Post]:
    return db.session.scalars(
        sa.select(Post).where(deals_caused_by(fix.id)).order_by(Post.id)
    ).all()


def open_for_fix(fix: Fix) -> list[FollowUp]:
    """Give each rep concerned by the verified ``fix`` their follow-up (see the module
    docstring). Idempotent; returns the follow-ups opened (or brought back) now. Flushes."""
    if fix.status != FixStatus.VERIFIED:
        return []
    existing = {
        f.post_id: f
        for f in db.session.scalars(sa.select(FollowUp).where(FollowUp.fix_id == fix.id))
    }
    opened = []
    wanted = [(p, FollowUpKind.CUSTOMER) for p in promises_of(fix)]
    wanted += [(p, FollowUpKind.DEAL) for p in deals_of(fix)]
    for post, kind in wanted:
        follow_up = existing.get(post.id)
        first = FIRST_STATE[kind]
        if follow_up is None:
            follow_up = FollowUp(
                kind=kind, state=first, fix=fix, post=post, rep_id=post.author_id, message=""
            )
            db.session.add(follow_up)
            db.session.flush()
            _record(follow_up, "opened", actor=None, to=first)
        elif follow_up.state == S.WITHDRAWN:
            _record(
                follow_up,
                "state",
                actor=None,
                frm=S.WITHDRAWN,
                to=first,
                note="The fix is verified again.",
            )
            follow_up.state, follow_up.updated_at = first, utcnow()
        else:
            continue
        opened.append(follow_up)
    db.session.flush()
    if opened:
        follow_ups_opened.send(fix, follow_ups=opened)
    return opened


def withdraw_for_fix(fix: Fix, *, actor: User | None) -> list[FollowUp]:
    """The reopened ``fix``'s follow-ups nobody acted on are withdrawn. Flushes."""
    waiting = db.session.scalars(
        sa.select(FollowUp).where(
            FollowUp.fix_id == fix.id, FollowUp.state.in_(sorted(FIRST_STATE.values()))
        )
    ).all()
    for follow_up in waiting:
        _record(
            follow_up,
            "state",
            actor=actor,
            frm=follow_up.state,
            to=S.WITHDRAWN,
            note="The fix was reopened.",
        )
        follow_up.state, follow_up.updated_at = S.WITHDRAWN, utcnow()
    db.session.flush()
    return waiting


def _day(on: date | None, follow_up: FollowUp) -> date:
    today = utcnow().date()
    on = on or today
    # A day ahead of UTC is still "today" somewhere.
    if on > today + timedelta(days=1):
        raise DomainError("The day cannot be in the future.")
    verified = follow_up.fix.verified_at
    if verified is not None and on < verified.date() - timedelta(days=1):
        raise DomainError("The day cannot be before the fix was verified.")
    return on


def move(
    follow_up: FollowUp,
    to: FollowUpState | str,
    *,
    actor: User,
    note: str = "",
    on: date | None = None,
    state_seen: str | None = None,
) -> FollowUpEvent:
    """Mark ``follow_up`` as ``to`` by the table's rules (only its rep may). ``state_seen`` is
    the state the rep's page showed: a stale page gets a Conflict. Flushes."""
    ensure(actor, "followup.act", follow_up, message="Only the rep who owes this step marks it.")
    try:
        to = FollowUpState(to)
    except ValueError:
        raise DomainError("Choose what happened.") from None
    if state_seen is not None and state_seen != follow_up.state:
        raise Conflict(f"This step is already marked “{follow_up.state.label}”. Reload to see it.")
    rule = workflow.move_for(follow_up, to)
    if rule is None:
        raise Conflict(
            f"This step is “{follow_up.state.label}”; it cannot be marked “{to.label}” now."
        )
    note = (note or "").strip()[:MAX_NOTE]
    day = _day(on, follow_up) if rule.needs_date else None
    frm = follow_up.state
    # One winner when the same step is marked twice at once.
    claimed = db.session.execute(
        sa.update(FollowUp)
        .where(FollowUp.id == follow_up.id, FollowUp.state == frm)
        .values(state=to, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(follow_up)
        raise Conflict(f"This step is already marked “{follow_up.state.label}”. Reload to see it.")
    sa.orm.attributes.set_committed_value(follow_up, "state", to)
    if day is not None:
        follow_up.informed_on = day
    if to in {S.TRUST_RESTORED, S.STILL_UNHAPPY, S.WON_BACK, S.NOT_PURSUED}:
        follow_up.closed_at = utcnow()
    event = _record(follow_up, "state", actor=actor, frm=frm, to=to, note=note, on=day)
    db.session.flush()
    follow_up_moved.send(follow_up, actor=actor, event=event)
    return event


def save_message(follow_up: FollowUp, message: str, *, actor: User) -> FollowUpEvent:
    """Keep the rep's edited message (an empty one goes back to the draft). Flushes."""
    ensure(actor, "followup.act", follow_up, message="Only the rep who owes this step edits it.")
    message = (message or "").replace("\r\n", "\n").strip()
    if len(message) > MAX_MESSAGE:
        raise DomainError(f"Keep the message under {MAX_MESSAGE:,} characters.")
    follow_up.message = message
    follow_up.updated_at = utcnow()
    event = _record(follow_up, "message", actor=actor, note="edited" if message else "reset")
    db.session.flush()
    return event
