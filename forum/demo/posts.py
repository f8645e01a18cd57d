"""Demo posts: a few hundred reports of all three kinds over the last nine months, with
comments, internal notes, corroborations and shielded authors.

Accounts, taxonomy terms and catalog entries already in the database are used; when there are
none, a handful is created under the same natural keys (``name_key``, ``kind``) the catalog
seeding uses, so both can run in either order.
"""

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from forum.accounts.models import Account, Segment
from forum.accounts.services import account_key
from forum.auth.models import Role, Team, TeamKind, User
from forum.catalog.models import Commitment
from forum.core.time import utcnow
from forum.demo import post_texts as texts
from forum.extensions import db
from forum.feedback.models import (
    Comment,
    Corroboration,
    DealStage,
    Follow,
    Post,
    PostKind,
    PostStatus,
)
from forum.feedback.services import totals
from forum.taxonomy.models import ReasonBranch, Tag, TaxonomyKind, TaxonomyTerm

POST_COUNT = 300
DAYS = 270

# (name, segment, region, ARR in thousands)
ACCOUNTS = [
    ("Acme Manufacturing", Segment.ENTERPRISE, "North America", 1200),
    ("Initech", Segment.MID_MARKET, "North America", 340),
    ("Globex Retail", Segment.ENTERPRISE, "North America", 2100),
    ("Hooli Health", Segment.ENTERPRISE, "North America", 880),
    ("Pied Piper Storage", Segment.SMB, "North America", 45),
    ("Vandelay Imports", Segment.MID_MARKET, "North America", 260),
    ("Stadtwerke Nordheim", Segment.PUBLIC_SECTOR, "EMEA", 410),
    ("Bauer & Söhne Logistik", Segment.MID_MARKET, "EMEA", 290),
    ("Lumière Cosmétiques", Segment.ENTERPRISE, "EMEA", 1500),
    ("Nordic Ferries", Segment.MID_MARKET, "EMEA", 370),
    ("Castellana Seguros", Segment.ENTERPRISE, "EMEA", 960),
    ("Bright Dental Group", Segment.SMB, "EMEA", 60),
    ("Sakura Electronics", Segment.ENTERPRISE, "APAC", 1750),
    ("Harbour City Council", Segment.PUBLIC_SECTOR, "APAC", 520),
    ("Koala Freight", Segment.MID_MARKET, "APAC", 230),
    ("Lotus Hotels", Segment.MID_MARKET, "APAC", 310),
    ("Mumbai Textiles", Segment.SMB, "APAC", 80),
    ("Andes Mining", Segment.ENTERPRISE, "LATAM", 1300),
    ("Café Serrano", Segment.SMB, "LATAM", 35),
    ("Banco Pampa", Segment.ENTERPRISE, "LATAM", 2400),
    ("Rio Verde Agro", Segment.MID_MARKET, "LATAM", 275),
    ("Farmacias Luz", Segment.MID_MARKET, "LATAM", 190),
]
COMPETITORS = ["Northwind Systems", "Contoso Cloud", "Fabrikam", "Tailspin Software", "Umbra"]
REASONS = [
    ("Price too high", ReasonBranch.PRICE),
    ("Payment terms", ReasonBranch.PRICE),
    ("Missing feature", ReasonBranch.PRODUCT),
    ("Integration gaps", ReasonBranch.PRODUCT),
    ("Implementation timeline", ReasonBranch.DELIVERY),
    ("Delivery lead times", ReasonBranch.DELIVERY),
    ("Support coverage", ReasonBranch.DELIVERY),
    ("Champion left", ReasonBranch.RELATIONSHIP),
    ("Procurement process", ReasonBranch.RELATIONSHIP),
    ("Budget frozen", ReasonBranch.OTHER),
]
# operations team -> (title, what is promised)
COMMITMENTS = {
    "Shipping & Logistics": [
        ("Standard delivery", "Delivery within 5 working days of the order"),
        ("Returns pickup", "Returns collected within 3 working days"),
    ],
    "Billing": [("Credit notes", "Credit note issued within 10 working days")],
    "Customer Support": [
        ("P1 response", "1-hour response on P1 tickets, 24/7"),
        ("P2 response", "4-hour response on P2 tickets in business hours"),
    ],
    "Product": [("API capacity", "10,000 API calls per hour on every plan")],
    "Implementation": [
        ("Kick-off", "Kick-off within 5 working days of signature"),
        ("Standard go-live", "Go-live within 30 days of signature"),
    ],
}


