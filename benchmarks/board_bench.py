"""Benchmark of the accountability board on a realistic SQLite database.

Builds a throwaway database (migrated like production) holding ~10 operations teams, 20,000
fixes with a history of 1,000,000 entries, ~45,000 reports and 3,000 accounts, then requests
the board's pages as a signed-in leader and prints, per page, the median and 95th-percentile
latency over N runs and the number of SQL statements of one request.

    .venv/bin/python -m benchmarks.board_bench            # full size, 20 runs per page
    .venv/bin/python -m benchmarks.board_bench --fixes 2000 --events 100000 --runs 5
    .venv/bin/python -m benchmarks.board_bench --keep /tmp/board.db   # keep the database

Everything is generated with a fixed seed; nothing outside the temporary folder is touched.
"""

import argparse
import json
import random
import re
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores instants in SQLite
SLA_DAYS = {"P1": 3, "P2": 10, "P3": 30, "P4": 90}
OPEN = {"open", "acknowledged", "in_progress", "blocked", "reopened"}
FILLER = ["assigned", "priority", "due_date", "escalated", "escalation_ack", "linked", "snoozed"]
PASSWORD = "bench-password"


def ts(moment: datetime) -> str:
    return moment.strftime(FMT)


def lifecycle(rng: random.Random, created: datetime, priority: str, now: datetime):
    """Status moves of one fix, as the workflow allows them, never past ``now``."""
    moves, t = [], created
    due = created + timedelta(days=SLA_DAYS[priority])
    state = dict(status="open", resolved=None, verified=None, closed=None, reopens=0, recur=0)

    def step(hours: float, to: str) -> bool:
        nonlocal t, due
        t = t + timedelta(hours=hours)
        if t > now:
            return False
        moves.append((t, state["status"], to))
        state["status"] = to
        if to == "resolved":
            state["resolved"] = t
        elif to == "verified":
            state["verified"] = state["closed"] = t
        elif to == "wont_fix":
            state["closed"] = t
        elif to == "reopened":
            state["reopens"] += 1
            state["recur"] += rng.random() < 0.3
            state["resolved"] = state["verified"] = state["closed"] = None
            due = t + timedelta(days=SLA_DAYS[priority])
        return True

    if rng.random() < 0.03:
        step(rng.uniform(1, 200), "wont_fix")
        return moves, state, due
    if not step(rng.uniform(0.5, 48), "acknowledged"):
        return moves, state, due
    for _ in range(3):  # at most two reopenings
        if not step(rng.uniform(1, 72), "in_progress"):
            return moves, state, due
        if rng.random() < 0.15 and not (
            step(rng.uniform(24, 200), "blocked") and step(rng.uniform(24, 300), "in_progress")
        ):
            return moves, state, due
        days = SLA_DAYS[priority] * rng.lognormvariate(-0.3, 0.7)
        if not step(days * 24, "resolved"):
            return moves, state, due
        if rng.random() < 0.12:
            if not step(rng.uniform(24, 24 * 30), "reopened"):
                return moves, state, due
            continue
        if rng.random() < 0.85:
            step(rng.uniform(2, 24 * 10), "verified")
        return moves, state, due
    return moves, state, due


