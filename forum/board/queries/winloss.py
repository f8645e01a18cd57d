"""Win/loss analytics over win/loss reports, computed in the database.

Definitions. A *deal* is a win/loss report filed in the period (duplicates left out), in the
region of its author (the selling team), about an account of the segment. The operations-team
filter does not apply: a deal belongs to a sales region, not to an operations team. Its outcome
is the one reported: won, lost, no decision or still open.

- **Win rate** = won / (won + lost). No-decision and open deals are counted but not in the rate.
  By period (weeks, months, quarters or years across the chosen period), by region, by segment
  (deals without an account or segment form their own row).
- **Loss reasons (Pareto)**: lost deals by primary reason (none given is its own bar), most
  frequent first, with the cumulative share.
- **Competitors**: every deal naming a competitor is a mention, whatever its outcome; the win
  rate against a competitor is won / (won + lost) among those deals.
- **Revenue lost by reason**: the deal value of lost deals by primary reason, kept per
  currency (amounts in different currencies are never added together) and converted into the
  reporting currency at the rates of the period's last month (this month for a period not yet
  over), like the board's money: a currency without a rate makes the figure "incomplete" and
  stays unconverted in its breakdown. The revenue lost to operations is converted the same way.
- **Lost to an unfixed operations issue**: a lost deal with an open fix behind it — either the
  loss report itself was triaged into a fix that is still open, or the loss gives a
  delivery/operations reason (primary or secondary) and a broken-promise report about the same
  account is linked to a fix that is still open. Shown next to all losses that give a
  delivery/operations reason, fix or no fix. Of those lost to an unfixed issue, the
  **buyer-confirmed** ones are counted apart: a buyer's answer on the deal (survey or interview)
  names a delivery/operations reason as theirs.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from forum.accounts.models import Account
from forum.board.filters import SEGMENTS, BoardFilter, Bucket, TeamRef, period_buckets
from forum.board.queries.fixes import OPEN
from forum.board.queries.sql import bucket_index, count_if, in_range, region_and_segment, sum_if
from forum.buyers.models import BuyerResponse
from forum.core.money import Money, Totals
from forum.core.rates import Converted, Converter, month_of
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Outcome, Post, PostKind, PostStatus, post_secondary_reasons
from forum.fixes.models import Fix
from forum.taxonomy.models import ReasonBranch, TaxonomyTerm

WON, LOST, NO_DECISION, STILL_OPEN = (str(o) for o in Outcome)


def deal_scope(f: BoardFilter) -> list:
    clauses = [
        Post.kind == PostKind.WIN_LOSS,
        Post.status != PostStatus.DUPLICATE,
        in_range(Post.created_at, f.start_at, f.end_at),
    ]
    clauses += region_and_segment(f)
    return clauses


def delivery_reason():
    """The deal gives a delivery/operations reason, primary or secondary."""
    primary = (
        sa.select(TaxonomyTerm.id)
        .where(
            TaxonomyTerm.id == Post.primary_reason_id, TaxonomyTerm.branch == ReasonBranch.DELIVERY
        )
        .exists()
    )
    secondary = (
        sa.select(TaxonomyTerm.id)
        .join(post_secondary_reasons, post_secondary_reasons.c.term_id == TaxonomyTerm.id)
        .where(
            post_secondary_reasons.c.post_id == Post.id,
            TaxonomyTerm.branch == ReasonBranch.DELIVERY,
        )
        .exists()
    )
    return sa.or_(primary, secondary)


def unfixed_operations_issue():
    """An open fix stands behind the deal (see the module docstring)."""
    own = sa.select(Fix.id).where(Fix.id == Post.fix_id, Fix.status.in_(OPEN)).exists()
    promise, promise_fix = aliased(Post), aliased(Fix)
    account = (
        sa.select(promise.id)
        .join(promise_fix, promise.fix_id == promise_fix.id)
        .where(
            promise.account_id == Post.account_id,
            promise.kind == PostKind.BROKEN_PROMISE,
            promise_fix.status.in_(OPEN),
        )
        .exists()
    )
    return sa.or_(own, sa.and_(Post.account_id.is_not(None), delivery_reason(), account))


def buyer_confirmed_delivery():
    """A buyer's answer on the deal names a delivery/operations reason as its main reason."""
    return (
        sa.select(BuyerResponse.id)
        .join(TaxonomyTerm, TaxonomyTerm.id == BuyerResponse.main_reason_id)
        .where(BuyerResponse.post_id == Post.id, TaxonomyTerm.branch == ReasonBranch.DELIVERY)
        .exists()
    )


def deal_predicates() -> dict:
    """Each named list of deals as a condition (shared by the figures and their lists)."""
    lost = Post.outcome == LOST
    return {
        "deals": sa.true(),
        "won": Post.outcome == WON,
        "lost": lost,
        "no_decision": Post.outcome == NO_DECISION,
        "decided": Post.outcome.in_([WON, LOST]),
        "lost_delivery": sa.and_(lost, delivery_reason()),
        "lost_unfixed": sa.and_(lost, unfixed_operations_issue()),
    }


