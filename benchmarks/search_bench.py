"""Search latency at 100,000 posts: build a corpus, index it, time representative queries.

    .venv/bin/python -m benchmarks.search_bench              # SQLite in a temporary folder
    SEARCH_BENCH_POSTGRES_URL=postgresql+psycopg://user@host/throwaway_db \\
        .venv/bin/python -m benchmarks.search_bench          # and PostgreSQL (emptied first!)

Options (environment): SEARCH_BENCH_POSTS (100000), SEARCH_BENCH_RUNS (25 timed runs per query).
It prints, per database, how long building and indexing took and, per query, the median and
95th-percentile latency in milliseconds of the search page's query (``forum.finder.queries.run``:
match, rank, filter, page, load the posts and cut the snippets) and of the engine-level calls.
A measurement to read, not a test: nothing here passes or fails.
"""

import itertools
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

import config
from forum import create_app, search
from forum.accounts.models import Account
from forum.auth.models import Team, TeamKind, User
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Comment, Post, PostKind
from forum.feedback.similar import similar_posts
from forum.finder import queries
from forum.fixes.models import Fix

ROOT = Path(__file__).resolve().parent.parent
POSTS = int(os.environ.get("SEARCH_BENCH_POSTS", "100000"))
RUNS = int(os.environ.get("SEARCH_BENCH_RUNS", "25"))
COMMENTS = POSTS // 2
FIXES = max(10, POSTS // 50)
ACCOUNTS = max(10, POSTS // 20)
BATCH = 5000

FIELD_WORDS = (
    "delivery late shipment pallets carrier warehouse invoice billing credit note refund "
    "discount price pricing contract renewal onboarding implementation support ticket hours "
    "response escalation outage downtime integration api export report dashboard feature "
    "roadmap release bug defect quality packaging damaged missing wrong address customs "
    "lead time promise promised weeks days months customer client account manager competitor "
    "cheaper faster slower rollout training migration data security audit compliance "
    "purchase order payment terms overdue reminder portal login password mobile app "
    "e-mail on-time follow-up go-live set-up sign-off third-party"
).split()
WORLD_WORDS = "café délai über mañana façade naïve доставка задержка 配送 東京".split()
COMPANIES = (
    "Acme Globex Initech Umbrella Hooli Vandelay Stark Wayne Wonka Tyrell Cyberdyne Soylent "
    "Massive Dynamic Gringotts Oceanic Nakatomi Monarch Virtucon Duff Gekko Oscorp Aperture"
).split()
SUFFIXES = "GmbH Ltd Inc SA BV Oy AB KK Pty SpA".split()


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Field words and invented ones, with cumulative Zipf weights (a few words are common)."""
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    invented = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)}
    field = list(FIELD_WORDS)
    rng.shuffle(field)
    rest = sorted(invented)
    rng.shuffle(rest)
    words = field[:40] + rest[:200] + field[40:] + rest[200:]  # field words among the common
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(words))]  # Zipf-like
    return words, list(itertools.accumulate(weights))


class Text:
    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.words, self.cumulative = _vocabulary(self.rng)

    def sentence(self, low: int, high: int) -> str:
        k = self.rng.randint(low, high)
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=k)
        if self.rng.random() < 0.05:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(WORLD_WORDS))
        return " ".join(words).capitalize()

    def paragraph(self, low: int, high: int) -> str:
        text, n = [], self.rng.randint(low, high)
        while n > 0:
            length = min(n, self.rng.randint(6, 16))
            text.append(self.sentence(length, length) + ".")
            n -= length
        return " ".join(text)


def _insert(table, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[i : i + BATCH])


def build(text: Text) -> dict:
    """Teams, users, accounts, posts, comments and fixes, inserted in bulk (no ORM events)."""
    rng, now = text.rng, utcnow()
    regions = [Team(name=n, name_key=n.lower(), kind=TeamKind.SALES) for n in ("NA", "EMEA")]
    ops = [Team(name=f"Ops {i}", name_key=f"ops {i}", kind=TeamKind.OPERATIONS) for i in range(5)]
    db.session.add_all(regions + ops)
    db.session.flush()
    reps = [
        User(
            email=f"rep{i}@bench.test",
            display_name=f"{rng.choice(COMPANIES)} Rep{i}",
            role="rep",
            team_id=rng.choice(regions).id,
        )
        for i in range(300)
    ]
    leader = User(email="leader@bench.test", display_name="Lena Leader", role="leader")
    db.session.add_all([*reps, leader])
    db.session.flush()
    names = set()
    while len(names) < ACCOUNTS:
        names.add(f"{rng.choice(COMPANIES)} {text.sentence(1, 1)} {rng.choice(SUFFIXES)}")
    _insert(
        Account.__table__,
        [
            {"name": n, "name_key": n.casefold(), "crm_id": f"CRM-{i:06d}", "created_at": now}
            for i, n in enumerate(sorted(names), 1)
        ],
    )
    account_ids = list(db.session.scalars(sa.select(Account.id).order_by(Account.id)))
    kinds = list(PostKind)
    rows = []
    for _ in range(POSTS):
        kind = rng.choice(kinds)
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 730))
        author = rng.choice(reps)
        rows.append(
            {
                "kind": kind.value,
                "status": rng.choice(["new", "new", "linked", "noted", "declined"]),
                "status_reason": "",
                "title": text.sentence(4, 9),
                "body": text.paragraph(30, 120),
                "promised": text.sentence(5, 12) if kind == PostKind.BROKEN_PROMISE else None,
                "author_id": author.id,
                "region_id": author.team_id,
                "team_id": rng.choice(ops).id,
                "account_id": rng.choice(account_ids) if rng.random() < 0.6 else None,
                "shielded": rng.random() < 0.05,
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "corroboration_count": rng.randint(0, 5),
                "total_at_risk": 0,
                "currency": "USD",
            }
        )
    _insert(Post.__table__, rows)
    post_ids = list(db.session.scalars(sa.select(Post.id).order_by(Post.id)))
    _insert(
        Comment.__table__,
        [
            {
                "post_id": rng.choice(post_ids),
                "author_id": rng.choice(reps).id,
                "body": text.paragraph(8, 40),
                "internal": rng.random() < 0.1,
                "created_at": now,
            }
            for _ in range(COMMENTS)
        ],
    )
    _insert(
        Fix.__table__,
        [
            {
                "title": text.sentence(3, 7),
                "problem": text.paragraph(15, 60),
                "owner_team_id": rng.choice(ops).id,
                "priority": "P3",
                "status": rng.choice(["open", "in_progress", "resolved", "verified"]),
                "version": 1,
                "ack_due_at": now,
                "due_at": now + timedelta(days=30),
                "updated_at": now,
                "created_at": now,
                "status_reason": "",
                "resolution_note": "",
                "prevention": "",
                "reopen_count": 0,
                "recurrence_count": 0,
                "escalation_level": 0,
            }
            for _ in range(FIXES)
        ],
    )
    db.session.commit()
    return {"leader": leader.id, "rep": reps[0].id, "team": ops[0].id, "account": account_ids[7]}


def _timed(fn, runs: int) -> tuple[float, float, object]:
    result = None
    for _ in range(2):  # warm caches
        result = fn()
        db.session.rollback()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, result


def measure(ids: dict, text: Text) -> list[tuple[str, float, float, int]]:
    leader = db.session.get(User, ids["leader"])
    rep = db.session.get(User, ids["rep"])
    account = db.session.get(Account, ids["account"])
    rare = text.words[-1]
    page = queries.SearchFilter
    typed_title = "late delivery of pal"  # the last word still being typed
    cases = [
        ("page: one common word", lambda: queries.run(page(q="delivery"), rep)),
        ("page: two words", lambda: queries.run(page(q="late delivery"), rep)),
        ("page: phrase", lambda: queries.run(page(q='"late delivery"'), rep)),
        ("page: prefix deliv*", lambda: queries.run(page(q="deliv*"), rep)),
        ("page: rare word", lambda: queries.run(page(q=rare), rep)),
        ("page: hyphenated e-mail", lambda: queries.run(page(q="e-mail"), rep)),
        ("page: accent-folded cafe", lambda: queries.run(page(q="cafe"), rep)),
        ("page: account name", lambda: queries.run(page(q=account.name), rep)),
        ("page: CRM id", lambda: queries.run(page(q=account.crm_id), rep)),
        ("page: no match", lambda: queries.run(page(q="zzqqxx"), rep)),
        ("page: operators typed", lambda: queries.run(page(q='AND "late OR (NEAR*'), rep)),
        ("page: common word, page 5", lambda: queries.run(page(q="delivery"), rep, page=5)),
        (
            "page: word + kind/team/period",
            lambda: queries.run(
                page(q="delivery", kind="broken_promise", team=ids["team"], period="90d"), rep
            ),
        ),
        ("page: leader (internal notes)", lambda: queries.run(page(q="refund"), leader)),
        ("engine: search, 1 word", lambda: search.search("invoice", {"post": None, "fix": None})),
        ("engine: similar while typing", lambda: similar_posts(typed_title, typing=True)),
    ]
    rows = []
    for label, fn in cases:
        median, p95, result = _timed(fn, RUNS)
        total = getattr(getattr(result, "page", result), "total", None)
        rows.append((label, median, p95, total if total is not None else len(result or [])))
    return rows


def bench(name: str, url: str) -> None:
    app = create_app(
        config.TestingConfig,
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY=os.urandom(16).hex(),
        LOG_LEVEL="WARNING",
    )
    with app.app_context():
        migrations = str(ROOT / "migrations")
        downgrade(directory=migrations, revision="base")
        upgrade(directory=migrations)
        text = Text()
        start = time.perf_counter()
        ids = build(text)
        built = time.perf_counter() - start
        start = time.perf_counter()
        counts = search.rebuild(db.session.connection())
        db.session.commit()
        indexed = time.perf_counter() - start
        db.session.execute(sa.text("ANALYZE"))  # fresh statistics, as autovacuum would give
        db.session.commit()
        documents = sum(counts.values())
        print(f"\n== {name}: {POSTS:,} posts, {COMMENTS:,} comments, {FIXES:,} fixes")
        print(f"built in {built:.1f} s; indexed {documents:,} documents in {indexed:.1f} s")
        print(f"{'query':<34} {'median ms':>10} {'p95 ms':>8} {'results':>8}")
        for label, median, p95, total in measure(ids, text):
            print(f"{label:<34} {median:>10.1f} {p95:>8.1f} {total:>8,}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bench("SQLite (FTS5)", f"sqlite:///{folder}/bench.db")
    postgres = os.environ.get("SEARCH_BENCH_POSTGRES_URL")
    if postgres:
        bench("PostgreSQL (tsvector + GIN)", postgres)
    else:
        print("\n(set SEARCH_BENCH_POSTGRES_URL to a throwaway database to measure PostgreSQL)")


if __name__ == "__main__":
    main()
