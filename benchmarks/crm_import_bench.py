"""CRM import of a generated 200,000-row export: rows per second and peak memory.

    .venv/bin/python -m benchmarks.crm_import_bench            # SQLite in a temporary folder
    CRM_BENCH_POSTGRES_URL=postgresql+psycopg://user@host/throwaway_db \\
        .venv/bin/python -m benchmarks.crm_import_bench        # and PostgreSQL (emptied first!)

Options (environment): CRM_BENCH_ROWS (200000 opportunities; a quarter as many accounts);
CRM_BENCH_SQLITE=0 skips SQLite (PostgreSQL only); CRM_BENCH_TRACE=1 also measures the peak
memory Python allocated during each run (tracemalloc, which slows Python code about fourfold:
its rows/s are then not the import's).
It writes a Salesforce-style accounts and opportunities export to a temporary folder (one row
in fifty is bad: an unknown owner, a formula, a wrong date), imports it as ``flask import-crm``
does (a commit per batch of 500; the accounts file, then the opportunities file, as two runs),
imports both again (nothing changes), and prints for each run its rows/s (wall clock, and the
CPU seconds of this process, which on a shared machine say more) and its peak resident memory
(Linux: the high-water mark is reset before each run), then the process's peak RSS.
A measurement to read, not a test: nothing here passes or fails.
"""

import csv
import os
import resource
import tempfile
import time
import tracemalloc
from contextlib import nullcontext
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
TRACE = os.environ.get("CRM_BENCH_TRACE") == "1"
STATUS = Path("/proc/self/status")
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


def peak_rss(reset: bool = False) -> float | None:
    """This process's resident high-water mark in MiB (Linux), reset to now with ``reset``."""
    if not STATUS.exists():
        return None
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def timed_import(accounts: Path | None, deals: Path | None) -> tuple[Importer, str]:
    """One run of the import as ``flask import-crm`` does it, and what it took: wall-clock and
    CPU seconds (of this process: PostgreSQL's own work is not in them) and peak memory."""
    peak_rss(reset=True)
    if TRACE:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    importer = Importer()
    with (
        accounts.open("rb") if accounts else nullcontext() as a,
        deals.open("rb") if deals else nullcontext() as d,
    ):
        run(importer, a, d, names=(getattr(accounts, "name", ""), getattr(deals, "name", "")))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rows = sum(
        t.created + t.updated + t.unchanged + t.rejected for t in importer.summary.files.values()
    )
    took = (
        f"{rows / elapsed:,.0f} rows/s ({rows:,} rows in {elapsed:.1f} s); "
        f"{rows / cpu:,.0f} rows per CPU second ({cpu:.1f} s)"
    )
    rss = peak_rss()
    if rss is not None:
        took += f"; peak RSS {rss:.0f} MiB"
    if TRACE:
        took += f"; peak Python memory {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
        tracemalloc.stop()
    return importer, took


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
        print(f"\n== {name}: {ACCOUNTS:,} accounts and {ROWS:,} opportunities")
        for label in ("first import", "re-import (nothing changes)"):
            for kind, files in (("accounts", (accounts, None)), ("opportunities", (None, deals))):
                importer, took = timed_import(*files)
                print(f"{label}, {kind}: {took}")
                print(f"  {importer.summary.files[kind].as_dict()}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        accounts, deals = write_exports(Path(folder))
        size = (accounts.stat().st_size + deals.stat().st_size) / 2**20
        print(f"generated {size:.1f} MiB of CSV")
        if os.environ.get("CRM_BENCH_SQLITE", "1") == "1":
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