DEAL_METRICS = {
    "deals": ("Deals reported", "Every win/loss report in the period."),
    "won": ("Deals won", "Win/loss reports with the outcome won."),
    "lost": ("Deals lost", "Win/loss reports with the outcome lost."),
    "no_decision": ("No decision", "Win/loss reports with the outcome no decision."),
    "decided": ("Won or lost", "The deals the win rate is computed over."),
    "lost_delivery": (
        "Lost for delivery/operations reasons",
        "Lost deals giving a delivery/operations reason, primary or secondary.",
    ),
    "lost_unfixed": (
        "Lost to an unfixed operations issue",
        "Lost deals triaged into a fix still open, or giving a delivery/operations reason "
        "while a broken promise to the same account has a fix still open.",
    ),
}


@dataclass
class Rate:
    key: object
    label: str
    won: int = 0
    lost: int = 0
    no_decision: int = 0
    still_open: int = 0
    bucket: Bucket | None = None

    @property
    def decided(self) -> int:
        return self.won + self.lost

    @property
    def deals(self) -> int:
        return self.won + self.lost + self.no_decision + self.still_open

    @property
    def win_rate(self) -> float | None:
        return self.won / self.decided if self.decided else None


@dataclass
class Reason:
    id: int | None
    name: str
    branch: str
    count: int
    share: float = 0.0
    cumulative: float = 0.0
    lost_value: Converted | None = None  # the revenue lost, in the reporting currency


@dataclass
class DealSum:
    """How many deals of one currency, and their value (currencies are never added)."""

    currency: str
    deals: int = 0
    value: Decimal = Decimal(0)

    @property
    def money(self) -> Money:
        return Money(self.currency, self.value)


@dataclass
class WinLoss:
    total: Rate
    by_period: list[Rate]
    by_region: list[Rate]
    by_segment: list[Rate]
    reasons: list[Reason]
    competitors: list[Rate]
    revenue_by_reason: list[tuple[Reason, list[DealSum]]]
    currencies: list[str]
    lost_all: list[DealSum] = field(default_factory=list)
    lost_delivery: list[DealSum] = field(default_factory=list)
    lost_unfixed: list[DealSum] = field(default_factory=list)
    lost_unfixed_buyer: list[DealSum] = field(default_factory=list)  # buyer-confirmed
    month: str = ""  # the month whose rates convert the period's money
    # "all", "delivery", "unfixed", "unfixed_buyer": the lost_* sums in the reporting currency
    lost_value: dict[str, Converted] = field(default_factory=dict)

    @property
    def reporting(self) -> str:
        return self.lost_value["all"].reporting if self.lost_value else ""


def _outcome_columns():
    return [
        count_if(Post.outcome == WON).label("won"),
        count_if(Post.outcome == LOST).label("lost"),
        count_if(Post.outcome == NO_DECISION).label("no_decision"),
        count_if(Post.outcome == STILL_OPEN).label("still_open"),
    ]


def _fill(rate: Rate, row) -> Rate:
    rate.won, rate.lost = int(row["won"]), int(row["lost"])
    rate.no_decision, rate.still_open = int(row["no_decision"]), int(row["still_open"])
    return rate


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


LOST_SUMS = ("all", "delivery", "unfixed", "unfixed_buyer")


