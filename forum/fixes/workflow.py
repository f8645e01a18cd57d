"""The one table of allowed fix transitions (PRODUCT.md "From post to fix").

Views offer only the moves ``allowed_moves`` returns, services refuse anything else with
``TransitionDenied``, and the tests walk the whole table.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.permissions import can
from forum.core import settings
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from forum.fixes.models import OPEN_STATUSES, Fix, FixStatus

S = FixStatus


class Party(StrEnum):
    """How a user stands towards a fix."""

    OWNER_TEAM = "owner_team"  # may "fix.work" it: an ops member of the fix's owner team
    LEADER = "leader"  # may "fix.lead": a leader or an admin
    REPORTER = "reporter"  # reported or corroborated one of the fix's posts


class Need(StrEnum):
    REASON = "reason"
    RESOLUTION = "resolution"  # resolution note, root cause and prevention action


@dataclass(frozen=True)
class Rule:
    who: frozenset[Party]
    needs: frozenset[Need] = frozenset()


def _rule(*who: Party, needs: tuple[Need, ...] = ()) -> Rule:
    return Rule(frozenset(who), frozenset(needs))


OWNER, LEADER, REPORTER = Party.OWNER_TEAM, Party.LEADER, Party.REPORTER

TRANSITIONS: dict[tuple[FixStatus, FixStatus], Rule] = {
    (S.OPEN, S.ACKNOWLEDGED): _rule(OWNER, LEADER),
    (S.ACKNOWLEDGED, S.IN_PROGRESS): _rule(OWNER),
    (S.REOPENED, S.IN_PROGRESS): _rule(OWNER),
    (S.IN_PROGRESS, S.BLOCKED): _rule(OWNER, needs=(Need.REASON,)),
    (S.BLOCKED, S.IN_PROGRESS): _rule(OWNER),
    (S.IN_PROGRESS, S.RESOLVED): _rule(OWNER, needs=(Need.RESOLUTION,)),
    (S.RESOLVED, S.VERIFIED): _rule(REPORTER, LEADER),
    (S.RESOLVED, S.REOPENED): _rule(REPORTER, LEADER, needs=(Need.REASON,)),
    (S.VERIFIED, S.REOPENED): _rule(LEADER, needs=(Need.REASON,)),
    **{(s, S.WONT_FIX): _rule(LEADER, needs=(Need.REASON,)) for s in OPEN_STATUSES},
    (S.WONT_FIX, S.REOPENED): _rule(LEADER, needs=(Need.REASON,)),
}

ACTION_LABELS = {
    S.ACKNOWLEDGED: "Acknowledge",
    S.IN_PROGRESS: "Start work",
    S.BLOCKED: "Mark blocked",
    S.RESOLVED: "Resolve",
    S.VERIFIED: "Verify: the fix held",
    S.REOPENED: "Reopen",
    S.WONT_FIX: "Won't fix",
}


def is_reporter(user: User, fix: Fix) -> bool:
    """Did ``user`` report or corroborate a post linked to ``fix``?"""
    reported = sa.select(Post.id).where(Post.fix_id == fix.id, Post.author_id == user.id)
    corroborated = (
        sa.select(Corroboration.id)
        .join(Post, Corroboration.post_id == Post.id)
        .where(Post.fix_id == fix.id, Corroboration.user_id == user.id)
    )
    return db.session.scalar(sa.select(sa.exists(reported.union_all(corroborated).subquery())))


def parties(
    user: User, fix: Fix, among: frozenset[Party] | None = None, reporter: bool | None = None
) -> set[Party]:
    """Every way ``user`` stands towards ``fix`` (only those ``among``, when given: asking
    whether they reported it is a query, which only a move reporters may make needs; a caller
    who already knows passes ``reporter``)."""
    found = set()
    if user is None or not user.is_authenticated or not user.active:
        return found
    if can(user, "fix.work", fix):
        found.add(Party.OWNER_TEAM)
    if can(user, "fix.lead"):
        found.add(Party.LEADER)
    if among is not None and Party.REPORTER not in among:
        return found
    if reporter if reporter is not None else is_reporter(user, fix):
        found.add(Party.REPORTER)
    return found


def verify_window_ends(fix: Fix) -> datetime | None:
    """Until then, verification belongs to the reporters; a leader verifies after it."""
    if fix.resolved_at is None:
        return None
    return fix.resolved_at + timedelta(days=settings.get("verify_window_days"))


def leader_may_verify(fix: Fix, now: datetime | None = None) -> bool:
    ends = verify_window_ends(fix)
    return ends is None or (now or utcnow()) >= ends


def rule_for(fix: Fix, to: FixStatus) -> Rule | None:
    return TRANSITIONS.get((fix.status, FixStatus(to)))


def allows(
    user: User,
    fix: Fix,
    to: FixStatus,
    now: datetime | None = None,
    *,
    reporter: bool | None = None,
) -> bool:
    """May ``user`` move ``fix`` to ``to`` now? (``reporter``: see ``parties``.)"""
    rule = rule_for(fix, to)
    if rule is None:
        return False
    mine = parties(user, fix, rule.who, reporter) & rule.who
    if not mine:
        return False
    if to == S.VERIFIED and mine == {Party.LEADER}:
        # A leader who is not a reporter verifies on the reporters' behalf only once they
        # have had their window to answer.
        return leader_may_verify(fix, now)
    return True


def allowed_moves(
    user: User, fix: Fix, now: datetime | None = None, *, reporter: bool | None = None
) -> list[FixStatus]:
    """The moves the page offers ``user``, in a stable order (``reporter``: see ``parties``)."""
    return [
        to
        for (frm, to) in TRANSITIONS
        if frm == fix.status and allows(user, fix, to, now, reporter=reporter)
    ]
