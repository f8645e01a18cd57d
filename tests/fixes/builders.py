"""Fixes for tests, built through the real services: an organisation, reports and fixes walked
to any status with explicit past times, so their history chains are genuine.

Everything here adds and flushes inside the caller's app context; the test decides when to commit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from forum.auth.models import User
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post, PostKind
from forum.feedback.services import PostInput, corroborate, create_post
from forum.fixes import creation, services
from forum.fixes.models import Fix, FixStatus
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm
from tests import factories
from tests.conftest import Who

S = FixStatus
HOUR = timedelta(hours=1)


@dataclass
class Org:
    """One operations team (with a lead and a sponsor), another one, a region and its people."""

    ops_team_id: int
    other_team_id: int
    region_id: int
    cause_id: int
    users: dict[str, int]

    def user(self, key: str) -> User:
        return db.session.get(User, self.users[key])

    def who(self, key: str) -> Who:
        user = self.user(key)
        return Who(user.id, user.email, user.role, user.team_id)


def org() -> Org:
    """ops_owner/ops_mate/ops_lead in the owner team, ops_other elsewhere, three reps, leaders."""
    region = factories.team("sales")
    ops_team = factories.team("operations")
    other_team = factories.team("operations")
    users = {
        "ops_owner": factories.user("ops", team_obj=ops_team),
        "ops_mate": factories.user("ops", team_obj=ops_team),
        "ops_lead": factories.user("ops", team_obj=ops_team),
        "ops_other": factories.user("ops", team_obj=other_team),
        "rep_reporter": factories.user("rep", team_obj=region),
        "rep_corroborator": factories.user("rep", team_obj=region),
        "rep_unrelated": factories.user("rep", team_obj=region),
        "leader": factories.user("leader"),
        "leader_reporter": factories.user("leader"),
        "sponsor": factories.user("leader"),
        "admin": factories.user("admin"),
    }
    ops_team.lead = users["ops_lead"]
    ops_team.sponsor = users["sponsor"]
    cause = root_cause("Carrier capacity")
    db.session.flush()
    return Org(ops_team.id, other_team.id, region.id, cause.id, {k: u.id for k, u in users.items()})


def root_cause(name: str) -> TaxonomyTerm:
    term = TaxonomyTerm(kind=TaxonomyKind.ROOT_CAUSE, name=name, name_key=name.casefold())
    db.session.add(term)
    db.session.flush()
    return term


def report(
    author: User,
    *,
    team_id: int,
    title: str = "Five-day delivery took three weeks",
    account: str = "Acme GmbH",
    amount: str | None = "50000",
    shielded: bool = False,
    at: datetime | None = None,
) -> Post:
    """A broken-promise report filed through the posting service."""
    post = create_post(
        author,
        PostInput(
            kind=PostKind.BROKEN_PROMISE,
            title=title,
            body="The pallets arrived 15 days late.",
            account=factories.named_account(account),
            team_id=team_id,
            promised="Delivery in 5 working days",
            revenue_at_risk=Decimal(amount) if amount else None,
            currency="EUR",
            impact=3,
            shielded=shielded,
        ),
    )
    if at is not None:
        post.created_at = at
        db.session.flush()
    return post


def open_fix(
    org: Org,
    posts: list[Post] = (),
    *,
    now: datetime | None = None,
    priority: str = "P2",
    title: str = "Shipping lead times",
    team_id: int | None = None,
) -> Fix:
    return creation.create_fix(
        title=title,
        problem="Promised 5 days, took 21.",
        owner_team_id=team_id or org.ops_team_id,
        priority=priority,
        actor=org.user("leader"),
        posts=list(posts),
        now=now,
    )


# The moves (and who makes them) that bring a new fix to each status.
_RESOLVE = [
    (S.ACKNOWLEDGED, "ops_owner"),
    (S.IN_PROGRESS, "ops_owner"),
    (S.RESOLVED, "ops_owner"),
]
PATHS = {
    S.OPEN: [],
    S.ACKNOWLEDGED: _RESOLVE[:1],
    S.IN_PROGRESS: _RESOLVE[:2],
    S.BLOCKED: _RESOLVE[:2] + [(S.BLOCKED, "ops_owner")],
    S.RESOLVED: _RESOLVE,
    S.VERIFIED: _RESOLVE + [(S.VERIFIED, "rep_reporter")],
    S.REOPENED: _RESOLVE + [(S.REOPENED, "rep_reporter")],
    S.WONT_FIX: [(S.WONT_FIX, "leader")],
}


def required(org: Org) -> dict:
    """Every field any move may need."""
    return dict(
        note="The carrier strike stopped every truck",
        resolution_note="A second carrier is under contract",
        root_cause_id=org.cause_id,
        prevention="Weekly capacity review with both carriers",
    )


def advance(fix: Fix, org: Org, status: str, *, start: datetime) -> datetime:
    """Walk ``fix`` to ``status``, one move an hour after ``start``; returns the last time."""
    at = start
    for to, who in PATHS[S(status)]:
        at += HOUR
        services.transition(
            fix, to, actor=org.user(who), version=fix.version, now=at, **required(org)
        )
    return at


def fix_in(
    org: Org,
    status: str,
    *,
    start: datetime | None = None,
    shielded: bool = False,
    corroborators: tuple[str, ...] = ("rep_corroborator", "leader_reporter"),
    priority: str = "P2",
    title: str = "Shipping lead times",
) -> Fix:
    """A fix from one report by rep_reporter (corroborated), walked to ``status``."""
    start = start or utcnow() - timedelta(days=20)
    post = report(
        org.user("rep_reporter"),
        team_id=org.ops_team_id,
        shielded=shielded,
        at=start - HOUR,
    )
    for key in corroborators:
        corroborate(post, org.user(key))
    fix = open_fix(org, [post], now=start, priority=priority, title=title)
    advance(fix, org, status, start=start)
    return fix
