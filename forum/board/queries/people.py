"""Figures about one account (its promise ledger) and one rep (their track record).

Neither shows a report's author: the ledger lists promises, not who reported them, and a
rep's shielded reports are in their track record only for the rep: others see figures and a
list that leave them out entirely (a count of them, beside the feed's shielded reports and
their dates, would tie those reports back to the rep).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from forum.accounts.models import Account
from forum.auth.models import Team, User
from forum.board.filters import BoardFilter, Bucket, months_ending
from forum.board.queries.promises import Promises, promise_state
from forum.board.queries.sql import bucket_index, count_if, in_buckets, in_range, region_and_segment
from forum.core.money import Money as CoreMoney
from forum.core.money import Totals, per_account
from forum.core.rates import Converted, Converter, month_of
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Corroboration, Post, PostKind, PostStatus
from forum.fixes import revenue
from forum.fixes.models import OPEN_STATUSES, Fix, FixStatus

LEDGER_LIMIT = 200
LEDGER_QUARTERS = 8
RECORD_LIMIT = 100
UNTRIAGED = [str(PostStatus.NEW), str(PostStatus.NEEDS_INFO)]
ACCOUNTED = [*OPEN_STATUSES, str(FixStatus.WONT_FIX)]  # at risk, or accepted loss


@dataclass
class LedgerEntry:
    post_id: int
    title: str
    promised: str | None
    promised_date: object
    reported_at: datetime
    impact: int | None
    revenue_at_risk: Decimal | None
    currency: str
    team: str | None
    state: str
    fix_id: int | None
    fix_title: str | None
    fix_status: str | None
    fix_due_at: datetime | None


@dataclass
class QuarterRow:
    bucket: Bucket
    kept: int = 0
    broken: int = 0


@dataclass
class Ledger:
    """An account's broken promises: the states they are in, the money at stake, over time.

    *At risk* is what the board counts for this account: its amount on the open fixes (from
    their reports and "me too"s, the account once: its largest amount in the currency of its
    first). *Accepted loss* is the same over fixes closed as won't fix — leadership chose not
    to fix them, so the board does not count them as at risk either. Reports not yet on a fix,
    and fixes resolved or verified, count in neither.
    """

    account_id: int
    entries: list[LedgerEntry]
    promises: Promises
    at_risk: CoreMoney | None
    accepted_loss: CoreMoney | None
    quarters: list[QuarterRow]
    truncated: bool = False
    arr: Converted | None = None  # the account's ARR in the reporting currency


def promise_ledger(account_id: int, now: datetime | None = None) -> Ledger:
    """The promise ledger of one account, with its ARR in the reporting currency at this
    month's rate: six statements (two of them the reporting currency and the rates)."""
    now = now or utcnow()
    team = aliased(Team)
    state = promise_state()
    base = [
        Post.account_id == account_id,
        Post.kind == PostKind.BROKEN_PROMISE,
        Post.status != PostStatus.DUPLICATE,
    ]
    rows = db.session.execute(
        sa.select(
            Post.id,
            Post.title,
            Post.promised,
            Post.promised_date,
            Post.created_at,
            Post.impact,
            Post.revenue_at_risk,
            Post.currency,
            team.name,
            state.label("state"),
            Fix.id,
            Fix.title,
            Fix.status,
            Fix.due_at,
        )
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .outerjoin(team, team.id == sa.func.coalesce(Fix.owner_team_id, Post.team_id))
        .where(*base)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(LEDGER_LIMIT + 1)
    ).all()
    entries = [LedgerEntry(*row) for row in rows[:LEDGER_LIMIT]]

    promises = Promises()
    for st, n in db.session.execute(
        sa.select(state, sa.func.count())
        .select_from(Post)
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .where(*base)
        .group_by(state)
    ):
        promises.counts[st] += n
    # The fixes this account's amounts are behind: its own reports, and "me too"s naming it.
    touched = sa.union(
        sa.select(Post.fix_id).where(Post.account_id == account_id, Post.fix_id.is_not(None)),
        sa.select(Post.fix_id)
        .join(Corroboration, Corroboration.post_id == Post.id)
        .where(Corroboration.account_id == account_id, Post.fix_id.is_not(None)),
    )
    open_items, lost_items = [], []
    for item in revenue.load(Fix.id.in_(touched), Fix.status.in_(ACCOUNTED)):
        if item.exposure.key == account_id:
            is_lost = item.fix_status == FixStatus.WONT_FIX
            (lost_items if is_lost else open_items).append(item.exposure)

    quarters = [QuarterRow(b) for b in months_ending(now.date(), LEDGER_QUARTERS, step=3)]
    buckets = [q.bucket for q in quarters]
    b = bucket_index(Post.created_at, buckets)
    for i, kept, broken in db.session.execute(
        sa.select(b, count_if(state == "kept"), count_if(state != "kept"))
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .where(*base, in_buckets(Post.created_at, buckets))
        .group_by(b)
    ):
        quarters[i].kept, quarters[i].broken = int(kept), int(broken)
    arr = db.session.execute(
        sa.select(Account.arr_currency, Account.arr).where(Account.id == account_id)
    ).first()
    month = month_of(now)
    convert = Converter({month})
    return Ledger(
        arr=convert(Totals([CoreMoney(*arr)]), month) if arr and arr[1] else None,
        account_id=account_id,
        entries=entries,
        promises=promises,
        at_risk=per_account(open_items).get(account_id),
        accepted_loss=per_account(lost_items).get(account_id),
        quarters=quarters,
        truncated=len(rows) > LEDGER_LIMIT,
    )


@dataclass
class RecordPost:
    id: int
    title: str
    kind: str
    status: str
    created_at: datetime
    shielded: bool
    fix_id: int | None
    fix_status: str | None


