"""One run at a time of a scheduled command, across every machine: a row in ``job_locks``.

Cron may start ``flask escalate`` or ``flask digest`` on several app servers at once (each has
the same crontab); ``single_run(name)`` lets the first take the lock and the others say so and
do nothing. A run that dies leaves its row behind: it expires after ``ttl`` and the next run
takes it over.
"""

import os
import secrets
import socket
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.time import utcnow
from forum.extensions import db


class JobLock(db.Model):
    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    taken_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class JobBusy(Exception):
    """Another run holds the lock."""

    def __init__(self, lock: JobLock):
        super().__init__(f"{lock.name} is running on {lock.holder} since {lock.taken_at:%H:%M} UTC")
        self.lock = lock


def _insert_ignore(values: dict):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(JobLock).values(**values).on_conflict_do_nothing()


def acquire(name: str, ttl: timedelta, now: datetime | None = None) -> str:
    """Take the lock ``name`` and commit; returns the holder's token. Raises ``JobBusy``."""
    now = now or utcnow()
    holder = f"{socket.gethostname()} pid {os.getpid()} ({secrets.token_hex(4)})"
    values = dict(name=name, holder=holder, taken_at=now, expires_at=now + ttl)
    taken = db.session.execute(_insert_ignore(values).returning(JobLock.name)).scalar()
    if taken is None:  # held: take it over only if it expired
        result = db.session.execute(
            sa.update(JobLock)
            .where(JobLock.name == name, JobLock.expires_at < now)
            .values(holder=holder, taken_at=now, expires_at=now + ttl)
        )
        if result.rowcount != 1:
            lock = db.session.get(JobLock, name, populate_existing=True)
            db.session.rollback()
            raise JobBusy(lock)
    db.session.commit()  # seen by every other machine from now on
    return holder


def release(name: str, holder: str) -> None:
    db.session.execute(sa.delete(JobLock).where(JobLock.name == name, JobLock.holder == holder))
    db.session.commit()


@contextmanager
def single_run(name: str, ttl: timedelta = timedelta(hours=1)):
    """``with single_run("escalate"):`` — the body runs here only if no other run does."""
    holder = acquire(name, ttl)
    try:
        yield
    finally:
        db.session.rollback()  # whatever the body left uncommitted, the lock goes
        release(name, holder)
