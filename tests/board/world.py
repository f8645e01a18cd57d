"""Generated organisations for the board tests: teams, accounts, fixes with a real history,
reports of every kind — written to the database and kept as plain Python records, so that an
independent computation (``oracle.py``) can say what every figure must be.

Timestamps are chosen to hit the edges: many at midnight UTC exactly, durations drawn from a
small set (ties), fixes reopened more than once, teams without any fix.

Money (from a random stream of its own, so the rest of a world does not change with it): the
broken promises behind fixes are in USD, EUR, GBP and JPY; "me too"s add amounts, some for
another account (so accounts are shared by fixes), some in another currency than their report,
some given after the report was triaged into its fix, one given and withdrawn; the rates of
the month exist for EUR and GBP into USD, and none for JPY (a missing rate).
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from forum.accounts.models import Account
from forum.auth.models import TeamKind
from forum.catalog.models import Commitment
from forum.core import rates
from forum.extensions import db
from forum.feedback.models import Corroboration, Post, post_secondary_reasons
from forum.fixes.models import Fix, FixEvent
from forum.taxonomy.models import TaxonomyTerm
from tests import factories

NOW = datetime(2026, 6, 17, 15, 30, 0, 250000, tzinfo=UTC)  # a Wednesday
SLA_DAYS = {"P1": 3, "P2": 10, "P3": 30, "P4": 90}
OPEN = {"open", "acknowledged", "in_progress", "blocked", "reopened"}
MOVES = {
    "open": ["acknowledged", "wont_fix"],
    "acknowledged": ["in_progress", "wont_fix"],
    "reopened": ["in_progress", "wont_fix"],
    "in_progress": ["resolved", "resolved", "blocked", "wont_fix"],
    "blocked": ["in_progress", "wont_fix"],
    "resolved": ["verified", "verified", "reopened"],
    "verified": ["reopened"],
    "wont_fix": ["reopened"],
}
STEPS = [timedelta(hours=h) for h in (0, 1, 6, 24, 48, 24 * 7, 24 * 20, 24 * 45)]


@dataclass
class FixRec:
    id: int
    team_id: int
    priority: str
    created: datetime
    due: datetime
    status: str = "open"
    resolved_at: datetime | None = None
    verified_at: datetime | None = None
    reopen_count: int = 0
    recurrence_count: int = 0
    root_cause_id: int | None = None
    events: list[tuple[datetime, str]] = field(default_factory=list)  # (at, to) status moves


@dataclass
class PostRec:
    id: int
    kind: str
    status: str
    author_id: int
    region_id: int | None
    team_id: int | None
    account_id: int | None
    created: datetime
    fix_id: int | None = None
    shielded: bool = False
    outcome: str | None = None
    deal_value: Decimal | None = None
    currency: str = "USD"
    competitor_id: int | None = None
    primary_reason_id: int | None = None
    secondary_reason_ids: list[int] = field(default_factory=list)
    revenue_at_risk: Decimal | None = None
    title: str = ""


@dataclass
class EchoRec:
    """A "me too" with an amount."""

    id: int
    post_id: int
    user_id: int
    account_id: int | None
    amount: Decimal
    currency: str
    created: datetime


# Units of USD per unit in the month of NOW; JPY has none.
RATES = {"EUR": Decimal("1.0825"), "GBP": Decimal("1.2640")}
REPORTING = "USD"


@dataclass
class World:
    now: datetime
    ops_teams: list[int]
    empty_team: int
    regions: list[int]
    accounts: dict[int, tuple[str, int | None]]  # id -> (segment, region)
    reasons: dict[int, str]  # id -> branch
    competitors: list[int]
    causes: list[int]
    reps: list[int]
    fixes: list[FixRec]
    posts: list[PostRec]
    corroborations: list[tuple[int, datetime]]  # (user id, when)
    team_names: dict[int, str]
    echoes: list[EchoRec] = field(default_factory=list)
    rates: dict[str, Decimal] = field(default_factory=dict)  # currency -> USD, NOW's month
    arr: dict[int, tuple[str, Decimal]] = field(default_factory=dict)  # account -> its ARR

    def fix(self, fix_id: int) -> FixRec:
        return next(f for f in self.fixes if f.id == fix_id)


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    value = start + timedelta(seconds=rng.uniform(0, span))
    if rng.random() < 0.25:  # midnight UTC exactly
        value = datetime.combine(value.date(), time(0), tzinfo=UTC)
    else:
        value = value.replace(microsecond=rng.choice([0, 1, 999999, rng.randint(0, 999999)]))
    return max(start, value)


def apply_move(rec: FixRec, at: datetime, to: str, *, recurrence: bool = False) -> FixRec:
    """Record a status move on ``rec`` the way the fixes services change a fix."""
    rec.events.append((at, to))
    if to == "resolved":
        rec.resolved_at = at
    elif to == "verified":
        rec.verified_at = at
    elif to == "reopened":
        rec.reopen_count += 1
        rec.recurrence_count += int(recurrence)
        rec.resolved_at = rec.verified_at = None
        rec.due = at + timedelta(days=SLA_DAYS[rec.priority])
    rec.status = to
    return rec


def simulate(rng: random.Random, rec: FixRec, now: datetime) -> FixRec:
    """Walk the fix along the workflow at random, never past ``now``."""
    t = rec.created
    for _ in range(rng.randint(0, 9)):
        to = rng.choice(MOVES[rec.status])
        step = rng.choice(STEPS)
        if t + step > now:
            break
        t = t + step
        apply_move(rec, t, to, recurrence=to == "reopened" and rng.random() < 0.4)
    return rec


def _term(kind: str, name: str, branch: str = "") -> int:
    term = TaxonomyTerm(kind=kind, name=name, name_key=name.casefold(), branch=branch)
    db.session.add(term)
    db.session.flush()
    return term.id


def fix_row(rec: FixRec, creator_id: int) -> Fix:
    """The ``Fix`` for ``rec`` (not yet added)."""
    status_closed = rec.status in {"verified", "wont_fix"}
    last_close = next(
        (at for at, to in reversed(rec.events) if to in {"verified", "wont_fix"}), None
    )
    return Fix(
        title="Generated fix",
        problem="Generated.",
        owner_team_id=rec.team_id,
        created_by_id=creator_id,
        priority=rec.priority,
        status=rec.status,
        ack_due_at=rec.created + timedelta(hours=4),
        due_at=rec.due,
        resolved_at=rec.resolved_at,
        verified_at=rec.verified_at,
        closed_at=last_close if status_closed else None,
        created_at=rec.created,
        updated_at=rec.created,
        reopen_count=rec.reopen_count,
        recurrence_count=rec.recurrence_count,
        root_cause_id=rec.root_cause_id,
    )


def history_rows(rec: FixRec) -> list[FixEvent]:
    """The fix's history: created, every status move, and other entries the board ignores."""
    events = [FixEvent(fix_id=rec.id, seq=1, at=rec.created, kind="created", to_value="open")]
    previous = "open"
    for seq, (at, to) in enumerate(rec.events, start=2):
        events.append(
            FixEvent(fix_id=rec.id, seq=seq, at=at, kind="status", from_value=previous, to_value=to)
        )
        previous = to
        if seq % 2:
            events.append(
                FixEvent(fix_id=rec.id, seq=1000 + seq, at=at, kind="assigned", to_value="x")
            )
    for e in events:
        e.hash = "0" * 64
        e.details = {}
    return events


