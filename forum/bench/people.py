"""The benchmark organisation's people and customers: teams, users, accounts, taxonomy, tags.

Everything is planned in memory with explicit ids (the database is empty), skewed as real
data is: a few reps file most reports, a few accounts draw most of them.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from forum.accounts.models import Segment
from forum.auth.models import Role, TeamKind
from forum.bench import texts
from forum.bench.scales import Scale
from forum.demo.catalog import COMPETITORS, REASONS, ROOT_CAUSES
from forum.taxonomy.models import TaxonomyKind

# The people a benchmark signs in as (README "Benchmarks"), created first.
NAMED = [
    ("admin@example.com", "Alex Admin", Role.ADMIN),
    ("leader@example.com", "Lena Leader", Role.LEADER),
    ("rep@example.com", "Riley Rep", Role.REP),
    ("ops@example.com", "Oscar Ops", Role.OPS),
]
OPS_TEAMS = [
    "Shipping & Logistics",
    "Billing",
    "Customer Support",
    "Product",
    "Implementation",
    "Customs & Trade",
    "Quality",
    "Security & Compliance",
    "Procurement",
    "Facilities",
]
REGIONS = "North America,EMEA,APAC,LATAM,DACH,Nordics,UK & Ireland,Iberia,France,Benelux,Japan"
REGIONS = REGIONS.split(",")
TAGS = (
    "pricing competitor shipping late-delivery billing invoice support onboarding roadmap "
    "product-gap integration security outage packaging customs renewal churn-risk upsell "
    "training data-migration contract sla quality refund"
).split()


@dataclass
class People:
    teams: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    reps: list[int] = field(default_factory=list)
    rep_weights: list[float] = field(default_factory=list)
    ops_by_team: dict[int, list[int]] = field(default_factory=dict)
    leaders: list[int] = field(default_factory=list)
    region_of: dict[int, int | None] = field(default_factory=dict)  # user id -> team id
    account_weights: list[float] = field(default_factory=list)
    competitors: list[int] = field(default_factory=list)
    reasons: list[int] = field(default_factory=list)
    root_causes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ops_teams(self) -> list[int]:
        return list(self.ops_by_team)


def _region_name(i: int) -> str:
    return REGIONS[i] if i < len(REGIONS) else f"Region {i + 1}"


def _ops_name(i: int) -> str:
    return OPS_TEAMS[i] if i < len(OPS_TEAMS) else f"Operations {i + 1}"


def plan_people(rng: random.Random, scale: Scale, password_hash: str, now: datetime) -> People:
    """Teams, users (reps, ops, leaders), accounts and the taxonomy, in memory."""
    p = People()
    start = now - timedelta(days=800)
    for i in range(scale.regions):
        name = _region_name(i)
        p.teams.append(_team(len(p.teams) + 1, name, TeamKind.SALES, start))
    region_ids = [t["id"] for t in p.teams]
    for i in range(scale.ops_teams):
        name = _ops_name(i)
        p.teams.append(_team(len(p.teams) + 1, name, TeamKind.OPERATIONS, start))
    ops_team_ids = [t["id"] for t in p.teams if t["kind"] == TeamKind.OPERATIONS]
    p.ops_by_team = {t: [] for t in ops_team_ids}

    leaders = max(2, scale.users // 100)
    ops = max(scale.ops_teams * 2, scale.users // 10)
    roles = [Role.LEADER] * leaders + [Role.OPS] * ops
    roles += [Role.REP] * (scale.users - len(NAMED) - len(roles))
    people = [(email, name, role) for email, name, role in NAMED]
    people += [
        (f"{role.value}{i}@bench.example.com", texts.person(i), role)
        for i, role in enumerate(roles, start=len(NAMED) + 1)
    ]
    for i, (email, name, role) in enumerate(people, start=1):
        team_id = None
        if role == Role.REP:
            team_id = region_ids[0] if email.startswith("rep@") else rng.choice(region_ids)
        elif role == Role.OPS:
            team_id = ops_team_ids[0] if email.startswith("ops@") else rng.choice(ops_team_ids)
        p.users.append(
            {
                "id": i,
                "email": email,
                "display_name": name,
                "role": role,
                "team_id": team_id,
                "active": True,
                "password_hash": password_hash,
                "session_version": 1,
                "list_filters": {},
                "created_at": start + timedelta(days=rng.uniform(0, 400)),
            }
        )
        p.region_of[i] = team_id if role == Role.REP else None
        if role == Role.REP:
            p.reps.append(i)
        elif role == Role.OPS:
            p.ops_by_team[team_id].append(i)
        elif role == Role.LEADER:
            p.leaders.append(i)
    # A few reps file most reports (Zipf-like), Riley Rep among the busiest.
    p.rep_weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(p.reps))]
    for team in p.teams:
        if team["kind"] == TeamKind.OPERATIONS and p.ops_by_team[team["id"]]:
            team["lead_id"] = p.ops_by_team[team["id"]][0]
            team["sponsor_id"] = rng.choice(p.leaders)

    segments = [s.value for s in Segment]
    for i in range(1, scale.accounts + 1):
        name = texts.company(i)
        p.accounts.append(
            {
                "id": i,
                "name": name,
                "name_key": name.casefold(),
                "segment": rng.choice(segments),
                "region_id": rng.choice(region_ids),
                "arr": Decimal(rng.randrange(20, 5_000) * 1_000),
                "arr_currency": "USD",
                "crm_id": f"0016g{i:011d}",
                "created_at": start,
            }
        )
    p.account_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(scale.accounts)]

    def term(kind: TaxonomyKind, name: str, branch: str = "") -> int:
        ident = len(p.terms) + 1
        p.terms.append(
            {
                "id": ident,
                "kind": kind,
                "name": name,
                "name_key": name.casefold(),
                "branch": branch,
                "active": True,
                "created_at": start,
            }
        )
        return ident

    p.competitors = [term(TaxonomyKind.COMPETITOR, n) for n in COMPETITORS]
    p.reasons = [
        term(TaxonomyKind.REASON, n, branch) for branch, names in REASONS.items() for n in names
    ]
    p.root_causes = [(term(TaxonomyKind.ROOT_CAUSE, n), n) for n in ROOT_CAUSES]
    p.tags = [{"id": i, "name": name} for i, name in enumerate(TAGS, start=1)]
    return p


def _team(ident: int, name: str, kind: TeamKind, at: datetime) -> dict:
    return {
        "id": ident,
        "name": name,
        "name_key": name.casefold(),
        "kind": kind,
        "description": f"{name} ({kind.label.lower()}).",
        "lead_id": None,
        "sponsor_id": None,
        "created_at": at,
    }
