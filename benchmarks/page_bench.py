"""Single-client latency and SQL statements of every page a rep, ops person or leader opens.

Builds a throwaway database (migrated like production) with the query-budget world of
``tests/core/budget_world.py`` grown ``--rounds`` times through the real services (each round:
reports alike enough to be flagged, comments on one long thread, history entries on one long
fix, fixes in every status, accounts, teams and people), then requests each page with the
Flask test client as its user and prints the median latency over ``--runs`` requests, the
statements of one request and the page's size. Figures, not tests: the machine may be shared.

    .venv/bin/python -m benchmarks.page_bench                  # 120 rounds: ~3,000 reports
    .venv/bin/python -m benchmarks.page_bench --rounds 10 --runs 5
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/scratch \\
        .venv/bin/python -m benchmarks.page_bench               # on PostgreSQL (emptied first)
"""

import argparse
import logging
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

import config
from forum import create_app
from forum.extensions import db
from tests import factories
from tests.core import budget_world


def sign_in(app, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, f"{email} could not sign in"
    return client


def measure(app, world, runs: int):
    """(role, page, median ms, statements, bytes, status) for each page."""
    clients = {role: sign_in(app, who.email) for role, who in world.people.items()}
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    @sa.event.listens_for(engine, "handle_error")
    def failed(context):  # a page answering 503 says only "unavailable": say why here
        print(f"  database error: {context.original_exception}"[:300], file=sys.stderr)

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    results = []
    for role, page in budget_world.PAGES:
        client = clients[role]
        if page == "feed:last":
            url = budget_world.last_feed_page(client)
        else:
            url = page.format(**world.ids)
        client.get(url)  # warm up (and remember the list's filters)
        timings = []
        for _ in range(runs):
            statements.clear()
            sa.event.listen(engine, "before_cursor_execute", count)
            began = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            timings.append((time.perf_counter() - began) * 1000)
            sa.event.remove(engine, "before_cursor_execute", count)
        median = statistics.median(timings)
        results.append((role, page, median, len(statements), len(body), response.status_code))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=120)
    parser.add_argument("--reports", type=int, default=25, help="reports per round")
    parser.add_argument("--comments", type=int, default=10, help="comments per round")
    parser.add_argument("--moves", type=int, default=5, help="blocked/in-progress pairs a round")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'pages.db'}"
        settings = dict(
            SQLALCHEMY_DATABASE_URI=url,
            SECRET_KEY=secrets.token_hex(16),
            INSTANCE_DIR=Path(folder),
            MAIL_DIR=Path(folder) / "mail",
            UPLOAD_DIR=Path(folder) / "uploads",
            LOG_LEVEL="WARNING",
        )
        app = create_app(config.TestingConfig, **settings)
        logging.disable(logging.INFO)  # the migrations' progress lines
        with app.app_context():
            if not url.startswith("sqlite"):
                downgrade(revision="base")
            upgrade()
        logging.disable(logging.NOTSET)
        began = time.perf_counter()
        with app.app_context():
            world = budget_world.seed()
            for r in range(args.rounds):
                budget_world.grow(
                    world, r, reports=args.reports, comments=args.comments, moves=args.moves
                )
                if r % 10 == 9:
                    db.session.commit()
                    print(f"  round {r + 1}/{args.rounds}", file=sys.stderr)
            db.session.commit()
            sizes = {
                name: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
                for name in ("posts", "comments", "fixes", "fix_events", "notifications")
            }
        built = time.perf_counter() - began
        results = measure(app, world, args.runs)
    print(
        f"{url.split(':')[0]}: "
        + ", ".join(f"{n:,} {name}" for name, n in sizes.items())
        + f"; built in {built:.0f} s; {args.runs} runs per page (machine shared: noisy)"
    )
    print(f"{'who':<7} {'page':<40} {'p50 ms':>8} {'statements':>11} {'bytes':>9} status")
    for role, page, median, count, size, status in results:
        print(f"{role:<7} {page:<40} {median:>8.1f} {count:>11} {size:>9,} {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
