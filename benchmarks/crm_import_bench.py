"""CRM import of a generated 200,000-row export: rows per second and peak memory.

    .venv/bin/python -m benchmarks.crm_import_bench            # SQLite in a temporary folder
    CRM_BENCH_POSTGRES_URL=postgresql+psycopg://user@host/throwaway_db \\
        .venv/bin/python -m benchmarks.crm_import_bench        # and PostgreSQL (emptied first!)

Options (environment): CRM_BENCH_ROWS (200000 opportunities; a quarter as many accounts).
It writes a Salesforce-style accounts and opportunities export to a temporary folder (one row
in fifty is bad: an unknown owner, a formula, a wrong date), imports it as ``flask import-crm``
does (a commit per batch of 500), imports it again (nothing changes), and prints rows/s and the
peak memory Python allocated during each run (tracemalloc) and the process's peak RSS.
A measurement to read, not a test: nothing here passes or fails.
"""

import csv
import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from flask_migrate import downgrade, upgrade

import config
from forum import create_app
from forum.auth.models import Role, Team, TeamKind, User
from forum.crm.commands import run
from forum.crm.services import Importer
from forum.extensions import db

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("CRM_BENCH_ROWS", "200000"))
ACCOUNTS = max(1, ROWS // 4)
REGIONS = ["North America", "EMEA", "APAC", "LATAM"]
STAGES = ["Closed Won", "Closed Lost", "Negotiation/Review", "Prospecting", "Closed Lost"]


def write_exports(folder: Path) -> tuple[Path, Path]:
    accounts, deals = folder / "accounts.csv", folder / "opportunities.csv"
    with accounts.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "Account ID",
                "Account Name",
                "Segment",
                "Sales Region",
                "Annual Revenue",
                "Account Currency",
                "Account Owner Email",
            ]
        )
        for i in range(ACCOUNTS):
            w.writerow(
                [
                    f"001B{i:08d}",
                    f"Customer {i} Holdings",
                    "Enterprise",
                    REGIONS[i % 4],
                    f"{(i % 90 + 10) * 10_000:,}.00",
                    "USD",
                    f"rep{i % 40}@bench.example",
                ]
            )
    with deals.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "Opportunity ID",
                "Opportunity Name",
                "Account ID",
                "Opportunity Owner Email",
                "Amount",
                "Opportunity Currency",
                "Stage",
                "Close Date",
                "Primary Competitor",
                "Loss Reason",
            ]
        )
        for i in range(ROWS):
            owner = f"rep{i % 40}@bench.example" if i % 50 else "nobody@bench.example"
            name = f"Deal {i}" if i % 50 != 25 else '=HYPERLINK("x")'
            close = f"{i % 12 + 1}/{i % 28 + 1}/2025" if i % 50 != 10 else "31st of never"
            w.writerow(
                [
                    f"006B{i:08d}",
                    name,
                    f"001B{i % ACCOUNTS:08d}",
                    owner,
                    f"${(i % 500 + 1) * 1000:,}",
                    "USD",
                    STAGES[i % 5],
                    close,
                    ["Globex Suite", "Rival Co", ""][i % 3],
                    ["Price too high", ""][i % 2],
                ]
            )
    return accounts, deals


def timed_import(accounts: Path, deals: Path) -> tuple[Importer, float, int]:
    tracemalloc.start()
    start = time.perf_counter()
    importer = Importer()
    with accounts.open("rb") as a, deals.open("rb") as d:
        run(importer, a, d, names=(accounts.name, deals.name))
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return importer, elapsed, peak


def bench(name: str, url: str, accounts: Path, deals: Path) -> None:
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
        teams = {r: Team(name=r, name_key=r.casefold(), kind=TeamKind.SALES) for r in REGIONS}
        db.session.add_all(teams.values())
        for i in range(40):
            db.session.add(
                User(
                    email=f"rep{i}@bench.example",
                    display_name=f"Rep {i}",
                    role=Role.REP,
                    team=teams[REGIONS[i % 4]],
                    active=True,
                )
            )
        db.session.commit()
        total = ACCOUNTS + ROWS
        print(f"\n== {name}: {ACCOUNTS:,} accounts and {ROWS:,} opportunities")
        for label in ("first import", "second import (nothing changes)"):
            importer, elapsed, peak = timed_import(accounts, deals)
            files = importer.summary.files
            print(
                f"{label}: {total / elapsed:,.0f} rows/s ({elapsed:.1f} s), "
                f"peak Python memory {peak / 2**20:.1f} MiB"
            )
            for kind, t in files.items():
                print(f"  {kind}: {t.as_dict()}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        accounts, deals = write_exports(Path(folder))
        size = (accounts.stat().st_size + deals.stat().st_size) / 2**20
        print(f"generated {size:.1f} MiB of CSV")
        bench("SQLite", f"sqlite:///{folder}/bench.db", accounts, deals)
        postgres = os.environ.get("CRM_BENCH_POSTGRES_URL")
        if postgres:
            bench("PostgreSQL", postgres, accounts, deals)
        else:
            print("\n(set CRM_BENCH_POSTGRES_URL to a throwaway database to measure PostgreSQL)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
