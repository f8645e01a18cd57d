"""The accountability board: figures per operations team, computed in the database in a fixed
number of statements (the team scorecard repeats them month by month: ``scorecard.py``).

Definitions (``now`` is the time of the request; the period is ``[start, end)`` in UTC; the
scope is the operations team filter plus, for region and segment, "the fix has at least one
linked report filed in that region / about an account of that segment"):

*State now* — these describe the present, whatever the period:

- **Open**: status open, acknowledged, in progress, blocked or reopened.
- **Overdue**: open, and due before now.
- **Due this week**: open, not overdue, due before next Monday 00:00 UTC (the end of the
  current ISO week).
- **Median age**: median over open fixes of now − created.
- **Ageing buckets**: open fixes by age — up to 7 days, over 7 up to 30, over 30 up to 90,
  over 90 days.
- **Revenue at risk on open fixes**: the amounts of the open fixes' linked broken-promise
  reports and their "me too"s (``forum/fixes/revenue.py``), **each account counted once across
  all the fixes added up** (a team's row: across the team's open fixes; the total: across every
  open fix in scope), at its largest amount in the currency of its first amount. Shown in the
  reporting currency at the rate of the current month, with the amounts by currency beside it;
  a currency without a rate makes the figure "incomplete" and keeps its amount unconverted.
  Won't-fix fixes are not open: their revenue is *accepted loss* (leadership decided not to
  fix), shown beside it and counted the same way — never as at risk (the promise ledger says
  the same).
- **Heat-map**: overdue fixes by owner team × priority.
- **Top fixes by revenue at risk**: the ten open fixes with the most revenue at risk (each
  fix's own figure, converted as above; an amount without a rate does not rank; ties by id) —
  or, ranked the other way, with the most ARR of the accounts they touch (``ranking.py``).

*Flow in the period*:

- **Reported**: fixes created in the period.
- **Resolved**: fixes now resolved or verified whose resolution falls in the period. A fix that
  was reopened and resolved again counts once, at its latest resolution; a fix reopened and not
  yet resolved again is not resolved.
- **Time to resolve** (median, p90): over the resolved fixes, resolution − creation, so a fix
  reopened twice counts the whole wait. Percentiles interpolate like ``percentile_cont``.
- **On-time rate**: resolved fixes whose resolution came at or before their due date, over all
  resolved fixes. (The due date cannot change once a fix is resolved; reopening sets a new one.)
- **Reopen rate**: of the fixes created in the period that have been closed at least once
  (resolved, verified or won't fix — or reopened, which implies an earlier close), the share
  reopened at least once. A fix reopened twice counts once. **Recurrence rate**: the same
  denominator, the share reopened as a recurrence (a new report of a verified problem).
- **Promises** (``promises.promise_state``): broken-promise reports filed in the period
  (duplicates left out), each in exactly one state — *made good* (its fix is verified), *awaiting
  verification* (fix resolved), *being fixed* (fix open), *given up* (fix won't fix, or the
  report was declined or noted) or *untriaged*. The team is the fix's owner, or the team the
  rep named while the report has no fix. **Kept** = made good; **still broken** = the rest.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.board.filters import BoardFilter, Bucket, TeamRef, weeks_ending
from forum.board.queries.promises import Promises, promise_scope, promise_state, promise_team
from forum.board.queries.ranking import top_fixes
from forum.board.queries.sql import (
    DAY,
    at,
    bucket_index,
    count_if,
    in_buckets,
    in_range,
    percentiles,
    seconds_between,
)
from forum.core.money import Totals
from forum.core.rates import Converted, Converter, month_of
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes import revenue
from forum.fixes.models import OPEN_STATUSES, Fix, FixStatus, Priority

OPEN = sorted(OPEN_STATUSES)
DONE = [str(FixStatus.RESOLVED), str(FixStatus.VERIFIED)]
PRIORITIES = [p.value for p in Priority]
AGES = [
    ("age_0_7", "Up to 7 days", 0, 7),
    ("age_7_30", "7 to 30 days", 7, 30),
    ("age_30_90", "30 to 90 days", 30, 90),
    ("age_90", "Over 90 days", 90, None),
]

# name -> (title, what the list contains); the same names drive the figures and their lists.
FIX_METRICS = {
    "open": ("Open fixes", "Open now, acknowledged, in progress, blocked or reopened."),
    "overdue": ("Overdue fixes", "Open now and past their due date."),
    "due_week": ("Due this week", "Open, not overdue, due before next Monday 00:00 UTC."),
    "age_0_7": ("Open up to 7 days", "Open fixes created at most 7 days ago."),
    "age_7_30": ("Open 7 to 30 days", "Open fixes created over 7 and at most 30 days ago."),
    "age_30_90": ("Open 30 to 90 days", "Open fixes created over 30 and at most 90 days ago."),
    "age_90": ("Open over 90 days", "Open fixes created over 90 days ago."),
    "created": ("Reported", "Fixes created in the period."),
    "resolved": ("Resolved", "Fixes resolved in the period and still resolved or verified."),
    "on_time": ("Resolved on time", "Resolved in the period, at or before the due date."),
    "late": ("Resolved late", "Resolved in the period, after the due date."),
    "closed_cohort": (
        "Created and closed at least once",
        "Created in the period and resolved, verified, won't fix or reopened since.",
    ),
    "reopened": ("Reopened", "Created in the period and reopened at least once."),
    "recurred": ("Recurred", "Created in the period and reopened as a recurrence."),
    "active": ("Fixes in the period", "Created or resolved in the period, or open now."),
    "all": ("All fixes", "Every fix in scope, whenever it was created."),
}


@dataclass(frozen=True)
class Clock:
    """The instants every figure of one request is measured against."""

    now: datetime
    start: datetime
    end: datetime

    @property
    def week_end(self) -> datetime:
        today = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        return today + timedelta(days=7 - today.weekday())


def clock(f: BoardFilter, now: datetime) -> Clock:
    return Clock(now, f.start_at, f.end_at)


def fix_predicates(c: Clock) -> dict:
    """Each named figure as a condition on a fix (shared by the counts and their lists)."""
    is_open = Fix.status.in_(OPEN)
    resolved = sa.and_(Fix.status.in_(DONE), in_range(Fix.resolved_at, c.start, c.end))
    created = in_range(Fix.created_at, c.start, c.end)
    ever_closed = sa.or_(Fix.status.in_(DONE + [str(FixStatus.WONT_FIX)]), Fix.reopen_count > 0)
    preds = {
        "open": is_open,
        "overdue": sa.and_(is_open, Fix.due_at < at(c.now)),
        "due_week": sa.and_(is_open, Fix.due_at >= at(c.now), Fix.due_at < at(c.week_end)),
        "created": created,
        "resolved": resolved,
        "on_time": sa.and_(resolved, Fix.resolved_at <= Fix.due_at),
        "late": sa.and_(resolved, Fix.resolved_at > Fix.due_at),
        "closed_cohort": sa.and_(created, ever_closed),
        "reopened": sa.and_(created, ever_closed, Fix.reopen_count > 0),
        "recurred": sa.and_(created, ever_closed, Fix.recurrence_count > 0),
        "active": sa.or_(created, resolved, is_open),
        "all": sa.true(),
    }
    for name, _label, low, high in AGES:
        # Age = now - created: "over ``low`` and at most ``high`` days".
        cond = [is_open]
        if low:
            cond.append(Fix.created_at < at(c.now - timedelta(days=low)))
        if high is not None:
            cond.append(Fix.created_at >= at(c.now - timedelta(days=high)))
        preds[name] = sa.and_(*cond)
    return preds


def fix_scope(f: BoardFilter) -> list:
    """Conditions on ``Fix`` for the team, region and segment filters."""
    clauses = []
    if f.team is not None:
        clauses.append(Fix.owner_team_id == f.team.id)
    if f.region is not None or f.segment:
        linked = sa.select(Post.id).where(Post.fix_id == Fix.id)
        if f.region is not None:
            linked = linked.where(Post.region_id == f.region.id)
        if f.segment:
            linked = linked.join(Account, Post.account_id == Account.id).where(
                Account.segment == f.segment
            )
        clauses.append(linked.exists())
    return clauses


@dataclass
class TeamFigures:
    """One row of the board: a team (or ``None`` for all teams in scope)."""

    team: TeamRef | None
    counts: dict[str, int]
    revenue_totals: Totals = field(default_factory=Totals)
    revenue_open: Converted | None = None
    accepted_loss: Converted | None = None  # the total row only: won't-fix fixes
    overdue_by_priority: dict[str, int] = field(default_factory=dict)
    median_age_days: float | None = None
    ttr_median_days: float | None = None
    ttr_p90_days: float | None = None
    promises: Promises = field(default_factory=Promises)

    @property
    def on_time_rate(self) -> float | None:
        return self.counts["on_time"] / self.counts["resolved"] if self.counts["resolved"] else None

    @property
    def reopen_rate(self) -> float | None:
        cohort = self.counts["closed_cohort"]
        return self.counts["reopened"] / cohort if cohort else None

    @property
    def recurrence_rate(self) -> float | None:
        cohort = self.counts["closed_cohort"]
        return self.counts["recurred"] / cohort if cohort else None


COUNTED = [name for name in FIX_METRICS if name not in ("all", "active")]
# The rows each figure is counted over (every figure's condition implies its subset's).
SUBSETS = {
    "open": [
        "open",
        "overdue",
        "due_week",
        *[name for name, *_ in AGES],
        *[f"overdue_{p}" for p in PRIORITIES],
    ],
    "created": ["created", "closed_cohort", "reopened", "recurred"],
    "resolved": ["resolved", "on_time", "late"],
}


def _empty(team: TeamRef | None) -> TeamFigures:
    return TeamFigures(
        team=team,
        counts=dict.fromkeys(COUNTED, 0),
        overdue_by_priority=dict.fromkeys(PRIORITIES, 0),
    )


def open_scope(f: BoardFilter, teams: list[TeamRef]) -> list:
    """Conditions on ``Fix`` for the open fixes of ``teams`` in scope."""
    return [Fix.status.in_(OPEN), Fix.owner_team_id.in_([t.id for t in teams]), *fix_scope(f)]


def open_amounts(f: BoardFilter, teams: list[TeamRef]) -> list[revenue.Item]:
    """The amounts behind the open fixes of ``teams`` in scope: one statement."""
    if not teams:
        return []
    return revenue.load(*open_scope(f, teams))


def team_figures(
    f: BoardFilter,
    c: Clock,
    teams: list[TeamRef],
    convert: Converter | None = None,
    amounts: list[revenue.Item] | None = None,
) -> list[TeamFigures]:
    """One row per team in ``teams`` and a last row for all of them: five statements (four
    when the open fixes' ``amounts`` are given), and two for the rates unless ``convert`` is."""
    rows = {t.id: _empty(t) for t in teams}
    total = _empty(None)
    ids = list(rows)
    if not ids:
        total.revenue_open = (convert or Converter(set()))(Totals(), month_of(c.now))
        return [total]
    preds = fix_predicates(c)
    scope = [Fix.owner_team_id.in_(ids), *fix_scope(f)]
    # Each figure is counted over the rows that can match it only — open fixes, fixes created
    # in the period, fixes resolved in it — so the work grows with those, not with the table.
    measures = {name: count_if(preds[name]) for name in COUNTED}
    for p in PRIORITIES:
        measures[f"overdue_{p}"] = count_if(sa.and_(preds["overdue"], Fix.priority == p))
    width = max(len(names) for names in SUBSETS.values())
    parts = []
    for subset, names in SUBSETS.items():
        columns = [measures[n] for n in names] + [sa.literal(0)] * (width - len(names))
        parts.append(
            sa.select(
                Fix.owner_team_id.label("team"),
                sa.literal(subset).label("subset"),
                *[col.label(f"m{i}") for i, col in enumerate(columns)],
            )
            .where(preds[subset], *scope)
            .group_by(Fix.owner_team_id)
        )
    for row in db.session.execute(sa.union_all(*parts)).mappings():
        figures = rows[row["team"]]
        for i, name in enumerate(SUBSETS[row["subset"]]):
            value = row[f"m{i}"] or 0
            if name.startswith("overdue_P"):
                figures.overdue_by_priority[name.removeprefix("overdue_")] = int(value)
            else:
                figures.counts[name] = int(value)
    # Revenue at risk: each account once across the fixes each row adds up (one statement).
    items = open_amounts(f, teams) if amounts is None else amounts
    per_team = revenue.by_team(items)
    total.revenue_totals = revenue.once_across(items)
    month = month_of(c.now)
    convert = convert or Converter({month})
    total.revenue_open = convert(total.revenue_totals, month)
    lost = revenue.load(Fix.status == FixStatus.WONT_FIX, *scope)
    total.accepted_loss = convert(revenue.once_across(lost), month)
    for figures in rows.values():
        figures.revenue_totals = per_team.get(figures.team.id, Totals())
        figures.revenue_open = convert(figures.revenue_totals, month)
        for name in COUNTED:
            total.counts[name] += figures.counts[name]
        for p in PRIORITIES:
            total.overdue_by_priority[p] += figures.overdue_by_priority[p]

    # Medians and p90 of each team, and of all teams together, ranked in SQL.
    age = seconds_between(at(c.now), Fix.created_at)
    ttr = seconds_between(Fix.resolved_at, Fix.created_at)
    values = sa.union_all(
        *[
            sa.select(
                Fix.owner_team_id.label("grp"), sa.literal(metric).label("metric"), v.label("v")
            ).where(cond, *scope)
            for metric, v, cond in (("age", age, preds["open"]), ("ttr", ttr, preds["resolved"]))
        ]
    ).subquery()
    stats = percentiles(
        values, ["grp", "metric"], {"p50": (1, 2), "p90": (9, 10)}, overall=["metric"]
    )
    overall: dict = {}
    for row in db.session.execute(stats).mappings():
        figures = rows[row["grp"]]
        for name in ("p50", "p90"):
            key = (row["metric"], name)
            overall[key] = overall.get(key, 0.0) + row[f"{name}_part"]
        if row["metric"] == "age":
            figures.median_age_days = row["p50"] / DAY
        else:
            figures.ttr_median_days = row["p50"] / DAY
            figures.ttr_p90_days = row["p90"] / DAY
    if ("age", "p50") in overall:
        total.median_age_days = overall["age", "p50"] / DAY
    if ("ttr", "p50") in overall:
        total.ttr_median_days = overall["ttr", "p50"] / DAY
        total.ttr_p90_days = overall["ttr", "p90"] / DAY

    state = promise_state()
    team_col = promise_team()
    query = (
        sa.select(team_col.label("team_id"), state.label("state"), sa.func.count().label("n"))
        .select_from(Post)
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .where(*promise_scope(f, c.start, c.end), team_col.in_(ids))
        .group_by(team_col, state)
    )
    for row in db.session.execute(query).mappings():
        rows[row["team_id"]].promises.counts[row["state"]] += row["n"]
        total.promises.counts[row["state"]] += row["n"]
    return [*rows.values(), total]


@dataclass
class WeekRow:
    bucket: Bucket
    reported: int = 0
    resolved: int = 0


def weekly(f: BoardFilter, c: Clock, teams: list[TeamRef], weeks: list[Bucket]) -> list[WeekRow]:
    """Fixes created and fixes resolved (as defined above) per week: one statement."""
    out = [WeekRow(b) for b in weeks]
    scope = [Fix.owner_team_id.in_([t.id for t in teams]), *fix_scope(f)]
    reported = sa.select(
        bucket_index(Fix.created_at, weeks).label("b"),
        sa.literal(1).label("reported"),
        sa.literal(0).label("resolved"),
    ).where(in_buckets(Fix.created_at, weeks), *scope)
    resolved = sa.select(
        bucket_index(Fix.resolved_at, weeks).label("b"),
        sa.literal(0).label("reported"),
        sa.literal(1).label("resolved"),
    ).where(Fix.status.in_(DONE), in_buckets(Fix.resolved_at, weeks), *scope)
    u = sa.union_all(reported, resolved).subquery()
    query = sa.select(u.c.b, sa.func.sum(u.c.reported), sa.func.sum(u.c.resolved)).group_by(u.c.b)
    for b, rep, res in db.session.execute(query):
        out[b].reported, out[b].resolved = int(rep), int(res)
    return out


@dataclass
class Board:
    rows: list[TeamFigures]
    weeks: list[WeekRow]
    top: list
    month: str = ""
    reporting: str = ""
    rank: str = "revenue"

    @property
    def total(self) -> TeamFigures:
        return self.rows[-1]

    @property
    def teams(self) -> list[TeamFigures]:
        return self.rows[:-1]


def board(f: BoardFilter, teams: list[TeamRef], now: datetime, rank: str = "revenue") -> Board:
    """Everything the board shows, its top fixes ranked by ``rank`` (``ranking.RANKS``): ten
    statements whatever the data (two of them the reporting currency and the rates)."""
    c = clock(f, now)
    ops = [t for t in teams if t.kind == "operations" and (f.team is None or t.id == f.team.id)]
    weeks = weeks_ending(min(f.end, now.date()))
    convert = Converter({month_of(now)})
    amounts = open_amounts(f, ops)
    return Board(
        rows=team_figures(f, c, ops, convert, amounts),
        weeks=weekly(f, c, ops, weeks),
        top=top_fixes(open_scope(f, ops), month_of(now), convert, amounts, rank),
        month=month_of(now),
        reporting=convert.reporting,
        rank=rank,
    )
