"""The rep's reason beside the buyer's: win/loss agreement, under the win/loss filters.

Definitions. The deals are win/loss analytics' deals (``winloss.deal_scope``: filed in the
period, duplicates left out, the rep's region, the account's segment). A deal's *buyer answer*
is the first buyer response recorded for it (survey or interview, earliest ``submitted_at``,
then lowest id); later ones do not change the figures.

- **Answered deals**: deals with a buyer answer.
- **Compared**: answered deals whose buyer named a main reason. **Matches**: compared deals
  whose buyer's main reason is the rep's primary reason (the same term); **match rate** =
  matches / compared. **Same branch**: the two reasons are of the same branch (price, product...).
- **Matrix**: answered deals counted by (rep's primary reason, buyer's main reason); "none
  given" is a row or column of its own.
- **Cited by reps / by buyers**: per reason and per branch, among answered deals, how many
  name it as the rep's primary reason, and as the buyer's main reason.
- **Themes over time**: quotes in the answers of the period's deals, by theme and by the
  period bucket of the deal (a quote counts once per theme).
- **Response rate**: per region and per rep, survey links made for the period's deals, how many
  were answered, and the median hours from the link to the answer.
"""

from dataclasses import dataclass, field
from statistics import median

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from forum.auth.models import User
from forum.board.filters import BoardFilter, TeamRef, period_buckets
from forum.board.queries.sql import bucket_index
from forum.board.queries.winloss import deal_scope
from forum.buyers.models import BuyerQuote, BuyerResponse, BuyerSurvey, BuyerTheme, quote_themes
from forum.extensions import db
from forum.feedback.models import Post
from forum.taxonomy.models import ReasonBranch, TaxonomyTerm

NONE = "No reason given"


@dataclass
class Cited:
    key: object
    label: str
    by_reps: int = 0
    by_buyers: int = 0


@dataclass
class Responsiveness:
    key: object
    label: str
    asked: int = 0
    answered: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def median_hours(self) -> float | None:
        return median(self.hours) if self.hours else None


@dataclass
class Agreement:
    deals: int
    answered: int
    compared: int
    matches: int
    same_branch: int
    reasons: list[tuple[int | None, str]]  # the matrix's rows and columns, in order
    matrix: dict[tuple[int | None, int | None], int]
    cited: list[Cited]
    cited_branches: list[Cited]
    theme_buckets: list[str]
    themes: list[tuple[str, list[int]]]
    by_region: list[Responsiveness]
    by_rep: list[Responsiveness]

    @property
    def match_rate(self) -> float | None:
        return self.matches / self.compared if self.compared else None

    def cell(self, rep_reason, buyer_reason) -> int:
        return self.matrix.get((rep_reason, buyer_reason), 0)


