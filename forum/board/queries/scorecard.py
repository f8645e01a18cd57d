"""The team scorecard: a team's board row, the same figures month by month, its open fixes
and its stale commitments-catalog entries.

"Open at month end" is the only figure read from the fixes' history: the status each fix was in
at that instant, replayed from its status moves (the current month: now).
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa

from forum.board.filters import BoardFilter, Bucket, TeamRef, months_ending
from forum.board.queries.fixes import (
    DONE,
    OPEN,
    TeamFigures,
    clock,
    fix_scope,
    team_figures,
)
from forum.board.queries.promises import Promises, promise_scope, promise_state
from forum.board.queries.ranking import with_revenue
from forum.board.queries.sql import (
    DAY,
    at,
    bucket_index,
    in_buckets,
    percentiles,
    seconds_between,
)
from forum.catalog.models import STALE_AFTER, Commitment
from forum.core.rates import Converter, month_of
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes.models import EventKind, Fix, FixEvent, FixStatus


@dataclass
class MonthRow:
    bucket: Bucket
    created: int = 0
    resolved: int = 0
    on_time: int = 0
    closed_cohort: int = 0
    reopened: int = 0
    recurred: int = 0
    open_at_end: int = 0
    ttr_median_days: float | None = None
    ttr_p90_days: float | None = None
    promises: Promises = field(default_factory=Promises)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.closed_cohort if self.closed_cohort else None


def open_at(scope: list, moments: list[datetime]):
    """A SELECT of (i, n): how many fixes in ``scope`` were open at each of ``moments``.

    Replays the history once: every fix is open from its creation until its first status
    move, then in each status until the next one (moves at the same instant in ``seq``
    order). A fix was open at ``t`` if the stretch covering ``t`` — started before ``t``,
    not ended before it — had an open status.
    """
    moves = (
        sa.select(
            FixEvent.fix_id.label("fix_id"),
            FixEvent.at.label("start"),
            FixEvent.to_value.label("status"),
            FixEvent.seq.label("seq"),
        )
        .join(Fix, Fix.id == FixEvent.fix_id)
        # A move after the last instant only ends a stretch after every instant: leaving it
        # out (an open-ended stretch) changes no count.
        .where(FixEvent.kind == EventKind.STATUS, FixEvent.at < at(max(moments)), *scope)
    )
    births = sa.select(
        Fix.id, Fix.created_at, sa.literal(str(FixStatus.OPEN)), sa.literal(0)
    ).where(Fix.created_at < at(max(moments)), *scope)
    steps = sa.union_all(moves, births).subquery()
    every = sa.select(
        steps.c.start,
        steps.c.status,
        sa.func.lead(steps.c.start)
        .over(partition_by=steps.c.fix_id, order_by=(steps.c.start, steps.c.seq))
        .label("stop"),
    ).subquery()
    # Only the open stretches that reach into the instants' span need to meet the instants.
    stretches = (
        sa.select(every)
        .where(
            every.c.status.in_(OPEN),
            every.c.start < at(max(moments)),
            sa.or_(every.c.stop.is_(None), every.c.stop >= at(min(moments))),
        )
        .subquery()
    )
    instants = sa.union_all(
        *[sa.select(sa.literal(i).label("i"), at(m).label("t")) for i, m in enumerate(moments)]
    ).subquery()
    return (
        sa.select(instants.c.i, sa.func.count())
        .select_from(instants)
        .join(
            stretches,
            sa.and_(
                stretches.c.start < instants.c.t,
                sa.or_(stretches.c.stop.is_(None), stretches.c.stop >= instants.c.t),
            ),
        )
        .group_by(instants.c.i)
    )


def monthly(f: BoardFilter, team: TeamRef, now: datetime, count: int = 12) -> list[MonthRow]:
    """A team's figures for each of the ``count`` months up to the period's end: four
    statements. "Open at month end" replays the history (status at that instant)."""
    months = months_ending(min(f.end, now.date()), count)
    out = [MonthRow(b) for b in months]
    scope = [Fix.owner_team_id == team.id, *fix_scope(f)]
    ever_closed = sa.or_(Fix.status.in_(DONE + [str(FixStatus.WONT_FIX)]), Fix.reopen_count > 0)
    created = sa.select(
        bucket_index(Fix.created_at, months).label("b"),
        sa.literal(1).label("created"),
        sa.literal(0).label("resolved"),
        sa.literal(0).label("on_time"),
        sa.case((ever_closed, 1), else_=0).label("closed_cohort"),
        sa.case((sa.and_(ever_closed, Fix.reopen_count > 0), 1), else_=0).label("reopened"),
        sa.case((sa.and_(ever_closed, Fix.recurrence_count > 0), 1), else_=0).label("recurred"),
    ).where(in_buckets(Fix.created_at, months), *scope)
    resolved = sa.select(
        bucket_index(Fix.resolved_at, months).label("b"),
        sa.literal(0),
        sa.literal(1),
        sa.case((Fix.resolved_at <= Fix.due_at, 1), else_=0),
        sa.literal(0),
        sa.literal(0),
        sa.literal(0),
    ).where(Fix.status.in_(DONE), in_buckets(Fix.resolved_at, months), *scope)
    u = sa.union_all(created, resolved).subquery()
    names = ["created", "resolved", "on_time", "closed_cohort", "reopened", "recurred"]
    query = sa.select(u.c.b, *[sa.func.sum(u.c[n]).label(n) for n in names]).group_by(u.c.b)
    for row in db.session.execute(query).mappings():
        for n in names:
            setattr(out[row["b"]], n, int(row[n]))

    values = (
        sa.select(
            bucket_index(Fix.resolved_at, months).label("b"),
            seconds_between(Fix.resolved_at, Fix.created_at).label("v"),
        )
        .where(Fix.status.in_(DONE), in_buckets(Fix.resolved_at, months), *scope)
        .subquery()
    )
    for row in db.session.execute(
        percentiles(values, ["b"], {"p50": (1, 2), "p90": (9, 10)})
    ).mappings():
        out[row["b"]].ttr_median_days = row["p50"] / DAY
        out[row["b"]].ttr_p90_days = row["p90"] / DAY

    for i, n in db.session.execute(open_at(scope, [min(b.end, now) for b in months])):
        out[i].open_at_end = int(n)

    team_filter = replace(f, team=team)
    state = promise_state()
    b = bucket_index(Post.created_at, months)
    query = (
        sa.select(b.label("b"), state.label("state"), sa.func.count().label("n"))
        .select_from(Post)
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .where(*promise_scope(team_filter, months[0].start, months[-1].end))
        .group_by(b, state)
    )
    for row in db.session.execute(query).mappings():
        out[row["b"]].promises.counts[row["state"]] += row["n"]
    return out


def stale_commitments(team: TeamRef, now: datetime):
    """The team's active catalog entries not confirmed for over 90 days (as ``is_stale``)."""
    return db.session.scalars(
        sa.select(Commitment)
        .where(
            Commitment.team_id == team.id,
            Commitment.active.is_(True),
            Commitment.last_confirmed_at < at(now - STALE_AFTER),
        )
        .order_by(Commitment.last_confirmed_at, Commitment.id)
    ).all()


def team_open_fixes(
    f: BoardFilter, team: TeamRef, now: datetime, convert: Converter, limit: int = 25
):
    """The team's open fixes in scope, soonest due first."""
    query = (
        sa.select(
            Fix.id,
            Fix.title,
            Fix.priority,
            Fix.status,
            Fix.due_at,
            Fix.created_at,
        )
        .where(Fix.owner_team_id == team.id, Fix.status.in_(OPEN), *fix_scope(f))
        .order_by(Fix.due_at, Fix.id)
        .limit(limit)
    )
    return with_revenue(db.session.execute(query), month_of(now), convert)


@dataclass
class Scorecard:
    figures: TeamFigures
    months: list[MonthRow]
    stale: list
    open_fixes: list


def scorecard(f: BoardFilter, team: TeamRef, now: datetime) -> Scorecard:
    """One team: its board row, its months, its stale catalog entries, its open fixes."""
    team_filter = replace(f, team=team)
    convert = Converter({month_of(now)})
    return Scorecard(
        figures=team_figures(team_filter, clock(team_filter, now), [team], convert)[0],
        months=monthly(team_filter, team, now),
        stale=stale_commitments(team, now),
        open_fixes=team_open_fixes(team_filter, team, now, convert),
    )