def store_fixes(recs: list[FixRec], creator_id: int) -> None:
    """Write the fixes (taking their ids) and their histories."""
    rows = [fix_row(rec, creator_id) for rec in recs]
    db.session.add_all(rows)
    db.session.flush()
    for rec, row in zip(recs, rows, strict=True):
        rec.id = row.id
        db.session.add_all(history_rows(rec))
    db.session.flush()


def post_row(rec: PostRec) -> Post:
    return Post(
        kind=rec.kind,
        status=rec.status,
        title=rec.title or f"Report about {rec.kind}",
        body="Generated.",
        author_id=rec.author_id,
        region_id=rec.region_id,
        team_id=rec.team_id,
        account_id=rec.account_id,
        shielded=rec.shielded,
        fix_id=rec.fix_id,
        created_at=rec.created,
        outcome=rec.outcome,
        deal_value=rec.deal_value,
        currency=rec.currency,
        competitor_id=rec.competitor_id,
        primary_reason_id=rec.primary_reason_id,
        revenue_at_risk=rec.revenue_at_risk,
    )


def store_posts(recs: list[PostRec]) -> None:
    """Write the reports (taking their ids) and their secondary reasons."""
    rows = [post_row(rec) for rec in recs]
    db.session.add_all(rows)
    db.session.flush()
    links = []
    for rec, row in zip(recs, rows, strict=True):
        rec.id = row.id
        links += [{"post_id": row.id, "term_id": t} for t in rec.secondary_reason_ids]
    if links:
        db.session.execute(post_secondary_reasons.insert(), links)