def first_answers():
    """Each deal's first buyer response id (a subquery: post_id, response_id)."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=BuyerResponse.post_id,
            order_by=(BuyerResponse.submitted_at, BuyerResponse.id),
        )
        .label("rank")
    )
    ranked = sa.select(BuyerResponse.post_id, BuyerResponse.id.label("response_id"), rank)
    ranked = ranked.subquery()
    return sa.select(ranked.c.post_id, ranked.c.response_id).where(ranked.c.rank == 1).subquery()


def agreement(f: BoardFilter, teams: list[TeamRef]) -> Agreement:
    """Every agreement figure: four statements whatever the data."""
    scope = deal_scope(f)
    deals = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(*scope))
    first = first_answers()
    rep_term, buyer_term = aliased(TaxonomyTerm), aliased(TaxonomyTerm)
    rows = db.session.execute(
        sa.select(
            Post.primary_reason_id,
            rep_term.name,
            rep_term.branch,
            BuyerResponse.main_reason_id,
            buyer_term.name,
            buyer_term.branch,
        )
        .join(first, first.c.post_id == Post.id)
        .join(BuyerResponse, BuyerResponse.id == first.c.response_id)
        .outerjoin(rep_term, rep_term.id == Post.primary_reason_id)
        .outerjoin(buyer_term, buyer_term.id == BuyerResponse.main_reason_id)
        .where(*scope)
    ).all()
    matrix: dict = {}
    names: dict = {}
    cited: dict = {}
    branches = {b.value: Cited(b.value, b.label) for b in ReasonBranch}
    compared = matches = same_branch = 0
    for rep_id, rep_name, rep_branch, buyer_id, buyer_name, buyer_branch in rows:
        matrix[(rep_id, buyer_id)] = matrix.get((rep_id, buyer_id), 0) + 1
        names[rep_id] = rep_name or NONE
        names[buyer_id] = buyer_name or NONE
        if rep_id is not None:
            cited.setdefault(rep_id, Cited(rep_id, rep_name)).by_reps += 1
            branches[rep_branch or ReasonBranch.OTHER].by_reps += 1
        if buyer_id is not None:
            cited.setdefault(buyer_id, Cited(buyer_id, buyer_name)).by_buyers += 1
            branches[buyer_branch or ReasonBranch.OTHER].by_buyers += 1
            compared += 1
            matches += rep_id == buyer_id
            same_branch += rep_id is not None and (rep_branch or "") == (buyer_branch or "")
    reasons = sorted(names.items(), key=lambda kv: (kv[0] is None, kv[1], kv[0] or 0))

    buckets = period_buckets(f)
    b = bucket_index(Post.created_at, buckets)
    theme_rows = db.session.execute(
        sa.select(BuyerTheme.name, b.label("b"), sa.func.count(sa.distinct(BuyerQuote.id)))
        .select_from(Post)
        .join(BuyerResponse, BuyerResponse.post_id == Post.id)
        .join(BuyerQuote, BuyerQuote.response_id == BuyerResponse.id)
        .join(quote_themes, quote_themes.c.quote_id == BuyerQuote.id)
        .join(BuyerTheme, BuyerTheme.id == quote_themes.c.theme_id)
        .where(*scope)
        .group_by(BuyerTheme.name, b)
    ).all()
    themes: dict[str, list[int]] = {}
    for name, bucket, n in theme_rows:
        themes.setdefault(name, [0] * len(buckets))[bucket] += n

    survey_rows = db.session.execute(
        sa.select(
            Post.region_id,
            Post.author_id,
            User.display_name,
            BuyerSurvey.created_at,
            BuyerSurvey.answered_at,
        )
        .join(BuyerSurvey, BuyerSurvey.post_id == Post.id)
        .join(User, User.id == Post.author_id)
        .where(*scope)
    ).all()
    region_names = {t.id: t.name for t in teams}
    by_region: dict = {}
    by_rep: dict = {}
    for region_id, author_id, author_name, made, answered in survey_rows:
        for table, key, label in (
            (by_region, region_id, region_names.get(region_id, "No region")),
            (by_rep, author_id, author_name),
        ):
            row = table.setdefault(key, Responsiveness(key, label))
            row.asked += 1
            if answered is not None:
                row.answered += 1
                row.hours.append((answered - made).total_seconds() / 3600)
    return Agreement(
        deals=deals,
        answered=len(rows),
        compared=compared,
        matches=matches,
        same_branch=same_branch,
        reasons=reasons,
        matrix=matrix,
        cited=sorted(cited.values(), key=lambda c: (-(c.by_reps + c.by_buyers), c.label, c.key)),
        cited_branches=[c for c in branches.values() if c.by_reps or c.by_buyers],
        theme_buckets=[bk.label for bk in buckets],
        themes=sorted(themes.items()),
        by_region=sorted(by_region.values(), key=lambda r: (r.key is None, r.label)),
        by_rep=sorted(by_rep.values(), key=lambda r: (r.label, r.key)),
    )


AGREEMENT_HEADER = ["section", "rep reason", "buyer reason", "deals", "by reps", "by buyers"]


def agreement_rows(data: Agreement):
    """The agreement as CSV rows: the totals, the matrix, the citations."""
    yield ["totals", "", "", data.answered, data.compared, data.matches]
    for rep_id, rep_name in data.reasons:
        for buyer_id, buyer_name in data.reasons:
            n = data.cell(rep_id, buyer_id)
            if n:
                yield ["matrix", rep_name, buyer_name, n, "", ""]
    for c in data.cited:
        yield ["reason", c.label, c.label, "", c.by_reps, c.by_buyers]
    for c in data.cited_branches:
        yield ["branch", c.label, c.label, "", c.by_reps, c.by_buyers]
