"""The write mix: 8 people at once filing reports, corroborating, commenting and moving fixes,
each through the forms as a browser sends them (CSRF token, submission key, fix version)."""

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from benchmarks.http.pages import overrides
from forum import create_app
from forum.auth.models import Role, User
from forum.extensions import db
from forum.feedback.models import Corroboration, Post, PostStatus
from forum.fixes.models import Fix, FixStatus
from tests.faults.clients import Browser

REPS, OPS = 6, 2  # 8 clients


@dataclass
class WriteMix:
    seconds: float = 0.0
    writes: Counter = field(default_factory=Counter)  # action -> accepted writes
    errors: Counter = field(default_factory=Counter)  # "action status" -> count
    latencies: list[float] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.writes.values())

    @property
    def per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        ordered = sorted(self.latencies)
        p = (lambda q: round(ordered[int(q * (len(ordered) - 1))] * 1000, 1)) if ordered else None
        return {
            "clients": REPS + OPS,
            "seconds": round(self.seconds, 1),
            "writes": dict(self.writes),
            "writes_per_second": round(self.per_second, 1),
            "errors": dict(self.errors),
            "p50_ms": p(0.5) if p else None,
            "p99_ms": p(0.99) if p else None,
        }


def _people(database_url: str):
    app = create_app(**overrides(database_url))
    with app.app_context():
        rep_rows = db.session.execute(
            sa.select(User.email, User.id)
            .where(User.role == Role.REP)
            .order_by(User.id)
            .limit(REPS)
        ).all()
        # What each rep may say "me too" on: not their own, not a merged duplicate, not already
        # corroborated by them (the app refuses those with 403, 400 and 409, rightly).
        reps = {}
        for email, user_id in rep_rows:
            reps[email] = db.session.scalars(
                sa.select(Post.id)
                .where(
                    Post.author_id != user_id,
                    Post.status != PostStatus.DUPLICATE,
                    ~sa.exists().where(
                        Corroboration.post_id == Post.id, Corroboration.user_id == user_id
                    ),
                )
                .order_by(Post.id.desc())
                .limit(5000)
            ).all()
        ops = db.session.execute(
            sa.select(User.email, User.team_id)
            .where(User.role == Role.OPS)
            .order_by(User.id)
            .limit(OPS)
        ).all()
        moving = {}
        for i, (email, team) in enumerate(ops):
            moving[email] = db.session.scalars(
                sa.select(Fix.id)
                .where(
                    Fix.owner_team_id == team,
                    Fix.status.in_([FixStatus.IN_PROGRESS, FixStatus.BLOCKED]),
                    Fix.id % OPS == i,
                )
                .order_by(Fix.id.desc())
                .limit(5)
            ).all()
        posts = db.session.scalar(
            sa.select(sa.func.max(sa.text("id"))).select_from(sa.table("posts"))
        )
    return reps, moving, posts


def run(base_url: str, database_url: str, password: str, seconds: float) -> WriteMix:
    """Run the mix against ``base_url`` for ``seconds``; the figures of every client."""
    reps, moving, posts = _people(database_url)
    mix = WriteMix()
    lock = threading.Lock()
    signed_in = {}
    for email in [*reps, *moving]:  # before the clock starts
        browser = Browser(base_url)
        try:
            browser.sign_in(email, password)
            browser.get("/posts/")  # a page with a CSRF token
        except (OSError, AssertionError) as exc:
            mix.errors[f"sign-in {type(exc).__name__}"] += 1
            moving.pop(email, None)
            continue
        signed_in[email] = browser
    reps = {e: ids for e, ids in reps.items() if e in signed_in}
    stop = 0.0

    def record(action: str, page, started: float) -> None:
        with lock:
            mix.latencies.append(time.monotonic() - started)
            if page.status in (200, 302, 303):
                mix.writes[action] += 1
            else:
                mix.errors[f"{action} {page.status}"] += 1

    def rep(email: str, n: int) -> None:
        rng = random.Random(n)
        browser = signed_in[email]
        may_corroborate = list(reps[email])
        rng.shuffle(may_corroborate)
        i = 0
        while time.monotonic() < stop:
            i += 1
            action = ("file", "corroborate", "comment", "comment")[i % 4]
            if action == "corroborate" and not may_corroborate:
                action = "comment"
            started = time.monotonic()
            try:
                if action == "file":
                    page = browser.file_report(f"Bench write {n}-{i}: pallets late again")
                elif action == "corroborate":
                    page = browser.post(
                        f"/posts/{may_corroborate.pop()}/corroborate", {"note": "Same here."}
                    )
                else:
                    page = browser.post(
                        f"/posts/{rng.randint(1, posts)}/comments", {"body": f"Seen again ({i})."}
                    )
            except OSError as exc:
                with lock:
                    mix.errors[f"{action} {type(exc).__name__}"] += 1
                continue
            record(action, page, started)

    def ops(email: str, fixes: list[int]) -> None:
        browser = signed_in[email]
        i = 0
        while fixes and time.monotonic() < stop:
            fix_id = fixes[i % len(fixes)]
            i += 1
            to = "in_progress" if statuses[fix_id] == "blocked" else "blocked"
            fields = {"to": to, "version": versions[fix_id], "note": "Waiting on the carrier."}
            started = time.monotonic()
            try:
                page = browser.post(f"/fixes/{fix_id}/status", fields)
            except OSError as exc:
                with lock:
                    mix.errors[f"move {type(exc).__name__}"] += 1
                continue
            record("move", page, started)
            if page.status in (302, 303):
                versions[fix_id] += 1
                statuses[fix_id] = to

    versions, statuses = {}, {}
    for email, fixes in moving.items():  # each fix's version and status, read as its page shows
        for fix_id in list(fixes):
            try:
                page = signed_in[email].get(f"/fixes/{fix_id}")
            except OSError:
                fixes.remove(fix_id)
                continue
            versions[fix_id] = int(page.hidden.get("version", "0"))
            statuses[fix_id] = "blocked" if "move-in_progress" in page.text else "in_progress"
    threads = [threading.Thread(target=rep, args=(e, n)) for n, e in enumerate(reps)]
    threads += [threading.Thread(target=ops, args=(e, f)) for e, f in moving.items()]
    began = time.monotonic()
    stop = began + seconds
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    mix.seconds = time.monotonic() - began
    return mix