def seed_posts(users: dict[str, User]) -> list[str]:
    """Fill the demo with posts unless there are posts already. Flushes; the caller commits."""
    if db.session.scalar(sa.select(Post.id).limit(1)) is not None:
        return ["Posts exist already: demo posts are not seeded again."]
    rng = random.Random(42)  # noqa: S311  # nosec B311  # demo data, reproducible on purpose
    teams = {t.name: t for t in db.session.scalars(sa.select(Team))}
    people = list(users.values())
    reps = [u for u in people if u.role == Role.REP]
    reporters = reps * 3 + [u for u in people if u.role == Role.LEADER]
    staff = [u for u in people if u.role in (Role.OPS, Role.LEADER, Role.ADMIN)]
    ops = [u for u in people if u.role == Role.OPS]
    accounts = _accounts(teams)
    competitors = _terms(TaxonomyKind.COMPETITOR, [(n, "") for n in COMPETITORS])
    reasons = _terms(TaxonomyKind.REASON, REASONS)
    commitments = _commitments(teams, users)
    tags: dict[str, Tag] = {t.name: t for t in db.session.scalars(sa.select(Tag))}

    now = utcnow()
    moments = sorted(now - timedelta(days=rng.uniform(0.5, DAYS)) for _ in range(POST_COUNT))
    posts: list[Post] = []
    by_template: dict[str, list[Post]] = {}  # earlier reports of the same problem
    duplicates: list[tuple[Post, Post]] = []
    for when in moments:
        author = rng.choice(reporters)
        kind = rng.choices(list(PostKind), weights=[4, 3, 4])[0]
        fill = _fill(rng, _nearby(accounts, author), [c.name for c in competitors])
        post = Post(
            kind=kind,
            author=author,
            region=author.team if author.team and author.team.kind == TeamKind.SALES else None,
            shielded=author.role == Role.REP and rng.random() < 0.12,
            created_at=when,
            updated_at=when,
            status=PostStatus.NEW,
        )
        template, tag_names = _write(
            post, kind, rng, fill, teams, reasons, competitors, commitments
        )
        post.tags = [_tag(tags, name) for name in tag_names]
        original = _status(post, rng, now, by_template.setdefault(template, []))
        if original is not None:
            duplicates.append((post, original))
        db.session.add(post)
        posts.append(post)
        by_template[template].append(post)
    # One flush for all: ids follow the order the reports were filed, as long as no post points
    # at another yet (the unit of work would reorder them for duplicate_of).
    db.session.flush()
    for post, original in duplicates:
        post.duplicate_of = original

    comments = corroborations = 0
    for post in posts:
        db.session.add(Follow(user_id=post.author_id, post_id=post.id, created_at=post.created_at))
        comments += _discuss(post, rng, now, reps, ops, staff, accounts)
        rows = []
        if post.status != PostStatus.DUPLICATE:
            rows = _corroborate(post, rng, now, reporters, accounts)
        count, at_risk = totals(post, rows)
        post.corroboration_count, post.total_at_risk = count, at_risk.get(post.currency)
        post.at_risk_by_currency = {m.currency: str(m.amount) for m in at_risk if m.amount}
        corroborations += len(rows)
    db.session.flush()
    return [
        f"Demo posts: {len(posts)} reports, {comments} comments, "
        f"{corroborations} “me too”, {len(accounts)} accounts."
    ]


def _accounts(teams: dict[str, Team]) -> list[Account]:
    existing = db.session.scalars(sa.select(Account).order_by(Account.id)).all()
    if existing:
        return list(existing)
    made = []
    for i, (name, segment, region, arr) in enumerate(ACCOUNTS, start=1):
        crm_id = f"CRM-{10000 + i}"
        if db.session.scalar(sa.select(Account.id).where(Account.crm_id == crm_id)):
            crm_id = None
        account = Account(
            name=name,
            name_key=account_key(name),
            segment=segment,
            region=teams.get(region),
            arr=Decimal(arr * 1000),
            crm_id=crm_id,
        )
        db.session.add(account)
        made.append(account)
    db.session.flush()
    return made


def _terms(kind: TaxonomyKind, wanted: list[tuple[str, str]]) -> list[TaxonomyTerm]:
    query = sa.select(TaxonomyTerm).where(TaxonomyTerm.kind == kind, TaxonomyTerm.active)
    existing = db.session.scalars(query.order_by(TaxonomyTerm.id)).all()
    if existing:
        return list(existing)
    made = []
    for name, branch in wanted:
        term = TaxonomyTerm(kind=kind, name=name, name_key=name.casefold(), branch=branch)
        db.session.add(term)
        made.append(term)
    db.session.flush()
    return made


