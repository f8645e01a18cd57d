"""The period review: what was reported, fixed, left open and learned in one period."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from forum.auth.models import Team
from forum.board.filters import BoardFilter, TeamRef
from forum.board.queries.fixes import (
    DONE,
    OPEN,
    TeamFigures,
    clock,
    fix_predicates,
    fix_scope,
    team_figures,
)
from forum.board.queries.ranking import with_revenue
from forum.board.queries.sql import at, count_if, in_range, region_and_segment
from forum.board.queries.winloss import WinLoss, win_loss
from forum.core.rates import Converter, month_of
from forum.extensions import db
from forum.feedback.models import Post, PostKind
from forum.fixes import revenue
from forum.fixes.models import Fix
from forum.taxonomy.models import TaxonomyTerm

LIST_LIMIT = 15


def post_scope(f: BoardFilter) -> list:
    """Reports filed in the period, by region, about the segment, naming the team."""
    clauses = [in_range(Post.created_at, f.start_at, f.end_at)]
    clauses += region_and_segment(f)
    if f.team is not None:
        clauses.append(Post.team_id == f.team.id)
    return clauses


@dataclass
class Review:
    reported: dict[str, int]
    total: TeamFigures
    fixed: list
    overdue: list
    causes: list
    win_loss: WinLoss

    @property
    def reports(self) -> int:
        return sum(self.reported.values())


def period_review(f: BoardFilter, teams: list[TeamRef], now: datetime) -> Review:
    """Everything the review prints: a fixed number of statements."""
    c = clock(f, now)
    ops = [t for t in teams if t.kind == "operations" and (f.team is None or t.id == f.team.id)]
    ids = [t.id for t in ops]
    preds = fix_predicates(c)
    scope = [Fix.owner_team_id.in_(ids), *fix_scope(f)]
    row = (
        db.session.execute(
            sa.select(*[count_if(Post.kind == k).label(str(k)) for k in PostKind]).where(
                *post_scope(f)
            )
        )
        .mappings()
        .one()
    )
    reported = {str(k): int(row[str(k)]) for k in PostKind}
    # Now-figures at this month's rates; the period's fixes at the rates of its last month.
    now_month, period_month = month_of(now), month_of(min(f.end, now.date()))
    convert = Converter({now_month, period_month})
    total = team_figures(f, c, ops, convert)[-1]

    cause = aliased(TaxonomyTerm)
    fields = (
        Fix.id,
        Fix.title,
        Fix.priority,
        Fix.resolved_at,
        Fix.due_at,
        Fix.prevention,
        Team.name.label("team"),
        cause.name.label("cause"),
    )
    resolved = db.session.execute(
        sa.select(*fields)
        .join(Team, Fix.owner_team_id == Team.id)
        .outerjoin(cause, Fix.root_cause_id == cause.id)
        .where(preds["resolved"], *scope)
        .order_by(Fix.resolved_at, Fix.id)
    ).all()
    # Most revenue at risk first (each fix's own figure, converted), then as resolved.
    amounts = revenue.by_fix(revenue.load(preds["resolved"], *scope))
    fixed = with_revenue(resolved, period_month, convert, amounts)
    fixed.sort(key=lambda r: -r.revenue.sort_key)
    fixed = fixed[:LIST_LIMIT]
    overdue = with_revenue(
        db.session.execute(
            sa.select(Fix.id, Fix.title, Fix.priority, Fix.status, Fix.due_at)
            .add_columns(Team.name.label("team"))
            .join(Team, Fix.owner_team_id == Team.id)
            .where(Fix.status.in_(OPEN), Fix.due_at < at(now), *scope)
            .order_by(Fix.due_at, Fix.id)
            .limit(LIST_LIMIT)
        ),
        now_month,
        convert,
    )
    causes = db.session.execute(
        sa.select(
            cause.id,
            sa.func.coalesce(cause.name, "Not recorded").label("name"),
            sa.func.count(Fix.id).label("n"),
        )
        .select_from(Fix)
        .outerjoin(cause, Fix.root_cause_id == cause.id)
        .where(Fix.status.in_(DONE), preds["resolved"], *scope)
        .group_by(cause.id, cause.name)
        .order_by(sa.func.count(Fix.id).desc(), sa.func.coalesce(cause.name, "Not recorded"))
    ).all()
    return Review(
        reported=reported,
        total=total,
        fixed=fixed,
        overdue=overdue,
        causes=causes,
        win_loss=win_loss(f, teams, now, convert),
    )
