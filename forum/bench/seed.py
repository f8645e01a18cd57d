"""``flask seed-bench``: write the benchmark organisation in bulk, then build the search index.

Rows are planned in memory (``people``, ``reports``, ``fixes``) from one seeded random
generator, so a scale always gives the same world (dates are relative to today), and written
with Core ``INSERT``s of a few thousand rows each. The database must be empty.
"""

import random
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import click
import sqlalchemy as sa

from forum.accounts.models import Account
from forum.auth.models import Team, User
from forum.auth.services import hash_password
from forum.bench import fixes as fix_plan
from forum.bench import reports, texts
from forum.bench.people import plan_people
from forum.bench.scales import SCALES
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import (
    Comment,
    Corroboration,
    Follow,
    Post,
    PostEvent,
    PostStatus,
    post_tags,
)
from forum.fixes.models import Fix, FixComment, FixEvent
from forum.search import rebuild
from forum.taxonomy.models import Tag, TaxonomyTerm

SEED = 20_261_204
BATCH = 5_000
# Tables whose ids the seed chooses: PostgreSQL's sequences are moved past them afterwards.
WITH_IDS = [Team, User, Account, TaxonomyTerm, Tag, Fix, Post]


class NotEmpty(RuntimeError):
    """The database holds users already: the benchmark organisation needs an empty one."""


def _batches(rows: Iterable[dict], size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed_bench(scale_name: str, password: str, echo: Callable[[str], None] = click.echo) -> dict:
    """Write the organisation of ``scale_name`` into the empty database and index it.

    Commits as it goes (the tables are large); returns the row count of every table written
    and the timings."""
    scale = SCALES[scale_name]
    connection = db.session.connection()
    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        raise NotEmpty("users exist already; seed-bench needs an empty database")
    rng = random.Random(f"{SEED}-{scale.name}")  # noqa: S311  # nosec B311  # reproducible on purpose
    started = time.monotonic()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    people = plan_people(rng, scale, hash_password(password), now)
    posts = reports.plan_reports(rng, scale, people, now)
    fixes, history = fix_plan.plan_fixes(rng, scale, posts, people, now)
    events = list(reports.post_events(rng, posts, people, now))
    events += [_linked_event(p, fixes) for p in posts if p["fix_id"]]
    corroborations = list(reports.corroborations(rng, scale, posts, people, now))
    comment_rows = reports.comments(rng, scale, posts, people, now)
    planned = time.monotonic() - started
    echo(f"Planned {scale.name}: {len(posts)} reports, {len(fixes)} fixes in {planned:.1f}s.")

    teams = [{**t, "lead_id": None, "sponsor_id": None} for t in people.teams]
    for fix in fixes:
        fix.pop("_seq"), fix.pop("_hash")
    tables: list[tuple[sa.Table, Iterable[dict], int]] = [
        (Team.__table__, teams, len(teams)),
        (User.__table__, people.users, len(people.users)),
        (Account.__table__, people.accounts, len(people.accounts)),
        (TaxonomyTerm.__table__, people.terms, len(people.terms)),
        (Tag.__table__, people.tags, len(people.tags)),
        (Fix.__table__, fixes, len(fixes)),
        (Post.__table__, posts, len(posts)),
        (FixEvent.__table__, history, len(history)),
        (PostEvent.__table__, events, len(events)),
        (Corroboration.__table__, corroborations, len(corroborations)),
        (Comment.__table__, comment_rows, scale.comments),
        (post_tags, _tags(rng, posts, len(people.tags)), len(posts)),
        (Follow.__table__, _follows(posts), len(posts)),
        (FixComment.__table__, _fix_comments(rng, scale, fixes, people, now), scale.fix_comments),
    ]
    counts: dict[str, int] = {}
    writing = time.monotonic()
    with click.progressbar(length=sum(n for *_, n in tables), label="Writing rows") as bar:
        for table, rows, _ in tables:
            counts[table.name] = 0
            for batch in _batches(rows):
                connection.execute(table.insert(), batch)
                counts[table.name] += len(batch)
                bar.update(len(batch))
    for t in people.teams:
        if t["lead_id"]:
            connection.execute(
                sa.update(Team.__table__)
                .where(Team.__table__.c.id == t["id"])
                .values(lead_id=t["lead_id"], sponsor_id=t["sponsor_id"])
            )
    if connection.dialect.name == "postgresql":
        for model in WITH_IDS:
            table = model.__table__
            highest = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 1)).scalar_subquery()
            sequence = sa.func.pg_get_serial_sequence(table.name, "id")
            connection.execute(sa.select(sa.func.setval(sequence, highest)))
    db.session.commit()
    written = time.monotonic() - writing
    rows = sum(counts.values())
    echo(f"Wrote {rows} rows in {written:.1f}s ({rows / written:,.0f} rows/s).")

    indexing = time.monotonic()
    indexed = rebuild(db.session.connection())
    db.session.commit()
    took = time.monotonic() - indexing
    documents = sum(indexed.values())
    echo(f"Indexed {documents} documents in {took:.1f}s ({documents / took:,.0f} documents/s).")
    total = time.monotonic() - started
    echo(f"Benchmark organisation {scale.name} ready in {total:.1f}s.")
    return {
        "rows": counts,
        "documents": indexed,
        "seconds": {"plan": planned, "write": written, "index": took, "total": total},
    }


def _linked_event(post: dict, fixes: list[dict]) -> dict:
    fix = fixes[post["fix_id"] - 1]
    return {
        "post_id": post["id"],
        "at": post["triaged_at"],
        "actor_id": fix["created_by_id"],
        "from_status": PostStatus.NEW.value,
        "to_status": PostStatus.LINKED.value,
        "note": f"Linked to fix #{fix['id']}",
        "details": {"fix_id": fix["id"]},
    }


def _tags(rng: random.Random, posts: list[dict], tags: int):
    for post in posts:
        for tag in rng.sample(range(1, tags + 1), rng.choice((0, 1, 1, 2, 2, 3))):
            yield {"post_id": post["id"], "tag_id": tag}


def _follows(posts: list[dict]):
    for post in posts:
        yield {
            "user_id": post["author_id"],
            "post_id": post["id"],
            "created_at": post["created_at"],
        }


def _fix_comments(rng: random.Random, scale, fixes: list[dict], people, now: datetime):
    for _ in range(scale.fix_comments):
        fix = rng.choice(fixes)
        members = people.ops_by_team[fix["owner_team_id"]] or people.leaders
        at = fix["created_at"] + (now - fix["created_at"]) * rng.random()
        yield {
            "fix_id": fix["id"],
            "author_id": rng.choice(members),
            "body": texts.comment(rng, "the account", internal=False),
            "created_at": min(at, now - timedelta(minutes=1)),
        }
