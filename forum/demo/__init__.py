"""The demo organisation: a believable company so the app looks alive on first run."""

import sqlalchemy as sa

from forum.auth.models import Role, Team, TeamKind, User
from forum.auth.services import create_user, hash_password
from forum.demo.buyers import seed_buyers
from forum.demo.catalog import complete_accounts, seed_accounts, seed_commitments, seed_taxonomies
from forum.demo.crm import seed_crm
from forum.demo.fixes import seed_fixes
from forum.demo.follow_ups import seed_follow_ups
from forum.demo.posts import seed_posts
from forum.demo.rates import seed_rates
from forum.extensions import db

SALES_REGIONS = [
    ("North America", "Enterprise and mid-market accounts in the US and Canada."),
    ("EMEA", "Europe, Middle East and Africa."),
    ("APAC", "Asia-Pacific, run from Singapore and Sydney."),
    ("LATAM", "Latin America, run from São Paulo and Mexico City."),
]
OPERATIONS_TEAMS = [
    ("Shipping & Logistics", "Warehousing, carriers and delivery lead times."),
    ("Billing", "Invoices, credit notes, payment terms."),
    ("Customer Support", "Tickets, service hours and escalations."),
    ("Product", "Roadmap, releases and feature commitments."),
    ("Implementation", "Onboarding, data migration and go-live."),
]
# (email, name, role, team)
USERS = [
    ("admin@example.com", "Alex Admin", Role.ADMIN, None),
    ("leader@example.com", "Lena Leader", Role.LEADER, None),
    ("cro@example.com", "Carlos Ortega", Role.LEADER, None),
    ("vp.ops@example.com", "Priya Natarajan", Role.LEADER, None),
    ("rep@example.com", "Riley Rep", Role.REP, "North America"),
    ("jordan.blake@example.com", "Jordan Blake", Role.REP, "North America"),
    ("sofia.marin@example.com", "Sofía Marín", Role.REP, "EMEA"),
    ("tom.fischer@example.com", "Tom Fischer", Role.REP, "EMEA"),
    ("mei.tanaka@example.com", "Mei Tanaka", Role.REP, "APAC"),
    ("arjun.rao@example.com", "Arjun Rao", Role.REP, "APAC"),
    ("lucas.souza@example.com", "Lucas Souza", Role.REP, "LATAM"),
    ("ops@example.com", "Oscar Ops", Role.OPS, "Shipping & Logistics"),
    ("dana.kim@example.com", "Dana Kim", Role.OPS, "Shipping & Logistics"),
    ("billing.lead@example.com", "Beatriz Lopes", Role.OPS, "Billing"),
    ("sam.okafor@example.com", "Sam Okafor", Role.OPS, "Billing"),
    ("support.lead@example.com", "Hannah Weber", Role.OPS, "Customer Support"),
    ("product.lead@example.com", "Ivan Petrov", Role.OPS, "Product"),
    ("impl.lead@example.com", "Grace Liu", Role.OPS, "Implementation"),
]
LEADS = {
    "Shipping & Logistics": ("dana.kim@example.com", "vp.ops@example.com"),
    "Billing": ("billing.lead@example.com", "cro@example.com"),
    "Customer Support": ("support.lead@example.com", "vp.ops@example.com"),
    "Product": ("product.lead@example.com", "leader@example.com"),
    "Implementation": ("impl.lead@example.com", "vp.ops@example.com"),
}


def _team(name: str, kind: TeamKind, description: str) -> Team:
    team = db.session.scalar(sa.select(Team).where(Team.name_key == name.casefold()))
    if team is None:
        team = Team(name=name, name_key=name.casefold(), kind=kind, description=description)
        db.session.add(team)
        db.session.flush()
    return team


def seed_organisation(password: str) -> dict[str, User]:
    """Teams and users of every role; existing rows are left as they are."""
    teams = {}
    for name, description in SALES_REGIONS:
        teams[name] = _team(name, TeamKind.SALES, description)
    for name, description in OPERATIONS_TEAMS:
        teams[name] = _team(name, TeamKind.OPERATIONS, description)
    users = {}
    for email, name, role, team_name in USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            team = teams[team_name] if team_name else None
            user = create_user(email, name, role, team.id if team else None, password=password)
        else:
            user.password_hash = hash_password(password)
        users[email] = user
    for team_name, (lead, sponsor) in LEADS.items():
        teams[team_name].lead = users[lead]
        teams[team_name].sponsor = users[sponsor]
    db.session.flush()
    return users


def seed(password: str) -> list[str]:
    """Seed everything the demo needs; flushes, the caller commits. Returns a summary."""
    users = seed_organisation(password)
    accounts = seed_accounts()
    terms = seed_taxonomies()
    commitments = seed_commitments(users)
    rate_count = seed_rates()
    posts = seed_posts(users)
    # Fixes come after the posts they gather (they take untriaged demo reports first).
    fixes = seed_fixes(users)
    follow_ups = seed_follow_ups(users)  # after the fixes whose verification opened them
    buyers = seed_buyers(users)  # after the deals and the fixes their complaints back
    crm = seed_crm()  # the sample Salesforce and HubSpot exports (samples/crm)
    complete_accounts()  # accounts the stories named in passing get believable facts too
    teams = db.session.scalar(sa.select(sa.func.count(Team.id)))
    return [
        f"Demo organisation ready: {teams} teams, {len(users)} users.",
        f"Added {accounts} accounts, {terms} taxonomy terms and {commitments} catalog entries.",
        f"Added {rate_count} exchange rates (EUR, GBP and BRL into USD, month by month).",
        *posts,
        f"Added {fixes} fixes with their histories."
        if fixes
        else "Fixes exist already: demo fixes are not seeded again.",
        f"Marked {follow_ups} follow-ups: customers told, trust restored, a lost deal won back."
        if follow_ups
        else "Demo follow-ups exist already (or no fix is verified).",
        f"Added {buyers} buyer answers (surveys and interviews) on a share of the deals."
        if buyers
        else "Demo buyer answers exist already (or there are no deals).",
        crm,
        "Sign in as rep@example.com, ops@example.com, leader@example.com or admin@example.com.",
    ]
