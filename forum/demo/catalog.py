"""Demo accounts, taxonomies and catalog entries, seeded idempotently. Flushes; callers commit."""

# Rows are looked up by their natural key (CRM id; kind and name; team and title) before being
# inserted, so seeding twice changes nothing. They are inserted directly, without audit entries:
# seeding is not something a person did.

import hashlib
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from forum.accounts.models import Account, Segment
from forum.accounts.services import account_key
from forum.auth.models import Team, User
from forum.catalog.models import Commitment
from forum.core.time import utcnow
from forum.extensions import db
from forum.taxonomy.models import ReasonBranch, TaxonomyKind, TaxonomyTerm
from forum.taxonomy.services import term_key

E, M, S, P = Segment.ENTERPRISE, Segment.MID_MARKET, Segment.SMB, Segment.PUBLIC_SECTOR

# (name, segment, sales region, ARR in USD)
ACCOUNTS = [
    ("Harborview Medical Group", E, "North America", 1_850_000),
    ("Bluestone Manufacturing", E, "North America", 2_400_000),
    ("Prairie State Credit Union", M, "North America", 410_000),
    ("Cascadia Outdoor Supply", M, "North America", 265_000),
    ("Maple Leaf Grocers", E, "North America", 3_100_000),
    ("Tidewater Marine Services", S, "North America", 48_000),
    ("Summit Ridge School District", P, "North America", 320_000),
    ("Lakeshore Dental Partners", S, "North America", 36_500),
    ("Ironbridge Construction", M, "North America", 530_000),
    ("City of Fairhaven", P, "North America", 275_000),
    ("Rheinwerk Automotive GmbH", E, "EMEA", 2_950_000),
    ("Nordlys Energi AS", E, "EMEA", 1_420_000),
    ("Atelier Lumière SARL", S, "EMEA", 52_000),
    ("Castellana Seguros", M, "EMEA", 610_000),
    ("Thames Valley Housing Trust", P, "EMEA", 390_000),
    ("Van der Berg Logistiek", M, "EMEA", 455_000),
    ("Helvetia Precision AG", E, "EMEA", 1_760_000),
    ("Kraków Software House", S, "EMEA", 64_000),
    ("Gulf Horizon Trading", M, "EMEA", 380_000),
    ("Cape Vineyards Cooperative", S, "EMEA", 41_000),
    ("Sakura Retail Holdings", E, "APAC", 2_250_000),
    ("Pacific Rim Freight", E, "APAC", 1_380_000),
    ("Lion City Polyclinics", M, "APAC", 470_000),
    ("Southern Cross Mining", E, "APAC", 3_600_000),
    ("Kiwi Fresh Produce", S, "APAC", 58_000),
    ("Bengaluru Fintech Labs", M, "APAC", 295_000),
    ("Han River Electronics", E, "APAC", 2_080_000),
    ("Victoria State Transport", P, "APAC", 640_000),
    ("Jakarta Textile Mills", M, "APAC", 310_000),
    ("Mekong Agri Exports", S, "APAC", 44_000),
    ("Grupo Andino Retail", E, "LATAM", 1_540_000),
    ("Paulista Alimentos", E, "LATAM", 1_910_000),
    ("Café Montañés", S, "LATAM", 39_000),
    ("Monterrey Steelworks", E, "LATAM", 2_720_000),
    ("Banco Austral", M, "LATAM", 690_000),
    ("Patagonia Wind Farms", M, "LATAM", 355_000),
    ("Prefeitura de Campinas", P, "LATAM", 420_000),
    ("Lima Pharma Distribución", M, "LATAM", 275_000),
    ("Caribe Hotels & Resorts", M, "LATAM", 505_000),
    ("Bogotá Fast Couriers", S, "LATAM", 47_000),
]

