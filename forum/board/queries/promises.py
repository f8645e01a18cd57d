"""Broken promises: the state each one is in, and the reports the board counts.

A broken-promise report (duplicates left out) is in exactly one state, read from the report
and its fix: *made good* (the fix is verified), *awaiting verification* (resolved), *being
fixed* (open), *given up* (won't fix, or the report was declined or noted) or *untriaged*.
Its team is the fix's owner, or the team the rep named while the report has no fix.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from forum.board.filters import BoardFilter
from forum.board.queries.sql import in_range, region_and_segment
from forum.feedback.models import Post, PostKind, PostStatus
from forum.fixes.models import OPEN_STATUSES, Fix, FixStatus

OPEN = sorted(OPEN_STATUSES)

PROMISE_STATES = {
    "kept": "Made good (fix verified)",
    "awaiting": "Fixed, awaiting verification",
    "fixing": "Fix under way",
    "given_up": "Given up (won't fix, declined or noted)",
    "untriaged": "Not yet triaged",
}


def promise_state():
    """A broken-promise report's state, from the report and its fix (outer-joined)."""
    return sa.case(
        (Fix.status == FixStatus.VERIFIED, "kept"),
        (Fix.status == FixStatus.RESOLVED, "awaiting"),
        (Fix.status.in_(OPEN), "fixing"),
        (
            sa.or_(
                Fix.status == FixStatus.WONT_FIX,
                Post.status.in_([str(PostStatus.DECLINED), str(PostStatus.NOTED)]),
            ),
            "given_up",
        ),
        else_="untriaged",
    )


def promise_team():
    return sa.func.coalesce(Fix.owner_team_id, Post.team_id)


def promise_scope(f: BoardFilter, start: datetime, end: datetime) -> list:
    """Conditions on ``Post`` (with ``Fix`` outer-joined) for the broken-promise reports filed
    in ``[start, end)`` in the filter's region, segment and team."""
    clauses = [
        Post.kind == PostKind.BROKEN_PROMISE,
        Post.status != PostStatus.DUPLICATE,
        in_range(Post.created_at, start, end),
    ]
    clauses += region_and_segment(f)
    if f.team is not None:
        clauses.append(promise_team() == f.team.id)
    return clauses


@dataclass
class Promises:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROMISE_STATES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def kept(self) -> int:
        return self.counts["kept"]

    @property
    def broken(self) -> int:
        return self.total - self.kept

    @property
    def kept_rate(self) -> float | None:
        return self.kept / self.total if self.total else None