def _commitments(teams: dict[str, Team], users: dict[str, User]) -> dict[str, list[Commitment]]:
    found: dict[str, list[Commitment]] = {}
    for team_name, entries in COMMITMENTS.items():
        team = teams.get(team_name)
        if team is None:
            continue
        rows = db.session.scalars(
            sa.select(Commitment).where(Commitment.team_id == team.id, Commitment.active)
        ).all()
        if not rows:
            rows = [
                Commitment(team=team, title=title, promise=promise, owner=team.lead)
                for title, promise in entries
            ]
            db.session.add_all(rows)
        found[team_name] = list(rows)
    db.session.flush()
    return found


def _nearby(accounts: list[Account], author: User) -> list[Account]:
    """Reps mostly sell to accounts of their own region."""
    same = [a for a in accounts if author.team_id and a.region_id == author.team_id]
    return same * 12 + accounts if same else accounts


def _money(rng: random.Random, account: Account | None, low: float, high: float) -> Decimal:
    """An amount in proportion to the account's ARR, in whole thousands."""
    arr = float(account.arr) if account is not None and account.arr else 300_000.0
    return Decimal(max(1, round(arr * rng.uniform(low, high) / 1000)) * 1000)


def _fill(rng: random.Random, accounts, competitors: list[str]) -> dict:
    return {
        "account": rng.choice(accounts),
        "contact": rng.choice(texts.CONTACTS),
        "competitor": rng.choice(competitors),
        "feature": rng.choice(texts.FEATURES),
        "quarter": rng.choice(texts.QUARTERS),
        "days": rng.randint(6, 21),
        "weeks": rng.randint(3, 9),
        "n": rng.randint(3, 12),
    }


def _format(template: str, fill: dict) -> str:
    return template.format(**{**fill, "account": fill["account"].name})


def _write(post, kind, rng, fill, teams, reasons, competitors, commitments):
    """Title, body and the kind's fields from a template; returns the template and the tags."""
    if kind == PostKind.FIELD_FEEDBACK:
        title, body, team, tag_names = rng.choice(texts.FIELD_FEEDBACK)
        post.team = teams.get(team) if team else None
        post.account = fill["account"] if rng.random() < 0.4 else None
        framed = _frame(rng, _format(title, fill), post)
    elif kind == PostKind.WIN_LOSS:
        title, body, outcome, branch, tag_names = rng.choice(texts.WIN_LOSS)
        post.account = fill["account"]
        post.outcome = outcome
        post.deal_value = _money(rng, post.account, 0.2, 1.2)
        post.currency = rng.choice(["USD", "USD", "USD", "EUR", "GBP"])
        post.stage = rng.choice(list(DealStage))
        if "{competitor}" in title + body or rng.random() < 0.5:
            named = [c for c in competitors if c.name == fill["competitor"]]
            post.competitor = named[0] if named else rng.choice(competitors)
        same_branch = [r for r in reasons if r.branch == branch] or reasons
        post.primary_reason = rng.choice(same_branch)
        others = [r for r in reasons if r is not post.primary_reason]
        post.secondary_reasons = rng.sample(others, k=min(len(others), rng.randint(0, 2)))
        post.crm_opportunity_id = f"OPP-{rng.randint(20000, 99999)}"
    else:
        title, promised, body, team, basis, detail, tag_names = rng.choice(texts.BROKEN_PROMISES)
        post.team = teams.get(team)
        post.account = fill["account"]
        post.promised = _format(promised, fill)
        post.contact_name = fill["contact"] if rng.random() < 0.7 else None
        post.basis = basis
        post.basis_detail = detail or None
        if basis == "catalog" and commitments.get(team):
            post.commitment = rng.choice(commitments[team])
        post.promised_date = (post.created_at - timedelta(days=rng.randint(3, 40))).date()
        post.impact = rng.choices([1, 2, 3, 4], weights=[2, 4, 3, 2])[0]
        post.revenue_at_risk = _money(rng, post.account, 0.05, 0.8)
        post.currency = rng.choice(["USD", "USD", "EUR", "GBP"])
    post.title = (framed if kind == PostKind.FIELD_FEEDBACK else _format(title, fill))[:200]
    post.body = _format(body, fill)
    return title, tag_names