def build(seed: int, *, n_fixes: int = 80, n_deals: int = 60, now: datetime = NOW) -> World:
    """A random organisation (inside an app context; the caller commits)."""
    rng = random.Random(seed)
    money_rng = random.Random(seed * 1009 + 7)
    ops = [factories.team(TeamKind.OPERATIONS, name=f"Ops {seed}-{i}") for i in range(3)]
    empty = factories.team(TeamKind.OPERATIONS, name=f"Ops {seed}-empty")
    regions = [factories.team(TeamKind.SALES, name=f"Region {seed}-{i}") for i in range(3)]
    reps = [factories.user("rep", team_obj=rng.choice(regions)) for _ in range(5)]
    leader = factories.user("leader")
    arr_rng = random.Random(seed * 7919 + 3)  # its own stream: the other figures keep theirs
    accounts, arr = {}, {}
    for i in range(8):
        segment = rng.choice(["enterprise", "mid_market", "smb", ""])
        region = rng.choice(regions + [None])
        account = Account(
            name=f"Account {seed}-{i}",
            name_key=f"account {seed}-{i}",
            segment=segment,
            region_id=region.id if region else None,
        )
        if arr_rng.random() < 0.85:  # some accounts have no ARR
            account.arr_currency = arr_rng.choice(["USD", "USD", "EUR", "GBP", "JPY"])
            account.arr = Decimal(arr_rng.choice([40_000, 250_000, 1_200_000, 250_000]))
        db.session.add(account)
        db.session.flush()
        if account.arr is not None:
            arr[account.id] = (account.arr_currency, account.arr)
        accounts[account.id] = (segment, account.region_id)
    reasons = {}
    for name, branch in [
        ("Late delivery", "delivery"),
        ("Onboarding failed", "delivery"),
        ("Too expensive", "price"),
        ("Missing feature", "product"),
        ("Champion left", "relationship"),
    ]:
        reasons[_term("reason", f"{name} {seed}", branch)] = branch
    competitors = [_term("competitor", f"Rival {seed}-{i}") for i in range(3)]
    causes = [_term("root_cause", f"Cause {seed}-{i}") for i in range(3)]
    db.session.flush()

    start = now - timedelta(days=300)
    fixes = []
    for _ in range(n_fixes):
        created = _moment(rng, start, now)
        priority = rng.choice(list(SLA_DAYS))
        rec = FixRec(
            id=0,
            team_id=rng.choice(ops).id,
            priority=priority,
            created=created,
            due=created + timedelta(days=SLA_DAYS[priority]),
            root_cause_id=rng.choice(causes + [None]),
        )
        fixes.append(simulate(rng, rec, now))
    store_fixes(fixes, leader.id)

    posts = []
    region_of = {r.id: r.team_id for r in reps}

    def new_post(**kw) -> PostRec:
        author = rng.choice(reps)
        rec = PostRec(
            id=0,
            author_id=author.id,
            region_id=region_of[author.id],
            shielded=rng.random() < 0.2,
            **kw,
        )
        posts.append(rec)
        return rec

    for fx in fixes:  # reports that led to each fix
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(["broken_promise", "broken_promise", "field_feedback", "win_loss"])
            created = fx.created - rng.choice(STEPS)
            extra = {}
            if kind == "win_loss":
                extra = dict(
                    outcome="lost",
                    deal_value=Decimal(rng.choice([5000, 12000])),
                    primary_reason_id=rng.choice(list(reasons)),
                )
            if kind == "broken_promise":
                extra = dict(
                    revenue_at_risk=Decimal(rng.choice([1000, 3000])),
                    currency=money_rng.choice(["USD", "USD", "EUR", "GBP", "JPY"]),
                )
            new_post(
                kind=kind,
                status="linked",
                team_id=rng.choice([fx.team_id, rng.choice(ops).id]),
                account_id=rng.choice(list(accounts) + [None])
                if kind != "broken_promise"
                else rng.choice(list(accounts)),
                created=created,
                fix_id=fx.id,
                **extra,
            )
    for _ in range(15):  # broken promises never linked to a fix
        new_post(
            kind="broken_promise",
            status=rng.choice(["new", "needs_info", "declined", "noted", "duplicate"]),
            team_id=rng.choice(ops + [empty]).id,
            account_id=rng.choice(list(accounts)),
            created=_moment(rng, start, now),
            revenue_at_risk=rng.choice([None, Decimal(500), Decimal(7000)]),
        )
    for _ in range(n_deals):  # win/loss reports
        outcome = rng.choice(["won", "won", "lost", "lost", "no_decision", "open"])
        secondary = rng.sample(list(reasons), rng.randint(0, 2))
        primary = rng.choice(list(reasons) + [None])
        new_post(
            kind="win_loss",
            status=rng.choice(["new", "noted", "noted", "duplicate"]),
            team_id=rng.choice(ops).id if rng.random() < 0.5 else None,
            account_id=rng.choice(list(accounts) + [None]),
            created=_moment(rng, start, now),
            outcome=outcome,
            deal_value=rng.choice([None, Decimal(10000), Decimal("2500.50"), Decimal(90000)]),
            currency=rng.choice(["USD", "USD", "EUR"]),
            competitor_id=rng.choice(competitors + [None]),
            primary_reason_id=primary,
            secondary_reason_ids=[s for s in secondary if s != primary],
        )
    for post in posts:  # some deals in yen, which has no rate (drawn apart, as the ARR is)
        value = post.deal_value
        if post.kind == "win_loss" and value is not None and value == value.to_integral_value():
            if arr_rng.random() < 0.15:
                post.currency = "JPY"
    store_posts(posts)
    corroborations = []
    for post in rng.sample(posts, min(10, len(posts))):
        user = rng.choice([r for r in reps if r.id != post.author_id] or reps)
        if user.id == post.author_id or any(
            c[0] == user.id and c[2] == post.id for c in corroborations
        ):
            continue
        when = post.created + timedelta(hours=3)
        db.session.add(Corroboration(post_id=post.id, user_id=user.id, created_at=when, note=""))
        corroborations.append((user.id, when, post.id))
    echoes = _echoes(money_rng, posts, fixes, reps, list(accounts), corroborations, now)
    rates.set_reporting_currency(REPORTING, actor_id=None)
    rates.store_rates(
        [rates.RateInput(rates.month_of(now), c, REPORTING, r) for c, r in RATES.items()],
        actor_id=None,
    )
    stale = Commitment(
        team_id=ops[0].id,
        title="Ships in 5 days",
        promise="Stock items ship within 5 working days.",
        last_confirmed_at=now - timedelta(days=91),
    )
    fresh = Commitment(
        team_id=ops[0].id,
        title="Support hours",
        promise="9 to 5.",
        last_confirmed_at=now - timedelta(days=89),
    )
    db.session.add_all([stale, fresh])
    db.session.flush()
    names = {t.id: t.name for t in ops + [empty] + regions}
    return World(
        now=now,
        ops_teams=[t.id for t in ops],
        empty_team=empty.id,
        regions=[r.id for r in regions],
        accounts=accounts,
        reasons=reasons,
        competitors=competitors,
        causes=causes,
        reps=[r.id for r in reps],
        fixes=fixes,
        posts=posts,
        corroborations=[(u, w) for u, w, _ in corroborations],
        team_names=names,
        echoes=echoes,
        rates=dict(RATES),
        arr=arr,
    )