def win_loss(
    f: BoardFilter,
    teams: list[TeamRef],
    now: datetime | None = None,
    convert: Converter | None = None,
) -> WinLoss:
    """Every win/loss figure: six statements whatever the data, and two for the reporting
    currency and the rates unless ``convert`` (holding the period's last month) is given."""
    now = now or utcnow()
    month = month_of(min(f.end, now.date()))
    convert = convert or Converter({month})
    scope = deal_scope(f)
    buckets = period_buckets(f)
    total = Rate("all", "All deals")
    by_period = [Rate(i, b.label, bucket=b) for i, b in enumerate(buckets)]
    b = bucket_index(Post.created_at, buckets)
    for row in db.session.execute(
        sa.select(b.label("b"), *_outcome_columns()).where(*scope).group_by(b)
    ).mappings():
        _fill(by_period[row["b"]], row)
    for rate in by_period:
        total.won += rate.won
        total.lost += rate.lost
        total.no_decision += rate.no_decision
        total.still_open += rate.still_open

    names = {t.id: t.name for t in teams}
    by_region = [
        _fill(Rate(row["region_id"], names.get(row["region_id"], "No region")), row)
        for row in db.session.execute(
            sa.select(Post.region_id, *_outcome_columns()).where(*scope).group_by(Post.region_id)
        ).mappings()
    ]
    by_region.sort(key=lambda r: (r.key is None, r.label))

    segment = sa.func.coalesce(Account.segment, "")
    by_segment = [
        _fill(Rate(row["segment"], SEGMENTS.get(row["segment"], "No segment")), row)
        for row in db.session.execute(
            sa.select(segment.label("segment"), *_outcome_columns())
            .select_from(Post)
            .outerjoin(Account, Post.account_id == Account.id)
            .where(*scope)
            .group_by(segment)
        ).mappings()
    ]
    by_segment.sort(key=lambda r: (r.key == "", r.label))

    # Lost deals by primary reason and currency: the Pareto (counts) and the revenue lost.
    term = aliased(TaxonomyTerm)
    rows = db.session.execute(
        sa.select(
            Post.primary_reason_id,
            term.name,
            term.branch,
            Post.currency,
            sa.func.count().label("n"),
            sa.func.coalesce(sa.func.sum(Post.deal_value), 0).label("value"),
        )
        .outerjoin(term, Post.primary_reason_id == term.id)
        .where(*scope, Post.outcome == LOST)
        .group_by(Post.primary_reason_id, term.name, term.branch, Post.currency)
    ).all()
    reasons: dict = {}
    money: dict = {}
    for reason_id, name, branch, currency, n, value in rows:
        reason = reasons.setdefault(
            reason_id, Reason(reason_id, name or "No reason given", branch or "", 0)
        )
        reason.count += n
        money.setdefault(reason_id, {})[currency] = DealSum(currency, n, _money(value))
    ordered = sorted(reasons.values(), key=lambda r: (-r.count, r.id is None, r.name, r.id or 0))
    lost = sum(r.count for r in ordered)
    running = 0
    for reason in ordered:
        running += reason.count
        reason.share = reason.count / lost
        reason.cumulative = running / lost
    currencies = sorted({c for per in money.values() for c in per})
    revenue_by_reason = [(r, [money[r.id].get(c, DealSum(c)) for c in currencies]) for r in ordered]

    competitor = aliased(TaxonomyTerm)
    competitors = [
        _fill(Rate(row["id"], row["name"]), row)
        for row in db.session.execute(
            sa.select(competitor.id, competitor.name, *_outcome_columns())
            .join(competitor, Post.competitor_id == competitor.id)
            .where(*scope)
            .group_by(competitor.id, competitor.name)
        ).mappings()
    ]
    competitors.sort(key=lambda r: (-r.deals, r.label, r.key))

    preds = deal_predicates()
    confirmed = sa.and_(preds["lost_unfixed"], buyer_confirmed_delivery())
    lost_rows = db.session.execute(
        sa.select(
            Post.currency,
            count_if(preds["lost"]).label("n"),
            sum_if(preds["lost"], Post.deal_value).label("value"),
            count_if(preds["lost_delivery"]).label("n_delivery"),
            sum_if(preds["lost_delivery"], Post.deal_value).label("value_delivery"),
            count_if(preds["lost_unfixed"]).label("n_unfixed"),
            sum_if(preds["lost_unfixed"], Post.deal_value).label("value_unfixed"),
            count_if(confirmed).label("n_confirmed"),
            sum_if(confirmed, Post.deal_value).label("value_confirmed"),
        )
        .where(*scope, preds["lost"])
        .group_by(Post.currency)
        .order_by(Post.currency)
    ).mappings()
    result = WinLoss(
        total=total,
        by_period=by_period,
        by_region=by_region,
        by_segment=by_segment,
        reasons=ordered,
        competitors=competitors,
        revenue_by_reason=revenue_by_reason,
        currencies=currencies,
    )
    for row in lost_rows:
        c = row["currency"]
        result.lost_all.append(DealSum(c, int(row["n"]), _money(row["value"])))
        result.lost_delivery.append(
            DealSum(c, int(row["n_delivery"]), _money(row["value_delivery"]))
        )
        result.lost_unfixed.append(DealSum(c, int(row["n_unfixed"]), _money(row["value_unfixed"])))
        result.lost_unfixed_buyer.append(
            DealSum(c, int(row["n_confirmed"]), _money(row["value_confirmed"]))
        )
    result.month = month
    for reason, sums in revenue_by_reason:
        reason.lost_value = convert(Totals(s.money for s in sums), month)
    result.lost_value = {
        name: convert(Totals(s.money for s in getattr(result, f"lost_{name}")), month)
        for name in LOST_SUMS
    }
    return result


def deal_list_query(
    f: BoardFilter, metric: str, *, reason: int | str | None = None, competitor: int | None = None
):
    """The deals behind one figure: the same conditions, the same scope."""
    query = sa.select(Post).where(*deal_scope(f), deal_predicates()[metric])
    if reason == "none":
        query = query.where(Post.primary_reason_id.is_(None))
    elif reason is not None:
        query = query.where(Post.primary_reason_id == reason)
    if competitor is not None:
        query = query.where(Post.competitor_id == competitor)
    return query
