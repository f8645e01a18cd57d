"""The reports behind a figure: one named list per figure, built from the same conditions."""

from datetime import datetime

import sqlalchemy as sa

from forum.auth.models import Team
from forum.board.filters import BoardFilter
from forum.board.queries.fixes import clock, fix_predicates, fix_scope
from forum.board.queries.promises import PROMISE_STATES, promise_scope, promise_state
from forum.board.queries.review import post_scope
from forum.board.queries.winloss import DEAL_METRICS, deal_list_query
from forum.feedback.models import Post, PostKind
from forum.fixes.models import Fix

POST_LISTS = {
    "reported": ("Reports filed", "Every report filed in the period."),
    **DEAL_METRICS,
    "promises": ("Broken promises", "Broken-promise reports filed in the period."),
    **{
        state: (label, f"Broken-promise reports filed in the period: {label.lower()}.")
        for state, label in PROMISE_STATES.items()
    },
}


def fix_list_query(f: BoardFilter, now: datetime, metric: str, priority: str = ""):
    """The fixes behind one figure: the same condition, the same scope."""
    c = clock(f, now)
    query = (
        sa.select(Fix)
        .join(Team, Fix.owner_team_id == Team.id)
        .where(Team.kind == "operations", fix_predicates(c)[metric], *fix_scope(f))
    )
    if priority:
        query = query.where(Fix.priority == priority)
    return query


def post_list_query(
    f: BoardFilter,
    now: datetime,
    name: str,
    *,
    kind: str = "",
    reason: int | str | None = None,
    competitor: int | None = None,
) -> sa.Select:
    """``select(Post)`` for the list called ``name`` (a key of ``POST_LISTS``)."""
    if name in DEAL_METRICS:
        return deal_list_query(f, name, reason=reason, competitor=competitor)
    if name == "reported":
        query = sa.select(Post).where(*post_scope(f))
        return query.where(Post.kind == kind) if kind else query
    query = (
        sa.select(Post)
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .where(*promise_scope(f, f.start_at, f.end_at))
    )
    if name != "promises":
        query = query.where(promise_state() == name)
    return query


KINDS = {str(k): k.label for k in PostKind}