def _echoes(rng, posts, fixes, reps, account_ids, corroborations, now) -> list[EchoRec]:
    """ "Me too"s with amounts on the broken promises behind fixes (see the module's doc)."""
    fix_of = {f.id: f for f in fixes}
    taken = {(u, p) for u, _, p in corroborations}
    out: list[EchoRec] = []
    withdrawn = None
    for post in posts:
        if post.kind != "broken_promise" or post.fix_id is None or rng.random() < 0.4:
            continue
        for user in rng.sample(reps, rng.randint(1, 2)):
            if user.id == post.author_id or (user.id, post.id) in taken:
                continue
            triaged = fix_of[post.fix_id].created
            after = rng.random() < 0.5 and triaged + timedelta(days=1) < now
            when = (
                triaged + timedelta(days=rng.randint(1, max(1, (now - triaged).days)))
                if after
                else post.created + timedelta(hours=rng.randint(1, 5))
            )
            when = min(when, now)
            echo = EchoRec(
                id=0,
                post_id=post.id,
                user_id=user.id,
                account_id=rng.choice([None, None, *account_ids]),
                amount=Decimal(rng.choice([500, 2000, 5000])),
                currency=post.currency if rng.random() < 0.7 else rng.choice(["USD", "EUR", "GBP"]),
                created=when,
            )
            row = Corroboration(
                post_id=post.id,
                user_id=user.id,
                account_id=echo.account_id,
                amount=echo.amount,
                currency=echo.currency,
                created_at=when,
                note="",
            )
            db.session.add(row)
            db.session.flush()
            echo.id = row.id
            taken.add((user.id, post.id))
            if withdrawn is None:
                withdrawn = row  # given, then taken back: it counts nowhere
                continue
            out.append(echo)
            corroborations.append((user.id, when, post.id))
    if withdrawn is not None:
        db.session.delete(withdrawn)
        db.session.flush()
    return out
