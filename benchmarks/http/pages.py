"""The pages the HTTP benchmark loads, found in the database, and what one request to each
costs in SQL statements and bytes (counted in-process with Flask's test client)."""

import html
import re
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from benchmarks.serverenv import LIFTED_LIMITS, secret_key
from forum import create_app
from forum.auth.models import User
from forum.bench.texts import COMMON_WORD, RARE_WORD
from forum.extensions import db
from forum.feedback.models import Comment, Post
from forum.fixes.models import FixEvent

# Budget groups (issue 12): the least share of the ceiling's req/s each group's pages reach.
FEED, REP, TRIAGE, LEADER = "feed", "rep", "triage", "leader"


@dataclass
class Page:
    key: str
    label: str
    path: str
    who: str  # leader, rep or ops: whom the page is loaded as
    group: str
    statements: int | None = None
    html_kb: float | None = None
    status: int | None = None


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEXT = re.compile(r'href="([^"]*[?&]after=[^"]+)"')
SIGN_IN = {"leader": "leader@example.com", "rep": "rep@example.com", "ops": "ops@example.com"}


def _one(statement):
    return db.session.execute(statement).first()


def find_pages(database_url: str, password: str) -> list[Page]:
    """Every page of the benchmark, with ids picked from the data; counts their statements."""
    app = create_app(**overrides(database_url))
    with app.app_context():
        thread = (
            sa.select(Comment.post_id, sa.func.count().label("n"))
            .group_by(Comment.post_id)
            .subquery()
        )
        typical_report = _one(
            sa.select(thread.c.post_id)
            .join(Post, Post.id == thread.c.post_id)
            .where(thread.c.n == 3, Post.shielded.is_(False))
            .order_by(thread.c.post_id.desc())
            .limit(1)
        )[0]
        longest_report, comments = _one(
            sa.select(thread.c.post_id, thread.c.n).order_by(thread.c.n.desc()).limit(1)
        )
        history = (
            sa.select(FixEvent.fix_id, sa.func.count().label("n"))
            .group_by(FixEvent.fix_id)
            .subquery()
        )
        longest_fix, entries = _one(
            sa.select(history.c.fix_id, history.c.n).order_by(history.c.n.desc()).limit(1)
        )
        typical_fix, typical_entries = _one(
            sa.select(history.c.fix_id, history.c.n)
            .where(history.c.n.between(6, 12))
            .order_by(history.c.fix_id.desc())
            .limit(1)
        )
        busiest_account = _one(
            sa.select(Post.account_id)
            .where(Post.account_id.is_not(None))
            .group_by(Post.account_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )[0]
        busiest_rep = _one(
            sa.select(Post.author_id).group_by(Post.author_id).order_by(sa.func.count().desc())
        )[0]
        client = _signed_in(app, "leader", password)
        feed_201 = _feed_page(client, 201)
    pages = [
        Page("home", "home page", "/", "leader", REP),
        Page("feed_1", "feed, page 1", "/posts/", "leader", FEED),
        Page("feed_201", f"feed, page {feed_201[0]}", feed_201[1], "leader", FEED),
        Page("report", "a report with 3 comments", f"/posts/{typical_report}", "leader", REP),
        Page(
            "report_long",
            f"a report with {comments:,} comments",
            f"/posts/{longest_report}",
            "leader",
            REP,
        ),
        Page(
            "fix",
            f"a fix with {typical_entries} history entries",
            f"/fixes/{typical_fix}",
            "leader",
            REP,
        ),
        Page(
            "fix_long",
            f"a fix with {entries:,} history entries",
            f"/fixes/{longest_fix}",
            "leader",
            REP,
        ),
        Page("triage", "triage inbox", "/triage/", "leader", TRIAGE),
        Page("queue", "ops queue", "/fixes/queue", "ops", REP),
        Page("board", "board", "/board/", "leader", LEADER),
        Page("win_loss", "win/loss", "/board/win-loss", "leader", LEADER),
        Page("review", "review", "/board/review", "leader", LEADER),
        Page("scorecard", "a rep's scorecard", f"/board/reps/{busiest_rep}", "leader", LEADER),
        Page(
            "search_common",
            f"search, a common word ({COMMON_WORD})",
            f"/search/?q={COMMON_WORD}",
            "leader",
            REP,
        ),
        Page(
            "search_rare",
            f"search, a rare word ({RARE_WORD})",
            f"/search/?q={RARE_WORD}",
            "leader",
            REP,
        ),
        Page("ledger", "account ledger", f"/board/accounts/{busiest_account}", "leader", REP),
        Page("accounts", "account list", "/accounts/", "leader", REP),
    ]
    count_statements(app, pages, password)
    return pages


def overrides(database_url: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secret_key("bench"),
        **LIFTED_LIMITS,
    }


def _signed_in(app, who: str, password: str):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post(
        "/login", data={"email": SIGN_IN[who], "password": password, "csrf_token": token}
    )
    if answer.status_code != 302:
        raise SystemExit(f"{SIGN_IN[who]} could not sign in ({answer.status_code}): seeded?")
    return client


def _feed_page(client, wanted: int) -> tuple[int, str]:
    """The feed's page ``wanted`` (or its last), reached by following "next" as a person does."""
    path, page = "/posts/", 1
    while page < wanted:
        found = NEXT.search(client.get(path).get_data(as_text=True))
        if not found:
            break
        path, page = html.unescape(found.group(1)), page + 1
    return page, path


@contextmanager
def _counting(engine):
    seen = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def count_statements(app, pages: list[Page], password: str) -> None:
    """One warm request per page as its person; sets ``statements``, ``html_kb``, ``status``."""
    clients = {}
    with app.app_context():
        engine = db.engine
    for page in pages:
        client = clients.get(page.who) or clients.setdefault(
            page.who, _signed_in(app, page.who, password)
        )
        client.get(page.path)  # warm: caches, the first connection
        with _counting(engine) as seen:
            answer = client.get(page.path)
        page.statements = len(seen)
        page.status = answer.status_code
        page.html_kb = round(len(answer.get_data()) / 1024, 1)


def session_cookie(base_url: str, who: str, password: str) -> str:
    """Sign in through the running server; the Cookie header wrk sends."""
    from tests.faults.clients import Browser

    browser = Browser(base_url)
    browser.sign_in(SIGN_IN[who], password)
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def user_count(database_url: str) -> int:
    app = create_app(**overrides(database_url))
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))