COMPETITORS = [
    "Northwind Logistics Cloud",
    "Globex Suite",
    "Initech Operations Platform",
    "Umbrella Commerce",
    "Soylent ERP",
    "Vandelay Supply Chain",
    "An in-house build",
]
REASONS = {
    ReasonBranch.PRODUCT: [
        "Missing integration with their ERP",
        "Feature gap on reporting",
        "Better fit for their industry elsewhere",
    ],
    ReasonBranch.PRICE: [
        "Price too high",
        "Payment terms not acceptable",
        "Competitor discounted aggressively",
    ],
    ReasonBranch.RELATIONSHIP: [
        "Strong relationship with the champion",
        "Slow response during the evaluation",
        "Lost the executive sponsor",
    ],
    ReasonBranch.DELIVERY: [
        "Late delivery on a previous order",
        "Onboarding took too long",
        "Billing errors",
        "Support did not answer in time",
        "A promised feature did not ship",
    ],
    ReasonBranch.OTHER: [
        "Budget frozen",
        "Project cancelled",
    ],
}
ROOT_CAUSES = ["Capacity", "Process gap", "Tooling", "Communication", "Supplier", "Training"]

# team -> [(title, promise, details, days since last confirmed)]; over 90 days shows as stale.
COMMITMENTS = {
    "Shipping & Logistics": [
        (
            "Standard shipping lead time",
            "In-stock items ship within 2 business days and arrive within 5 in the "
            "continental US, Canada and the EU.",
            "Orders placed after 2 pm local warehouse time count from the next business day.",
            12,
        ),
        (
            "Expedited shipping",
            "Next-day delivery for orders under 30 kg placed before noon, in major metro areas.",
            "Ask the shipping desk before promising next-day outside the listed cities.",
            40,
        ),
        (
            "Custom pallet configuration",
            "Mixed-SKU pallets built to the customer's spec within 7 business days.",
            "",
            130,
        ),
        (
            "Delivery-date guarantee",
            "A confirmed delivery date for orders of 50 units or more, with a credit if missed.",
            "The credit is 5% of the order value; Billing applies it on the next invoice.",
            95,
        ),
    ],
    "Billing": [
        (
            "Invoice corrections",
            "A corrected invoice within 3 business days of a reported error.",
            "",
            20,
        ),
        (
            "Payment terms",
            "Net 30 by default; net 60 for enterprise accounts with finance approval.",
            "Net 90 is never available: do not offer it.",
            60,
        ),
        (
            "Consolidated monthly invoicing",
            "One invoice per month across all of a customer's sites and purchase orders.",
            "",
            150,
        ),
    ],
    "Customer Support": [
        (
            "Support hours",
            "Phone and chat support 7 am to 7 pm in the customer's time zone, Monday to Friday.",
            "",
            30,
        ),
        (
            "Priority 1 response time",
            "A named engineer responds to a P1 ticket within 1 hour, 24/7.",
            "Only for accounts on the Premium support plan.",
            10,
        ),
        (
            "Dedicated customer success manager",
            "Accounts above USD 1M ARR get a named CSM with quarterly business reviews.",
            "",
            110,
        ),
    ],
    "Product": [
        (
            "Single sign-on",
            "SAML 2.0 and OpenID Connect sign-on are available on every plan today.",
            "",
            25,
        ),
        (
            "Public API rate limits",
            "Up to 100 requests per second per customer; more on request for enterprise plans.",
            "",
            75,
        ),
        (
            "Custom feature requests",
            "We review requests monthly but never commit to a delivery date during a sale.",
            "Do not promise roadmap dates. Point the customer to the public roadmap instead.",
            200,
        ),
    ],
    "Implementation": [
        (
            "Standard onboarding",
            "Go-live within 30 days for up to 5 sites using the standard configuration.",
            "",
            15,
        ),
        (
            "Data migration",
            "Migration of up to 3 years of order history from a CSV export, "
            "included in onboarding.",
            "Migrations from other systems are quoted separately.",
            100,
        ),
        (
            "On-site training",
            "Two days of on-site training for up to 20 people, within 6 weeks of signing.",
            "",
            45,
        ),
    ],
}
OWNERS = {
    "Shipping & Logistics": "dana.kim@example.com",
    "Billing": "billing.lead@example.com",
    "Customer Support": "support.lead@example.com",
    "Product": "product.lead@example.com",
    "Implementation": "impl.lead@example.com",
}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# Demo accounts that the CRM sample exports (samples/crm) carry too: the same customer, the same
# CRM id, so importing the samples updates them instead of adding a second one of the name.
SAMPLE_CRM_IDS = {"Banco Austral": "0015g00000BncAus1"}


