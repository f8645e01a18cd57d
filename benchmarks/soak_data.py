"""The soak's data: the demo organisation, plus one huge report and one huge fix.

Run in the soak's environment (DATABASE_URL, INSTANCE_PATH, ... of the server it will load):

    .venv/bin/python -m benchmarks.soak_data --comments 1000 --entries 1000

It migrates the database, seeds the demo, then gives the demo's first broken-promise report
``--comments`` comments (Markdown with lists, links, code and tables, every tenth an internal
note) and the demo's first fix ``--entries`` more history entries (priority changes back and
forth), both with bulk inserts. The entries continue the fix's hash chain through the app's own
``forum.fixes.history.compute_hash`` and the fix's version follows them, so
``flask history verify`` passes; the chain is checked before the command ends. It prints the
ids as JSON (``{"post": 12, "fix": 3, ...}``). Nothing is random: the same run builds the same rows.
"""

import argparse
import json
import sys
from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from forum import create_app
from forum.auth.models import User
from forum.core.time import as_utc, utcnow
from forum.demo import seed
from forum.extensions import db
from forum.feedback.models import Comment, Post, PostKind
from forum.fixes import history
from forum.fixes.models import EventKind, Fix, FixEvent

PASSWORD = "soak-password"
LEADER = "leader@example.com"

BODIES = [
    "Customer called again about **{n}**: the pallets are still in Rotterdam.\n\n"
    "- promised: 5 working days\n- actual: {n} days and counting\n- next step: escalate",
    "Same story at a second site. See [the shipping notice](https://example.com/notice/{n}) "
    "and the thread below.\n\n> We were told the carrier had capacity.",
    "Numbers for the review:\n\n| week | late | on time |\n|---|---:|---:|\n"
    "| {n} | 4 | 17 |\n| {m} | 6 | 12 |",
    "Workaround we used: `split the order` into two shipments, *each under 2 t*.\n\n"
    "```\norder {n}: 1.8 t\norder {m}: 1.6 t\n```",
    "Spoke with the buyer (<mailto:buyer@example.com>); they will wait one more week, "
    "not two. Ticket #{n} ~~closed~~ reopened.",
]


def build(comments: int, entries: int) -> dict:
    """Seed and grow the two pages; commits."""
    upgrade()
    seed(PASSWORD)
    db.session.commit()
    people = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
    post = db.session.scalar(
        sa.select(Post).where(Post.kind == PostKind.BROKEN_PROMISE).order_by(Post.id).limit(1)
    )
    fix = db.session.scalar(sa.select(Fix).order_by(Fix.id).limit(1))
    _comments(post, people, comments)
    _entries(fix, people, entries)
    db.session.commit()
    report = history.verify_fix(fix.id)
    if not report.intact:
        raise SystemExit(f"the huge fix's chain is broken: {report.problem}")
    return {"post": post.id, "fix": fix.id, "comments": comments, "entries": report.entries}


def _comments(post: Post, people: list[int], count: int) -> None:
    start = as_utc(post.created_at)
    step = (utcnow() - timedelta(minutes=5) - start) / max(count, 1)
    rows = [
        {
            "post_id": post.id,
            "author_id": people[n % len(people)],
            "body": BODIES[n % len(BODIES)].format(n=n, m=n + 1),
            "internal": n % 10 == 9,
            "created_at": start + step * (n + 1),
        }
        for n in range(count)
    ]
    if rows:
        db.session.execute(sa.insert(Comment), rows)


def _entries(fix: Fix, people: list[int], count: int) -> None:
    """``count`` priority changes after the fix's last entry, each linked to the one before."""
    last = db.session.scalars(
        sa.select(FixEvent).where(FixEvent.fix_id == fix.id).order_by(FixEvent.seq.desc())
    ).first()
    seq, prev_hash, start = last.seq, last.hash, as_utc(last.at)
    step = (utcnow() - timedelta(minutes=5) - start) / max(count, 1)
    here = str(fix.priority)
    there = "P2" if here != "P2" else "P3"
    count -= count % 2  # back where it started: the fix's priority stays true
    version = fix.version
    rows = []
    for n in range(count):
        seq += 1
        version += 1
        row = {
            "fix_id": fix.id,
            "seq": seq,
            "at": start + step * (n + 1),
            "actor_id": people[n % len(people)],
            "kind": str(EventKind.PRIORITY),
            "from_value": here if n % 2 == 0 else there,
            "to_value": there if n % 2 == 0 else here,
            "note": f"Re-prioritised after review {n}: the customer's week changed.",
            "details": {},
            "version_after": version,
            "prev_hash": prev_hash,
        }
        row["hash"] = history.compute_hash(
            row["fix_id"],
            row["seq"],
            row["at"],
            row["actor_id"],
            row["kind"],
            row["from_value"],
            row["to_value"],
            row["note"],
            row["details"],
            row["version_after"],
            row["prev_hash"],
        )
        prev_hash = row["hash"]
        rows.append(row)
    if rows:
        db.session.execute(sa.insert(FixEvent), rows)
        db.session.execute(sa.update(Fix).where(Fix.id == fix.id).values(version=version))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=1000)
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        ids = build(args.comments, args.entries)
    print(json.dumps(ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
