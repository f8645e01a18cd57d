"""The benchmark's database: built once per scale with ``seed-bench`` and reused after.

SQLite: ``bench/bench-<scale>.db``. PostgreSQL (``DATABASE_URL``): an empty database is
migrated and seeded; one seeded earlier at the same scale (``bench/<name>.scale`` says so) is
reused; anything else is refused unless ``BENCH_RESEED=1``, which downgrades it to nothing first.
"""

import hashlib
import os
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from benchmarks.http.pages import overrides
from forum import create_app
from forum.bench.seed import seed_bench
from forum.extensions import db


def dialect(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def database(url: str, scale: str, folder: Path, password: str) -> str:
    """The URL of a database holding the organisation of ``scale`` (built if needed)."""
    if not url:
        path = folder / f"bench-{scale}.db"
        url = f"sqlite:///{path}"
        marker = folder / f"bench-{scale}.db.scale"
        if path.exists() and not (marker.exists() and marker.read_text() == scale):
            path.unlink()  # a half-built file: build it again
    else:
        name = hashlib.sha1(url.encode()).hexdigest()[:12]  # noqa: S324  # a file name
        marker = folder / f"pg-{name}.scale"
    if marker.exists() and marker.read_text() == scale and not os.environ.get("BENCH_RESEED"):
        return url
    app = create_app(**overrides(url))
    with app.app_context():
        users = _users(url)
        if users and not os.environ.get("BENCH_RESEED"):
            raise SystemExit(
                f"{_safe(url)} holds {users} users but no benchmark organisation of scale "
                f"{scale}: give an empty database, or BENCH_RESEED=1 to empty this one."
            )
        if users:
            downgrade(revision="base")
        upgrade()
        print(f"Seeding scale {scale} into {_safe(url)} (once; reused afterwards)...", flush=True)
        seed_bench(scale, password)
        db.session.remove()
    marker.write_text(scale)
    return url


def _users(url: str) -> int:
    engine = db.engine
    if not sa.inspect(engine).has_table("users"):
        return 0
    with engine.connect() as c:
        return c.execute(sa.text("SELECT count(*) FROM users")).scalar()


def _safe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)