def crm_id_for(name: str) -> str:
    """A stable, CRM-looking account id ("0016g00000" and six characters derived from the name)."""
    if name in SAMPLE_CRM_IDS:
        return SAMPLE_CRM_IDS[name]
    number = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    suffix = ""
    for _ in range(6):
        number, digit = divmod(number, 62)
        suffix += _BASE62[digit]
    return f"0016g00000{suffix}"


def _teams_by_name() -> dict[str, Team]:
    return {t.name: t for t in db.session.scalars(sa.select(Team))}


def seed_accounts() -> int:
    """About forty accounts across segments and the sales regions; returns how many were added."""
    regions = _teams_by_name()
    added = 0
    for name, segment, region, arr in ACCOUNTS:
        crm_id = crm_id_for(name)
        if db.session.scalar(sa.select(Account.id).where(Account.crm_id == crm_id)) is not None:
            continue
        team = regions.get(region)
        db.session.add(
            Account(
                name=name,
                name_key=account_key(name),
                segment=segment,
                region_id=team.id if team else None,
                arr=Decimal(arr),
                crm_id=crm_id,
            )
        )
        added += 1
    db.session.flush()
    return added


def story_account(name: str) -> str:
    """An account a demo story names, added explicitly (reports never create accounts);
    ``complete_accounts`` gives it its facts. Returns the name for the report's form."""
    from forum.accounts.services import find_account

    if find_account(name) is None:
        db.session.add(Account(name=name, name_key=account_key(name)))
        db.session.flush()
    return name


def complete_accounts() -> int:
    """Give accounts the demo stories named in passing (no CRM id yet) believable facts:
    a segment, a sales region, an ARR and a CRM id, derived from the name so reruns agree."""
    regions = sorted(_teams_by_name().items())
    sales = [team for _, team in regions if team.kind == "sales"]
    segments = [s.value for s in Segment]
    done = 0
    for account in db.session.scalars(sa.select(Account).where(Account.crm_id.is_(None))):
        digest = int(hashlib.sha256(account.name.encode()).hexdigest(), 16)
        account.segment = account.segment or segments[digest % len(segments)]
        if account.region_id is None and sales:
            account.region_id = sales[(digest // 7) % len(sales)].id
        account.arr = account.arr or Decimal(50_000 + (digest % 60) * 25_000)
        account.crm_id = crm_id_for(account.name)
        done += 1
    db.session.flush()
    return done


def _term(kind: TaxonomyKind, name: str, branch: str = "") -> int:
    exists = db.session.scalar(
        sa.select(TaxonomyTerm.id).where(
            TaxonomyTerm.kind == kind, TaxonomyTerm.name_key == term_key(name)
        )
    )
    if exists is not None:
        return 0
    db.session.add(
        TaxonomyTerm(kind=kind, name=name, name_key=term_key(name), branch=branch, active=True)
    )
    return 1


def seed_taxonomies() -> int:
    """Competitors, win/loss reasons in every branch and root-cause categories; returns added."""
    added = sum(_term(TaxonomyKind.COMPETITOR, name) for name in COMPETITORS)
    for branch, names in REASONS.items():
        added += sum(_term(TaxonomyKind.REASON, name, branch) for name in names)
    added += sum(_term(TaxonomyKind.ROOT_CAUSE, name) for name in ROOT_CAUSES)
    db.session.flush()
    return added


def seed_commitments(users: dict[str, User]) -> int:
    """Three to five entries per operations team, some stale; owners come from ``users``."""
    teams = _teams_by_name()
    now = utcnow()
    added = 0
    for team_name, entries in COMMITMENTS.items():
        team = teams.get(team_name)
        if team is None:
            continue
        owner = users.get(OWNERS[team_name])
        for title, promise, details, days in entries:
            exists = db.session.scalar(
                sa.select(Commitment.id).where(
                    Commitment.team_id == team.id, Commitment.title == title
                )
            )
            if exists is not None:
                continue
            db.session.add(
                Commitment(
                    team=team,
                    title=title,
                    promise=promise,
                    details=details,
                    owner=owner,
                    last_confirmed_at=now - timedelta(days=days),
                    confirmed_by=owner,
                    active=True,
                )
            )
            added += 1
    db.session.flush()
    return added