def _frame(rng: random.Random, title: str, post: Post) -> str:
    """Field feedback is heard again and again; reps say where they heard it this time."""
    lowered = title[0].lower() + title[1:] if title[1:2].islower() else title
    options = [title, title]
    if post.region is not None:
        options.append(f"{post.region.name}: {lowered}")
    if post.account is not None:
        options.append(f"Heard at {post.account.name}: {lowered}")
    options.append(f"Again this week: {lowered}")
    return rng.choice(options)


def _status(post: Post, rng: random.Random, now, same_problem: list[Post]) -> Post | None:
    """Posts older than two weeks may have been triaged (fixes come with a later issue).
    Returns the original when ``post`` is made a duplicate of it."""
    age = (now - post.created_at).days
    roll = rng.random()
    if age < 14 or roll < 0.45:
        return None
    if post.kind == PostKind.WIN_LOSS:
        # Deal reports are read and noted; they feed the win/loss analysis, not fixes.
        if roll < 0.52:
            post.status, post.status_reason = PostStatus.NEEDS_INFO, rng.choice(texts.NEEDS_INFO)
        else:
            post.status = PostStatus.NOTED
        return None
    originals = [p for p in same_problem if p.status != PostStatus.DUPLICATE]
    if originals and roll < 0.53:
        post.status = PostStatus.DUPLICATE
        return originals[0]
    if roll < 0.68:
        post.status, post.status_reason = PostStatus.NEEDS_INFO, rng.choice(texts.NEEDS_INFO)
    elif roll < 0.78:
        post.status, post.status_reason = PostStatus.DECLINED, rng.choice(texts.DECLINED)
    else:
        post.status = PostStatus.NOTED
    return None


def _later(rng: random.Random, start, now):
    return min(now, start + timedelta(hours=rng.uniform(1, 24 * 20)))


def _discuss(post, rng, now, reps, ops, staff, accounts) -> int:
    count = rng.choices([0, 1, 2, 3, 4], weights=[3, 3, 2, 1, 1])[0]
    when = post.created_at
    for _ in range(count):
        when = _later(rng, when, now)
        fill = _fill(rng, accounts, ["a competitor"])
        roll = rng.random()
        # The responsible team answers when there is one.
        team_ops = [u for u in ops if post.team_id and u.team_id == post.team_id] or ops
        if roll < 0.35 and staff:
            writers = team_ops + [u for u in staff if u.role != Role.OPS]
            author, body, internal = rng.choice(writers), rng.choice(texts.INTERNAL_NOTES), True
        elif roll < 0.65 and ops:
            author, body, internal = rng.choice(team_ops), rng.choice(texts.OPS_COMMENTS), False
        else:
            others = [r for r in reps if r.id != post.author_id] or reps
            author, body = rng.choice(others), _format(rng.choice(texts.PUBLIC_COMMENTS), fill)
            internal = False
        db.session.add(
            Comment(post=post, author=author, body=body, internal=internal, created_at=when)
        )
    return count


def _corroborate(post, rng, now, reporters, accounts) -> list[tuple]:
    """'Me too' from other people; returns each one's (account id, amount, currency, when,
    order): most in the report's currency, some in another (an account abroad)."""
    candidates = list({u.id: u for u in reporters if u.id != post.author_id}.values())
    count = min(len(candidates), rng.choices(range(7), weights=[5, 4, 3, 2, 2, 1, 1])[0])
    rows = []
    for user in rng.sample(candidates, k=count):
        account = amount = currency = None
        if post.kind == PostKind.BROKEN_PROMISE and rng.random() < 0.6:
            account = rng.choice(accounts)
            amount = _money(rng, account, 0.05, 0.5)
            currency = post.currency if rng.random() < 0.8 else rng.choice(["USD", "EUR", "GBP"])
        when = _later(rng, post.created_at, now)
        db.session.add(
            Corroboration(
                post=post,
                user=user,
                account=account,
                amount=amount,
                currency=currency,
                note=rng.choice(texts.CORROBORATION_NOTES),
                created_at=when,
            )
        )
        db.session.add(Follow(user_id=user.id, post_id=post.id, created_at=post.created_at))
        rows.append((account.id if account else None, amount, currency, when, len(rows)))
    return rows


def _tag(tags: dict[str, Tag], name: str) -> Tag:
    if name not in tags:
        tags[name] = Tag(name=name)
        db.session.add(tags[name])
    return tags[name]