@dataclass
class TrackRecord:
    """What a rep reported and what became of it.

    - **Reports filed**: posts of any kind the rep wrote in the period; shielded ones only when
      the rep looks at their own record (``shielded`` says how many others do not see).
    - **Share triaged into fixes**: of those, the share linked to a fix.
    - **Triaged**: the share no longer new or waiting for information.
    - **Fixes verified**: distinct fixes their reports are linked to that are now verified.
    - **"Me too"s given**: corroborations of others' reports in the period.
    """

    user: User
    filed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    triaged: int = 0
    linked: int = 0
    fixes: int = 0
    fixes_resolved: int = 0
    fixes_verified: int = 0
    corroborations: int = 0
    posts: list[RecordPost] = field(default_factory=list)
    shielded: int = 0
    truncated: bool = False

    @property
    def linked_share(self) -> float | None:
        return self.linked / self.filed if self.filed else None

    @property
    def triaged_share(self) -> float | None:
        return self.triaged / self.filed if self.filed else None


def track_record(user: User, f: BoardFilter, *, show_shielded: bool) -> TrackRecord:
    """A rep's record for the period: two statements. Shielded reports are counted and listed
    only when ``show_shielded`` (the rep looking at their own record)."""
    period = in_range(Post.created_at, f.start_at, f.end_at)
    mine = [Post.author_id == user.id, period]
    if not show_shielded:
        mine.append(Post.shielded.is_(False))
    corroborations = (
        sa.select(sa.func.count(Corroboration.id))
        .where(
            Corroboration.user_id == user.id,
            in_range(Corroboration.created_at, f.start_at, f.end_at),
        )
        .scalar_subquery()
    )
    row = (
        db.session.execute(
            sa.select(
                sa.func.count(Post.id).label("filed"),
                *[count_if(Post.kind == k).label(str(k)) for k in PostKind],
                count_if(Post.status.not_in(UNTRIAGED)).label("triaged"),
                count_if(Post.fix_id.is_not(None)).label("linked"),
                count_if(Post.shielded.is_(True)).label("shielded"),
                sa.func.count(sa.distinct(Fix.id)).label("fixes"),
                sa.func.count(
                    sa.distinct(sa.case((Fix.status == FixStatus.RESOLVED, Fix.id)))
                ).label("fixes_resolved"),
                sa.func.count(
                    sa.distinct(sa.case((Fix.status == FixStatus.VERIFIED, Fix.id)))
                ).label("fixes_verified"),
                corroborations.label("corroborations"),
            )
            .select_from(Post)
            .outerjoin(Fix, Post.fix_id == Fix.id)
            .where(*mine)
        )
        .mappings()
        .one()
    )
    record = TrackRecord(
        user=user,
        filed=int(row["filed"]),
        by_kind={str(k): int(row[str(k)]) for k in PostKind},
        triaged=int(row["triaged"]),
        linked=int(row["linked"]),
        fixes=int(row["fixes"]),
        fixes_resolved=int(row["fixes_resolved"]),
        fixes_verified=int(row["fixes_verified"]),
        corroborations=int(row["corroborations"] or 0),
        shielded=int(row["shielded"]),
    )
    rows = db.session.execute(
        sa.select(
            Post.id,
            Post.title,
            Post.kind,
            Post.status,
            Post.created_at,
            Post.shielded,
            Fix.id,
            Fix.status,
        )
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .where(*mine)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(RECORD_LIMIT + 1)
    ).all()
    record.posts = [RecordPost(*r) for r in rows[:RECORD_LIMIT]]
    record.truncated = len(rows) > RECORD_LIMIT
    return record


REPORTERS_LIMIT = 50


@dataclass
class ReporterRow:
    user_id: int
    name: str
    region: str | None
    filed: int
    linked: int
    fixes_verified: int
    me_toos: int

    @property
    def linked_share(self) -> float | None:
        return self.linked / self.filed if self.filed else None


def reporters(f: BoardFilter) -> list[ReporterRow]:
    """The reps whose reports led to fixes: one statement. Per rep, over the reports they filed
    in the period (in the filter's region) **without a shield** — a shielded report is counted
    for nobody but its rep, as on the track record: reports filed, triaged into fixes, distinct
    fixes now verified, "me too"s others gave them. Most fixes verified first."""
    clauses = [
        in_range(Post.created_at, f.start_at, f.end_at),
        Post.shielded.is_(False),
        Post.status != PostStatus.DUPLICATE,
    ]
    clauses += region_and_segment(f)
    region = aliased(Team)
    me_toos = (
        sa.select(Corroboration.post_id, sa.func.count().label("n"))
        .group_by(Corroboration.post_id)
        .subquery()
    )
    verified = sa.func.count(sa.distinct(sa.case((Fix.status == FixStatus.VERIFIED, Fix.id))))
    linked = count_if(Post.fix_id.is_not(None))
    filed = sa.func.count(Post.id)
    rows = db.session.execute(
        sa.select(
            User.id,
            User.display_name,
            region.name,
            filed,
            linked,
            verified,
            sa.func.coalesce(sa.func.sum(me_toos.c.n), 0),
        )
        .select_from(Post)
        .join(User, User.id == Post.author_id)
        .outerjoin(region, region.id == User.team_id)
        .outerjoin(Fix, Post.fix_id == Fix.id)
        .outerjoin(me_toos, me_toos.c.post_id == Post.id)
        .where(*clauses)
        .group_by(User.id, User.display_name, region.name)
        .order_by(verified.desc(), linked.desc(), filed.desc(), User.display_name, User.id)
        .limit(REPORTERS_LIMIT)
    ).all()
    return [ReporterRow(*(r[:3]), *(int(v) for v in r[3:])) for r in rows]