def fill(path: Path, *, fixes: int, events: int, seed: int = 7) -> dict:
    """Bulk-load the database at ``path`` (already migrated); returns ids for the requests."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    start = now - timedelta(days=3 * 365)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    cur = con.cursor()
    created = ts(start)

    def team(name: str, kind: str) -> int:
        cur.execute(
            "INSERT INTO teams (name, name_key, kind, description, created_at) "
            "VALUES (?, ?, ?, '', ?)",
            (name, name.casefold(), kind, created),
        )
        return cur.lastrowid

    regions = [team(n, "sales") for n in ("North America", "EMEA", "APAC", "LATAM")]
    ops = [
        team(n, "operations")
        for n in (
            "Shipping & Logistics",
            "Billing",
            "Customer Support",
            "Product",
            "Implementation",
            "Procurement",
            "Field Service",
            "Returns",
            "Security Review",
            "Legal & Contracts",
        )
    ]
    from werkzeug.security import generate_password_hash

    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

    def user(email: str, name: str, role: str, team_id) -> int:
        cur.execute(
            "INSERT INTO users (email, display_name, role, team_id, active, password_hash, "
            "session_version, created_at) VALUES (?, ?, ?, ?, 1, ?, 1, ?)",
            (email, name, role, team_id, hashed, created),
        )
        return cur.lastrowid

    leader = user("leader@bench.test", "Bench Leader", "leader", None)
    reps = [user(f"rep{i}@bench.test", f"Rep {i}", "rep", rng.choice(regions)) for i in range(200)]
    region_of = {
        r: cur.execute("SELECT team_id FROM users WHERE id = ?", (r,)).fetchone()[0] for r in reps
    }
    ops_users = [
        user(f"ops{i}@bench.test", f"Ops {i}", "ops", ops[i % len(ops)]) for i in range(30)
    ]
    segments = ["enterprise", "mid_market", "smb", "public_sector", ""]
    cur.executemany(
        "INSERT INTO accounts (name, name_key, segment, region_id, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (f"Account {i}", f"account {i}", rng.choice(segments), rng.choice(regions), created)
            for i in range(3000)
        ],
    )
    accounts = [r[0] for r in cur.execute("SELECT id FROM accounts")]

    def terms(kind: str, names, branches=("",)) -> list[int]:
        cur.executemany(
            "INSERT INTO taxonomy_terms (kind, name, name_key, branch, active, created_at) "
            "VALUES (?, ?, ?, ?, 1, ?)",
            [(kind, n, n.casefold(), rng.choice(branches), created) for n in names],
        )
        return [r[0] for r in cur.execute("SELECT id FROM taxonomy_terms WHERE kind = ?", (kind,))]

    reasons = terms(
        "reason",
        [f"Reason {i}" for i in range(15)],
        ("product", "price", "relationship", "delivery", "other"),
    )
    competitors = terms("competitor", [f"Competitor {i}" for i in range(8)])
    causes = terms("root_cause", [f"Cause {i}" for i in range(8)])
    cur.executemany(
        "INSERT INTO commitments (team_id, title, promise, details, last_confirmed_at, active, "
        "created_at) VALUES (?, ?, ?, '', ?, 1, ?)",
        [
            (
                t,
                f"Commitment {i}",
                "We deliver.",
                ts(now - timedelta(days=rng.randint(0, 200))),
                created,
            )
            for i, t in enumerate(ops * 5)
        ],
    )

    # Fixes and their status moves.
    fix_rows, histories = [], []
    for i in range(fixes):
        born = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
        priority = rng.choices(["P1", "P2", "P3", "P4"], weights=[1, 3, 5, 2])[0]
        moves, state, due = lifecycle(rng, born, priority, now)
        fix_rows.append(
            (
                f"Fix {i}",
                "Generated for the benchmark.",
                rng.choice(ops),
                leader,
                priority,
                state["status"],
                ts(born + timedelta(hours=4)),
                ts(due),
                ts(moves[0][0]) if moves else None,
                ts(state["resolved"]) if state["resolved"] else None,
                ts(state["verified"]) if state["verified"] else None,
                ts(state["closed"]) if state["closed"] else None,
                ts(born),
                state["reopens"],
                state["recur"],
                rng.choice(causes) if state["resolved"] else None,
                ts(born),
            )
        )
        histories.append((born, moves))
    cur.executemany(
        "INSERT INTO fixes (title, problem, owner_team_id, created_by_id, priority, status, "
        "version, ack_due_at, due_at, acknowledged_at, resolved_at, verified_at, closed_at, "
        "updated_at, status_reason, resolution_note, prevention, reopen_count, "
        "recurrence_count, escalation_level, root_cause_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, '', '', '', ?, ?, 0, ?, ?)",
        fix_rows,
    )
    fix_ids = [r[0] for r in cur.execute("SELECT id FROM fixes ORDER BY id")]

    # The history: the status moves, padded with other entries up to ``events`` in all.
    status_total = sum(len(m) + 1 for _, m in histories)
    filler_total = max(events - status_total, 0)
    per_fix = [filler_total // fixes + (i < filler_total % fixes) for i in range(fixes)]
    batch = []
    written = 0
    for fix_id, (born, moves), extra in zip(fix_ids, histories, per_fix, strict=True):
        last = moves[-1][0] if moves else born
        end = max(last, min(now, born + timedelta(days=60)))
        entries = [(born, "created", "", "open")]
        entries += [(at, "status", frm, to) for at, frm, to in moves]
        span = (end - born).total_seconds()
        entries += [
            (born + timedelta(seconds=rng.uniform(0, span)), rng.choice(FILLER), "", "x")
            for _ in range(extra)
        ]
        entries.sort(key=lambda e: (e[0], e[1] != "created"))
        for seq, (at, kind, frm, to) in enumerate(entries, start=1):
            actor = rng.choice(ops_users) if kind != "created" else leader
            batch.append((fix_id, seq, ts(at), actor, kind, frm, to, "", "{}", seq, "", "0" * 64))
        if len(batch) > 50_000:
            written += _events(cur, batch)
            batch = []
    written += _events(cur, batch)

    # Reports: the ones behind the fixes, deals, unlinked broken promises, field feedback.
    posts = []
    for fix_id, (born, _moves) in zip(fix_ids, histories, strict=True):
        for _ in range(rng.choice([1, 1, 1, 2])):
            author = rng.choice(reps)
            kind = rng.choice(["broken_promise", "broken_promise", "field_feedback", "win_loss"])
            posts.append(
                _post(
                    rng,
                    kind,
                    "linked",
                    author,
                    region_of[author],
                    born - timedelta(hours=5),
                    accounts,
                    reasons,
                    competitors,
                    ops,
                    fix_id,
                )
            )
    for _ in range(12_000):
        author = rng.choice(reps)
        born = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
        kind = rng.choice(["win_loss", "win_loss", "broken_promise", "field_feedback"])
        status = rng.choice(["new", "noted", "noted", "declined", "needs_info", "duplicate"])
        posts.append(
            _post(
                rng,
                kind,
                status,
                author,
                region_of[author],
                born,
                accounts,
                reasons,
                competitors,
                ops,
                None,
            )
        )
    cur.executemany(
        "INSERT INTO posts (kind, status, status_reason, title, body, author_id, region_id, "
        "team_id, account_id, shielded, fix_id, updated_at, version, corroboration_count, "
        "total_at_risk, outcome, deal_value, currency, competitor_id, primary_reason_id, "
        "revenue_at_risk, created_at) VALUES (?, ?, '', ?, 'Generated.', ?, ?, ?, ?, ?, ?, ?, "
        "1, 0, 0, ?, ?, ?, ?, ?, ?, ?)",
        posts,
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return {
        "team": ops[0],
        "region": regions[1],
        "account": accounts[0],
        "rep": reps[0],
        "fixes": len(fix_ids),
        "events": written,
        "posts": len(posts),
    }


def _events(cur, batch) -> int:
    cur.executemany(
        "INSERT INTO fix_events (fix_id, seq, at, actor_id, kind, from_value, to_value, note, "
        "details, version_after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    return len(batch)


def _post(rng, kind, status, author, region, born, accounts, reasons, competitors, ops, fix_id):
    win_loss = kind == "win_loss"
    promise = kind == "broken_promise"
    return (
        kind,
        status,
        f"{kind.replace('_', ' ').capitalize()} report",
        author,
        region,
        rng.choice(ops) if promise or rng.random() < 0.3 else None,
        rng.choice(accounts) if promise or rng.random() < 0.7 else None,
        int(rng.random() < 0.15),
        fix_id,
        ts(born),
        rng.choice(["won", "lost", "lost", "no_decision", "open"]) if win_loss else None,
        rng.choice([5000, 20000, 75000, 250000]) if win_loss else None,
        rng.choice(["USD", "USD", "EUR", "GBP"]),
        rng.choice(competitors + [None]) if win_loss else None,
        rng.choice(reasons + [None]) if win_loss else None,
        rng.choice([1000, 10000, 50000]) if promise else None,
        ts(born),
    )


def measure(app, ids: dict, runs: int) -> list[tuple[str, float, float, int, int]]:
    """(page, median ms, p95 ms, statements, bytes) for each page."""
    import sqlalchemy as sa

    from forum.extensions import db

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": "leader@bench.test", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, "the benchmark leader could not sign in"
    pages = [
        ("board", "/board/"),
        ("board, region + segment", f"/board/?region={ids['region']}&segment=enterprise"),
        ("board, year", "/board/?period=year"),
        ("team scorecard", f"/board/teams/{ids['team']}"),
        ("win/loss, year", "/board/win-loss?period=year"),
        ("period review, quarter", "/board/review?period=quarter"),
        ("overdue fixes list", "/board/fixes?list=overdue"),
        ("promise ledger", f"/board/accounts/{ids['account']}"),
        ("rep track record", f"/board/reps/{ids['rep']}"),
        ("fix history CSV, quarter", "/board/export/history.csv"),
    ]
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    results = []
    for name, url in pages:
        client.get(url)  # warm the caches once
        timings = []
        for _ in range(runs):
            statements.clear()
            sa.event.listen(engine, "before_cursor_execute", count)
            began = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            timings.append((time.perf_counter() - began) * 1000)
            sa.event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        results.append((name, statistics.median(timings), p95, len(statements), len(body)))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixes", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    import logging

    from flask_migrate import upgrade

    import config
    from forum import create_app

    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "board.db"
        if path.exists():
            path.unlink()
        settings = dict(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
            SECRET_KEY=secrets.token_hex(16),
            INSTANCE_DIR=Path(folder),
            MAIL_DIR=Path(folder) / "mail",
            UPLOAD_DIR=Path(folder) / "uploads",
            LOG_LEVEL="WARNING",
        )
        app = create_app(config.TestingConfig, **settings)
        began = time.perf_counter()
        logging.disable(logging.INFO)  # the migrations' progress lines
        with app.app_context():
            upgrade()
        logging.disable(logging.NOTSET)
        ids = fill(path, fixes=args.fixes, events=args.events)
        loaded = time.perf_counter() - began
        results = measure(app, ids, args.runs)
    if args.json:
        print(json.dumps({"data": ids, "results": results}, indent=2))
        return 0
    print(
        f"SQLite {sqlite3.sqlite_version}: {ids['fixes']:,} fixes, {ids['events']:,} history "
        f"entries, {ids['posts']:,} reports; built in {loaded:.1f} s; {args.runs} runs per page."
    )
    print(f"{'page':<28} {'median ms':>10} {'p95 ms':>10} {'statements':>11} {'bytes':>10}")
    for name, median, p95, count, size in results:
        print(f"{name:<28} {median:>10.1f} {p95:>10.1f} {count:>11} {size:>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
