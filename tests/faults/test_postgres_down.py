"""PostgreSQL stopped under load (``pg_ctl stop -m immediate``): every request answers 503 at
once instead of hanging, ``/healthz`` says 503, and when PostgreSQL is back on the same port the
same gunicorn processes serve again, without a restart.

The test brings its own throwaway cluster, so it runs in the SQLite suite too."""

import threading
import time
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from forum.extensions import db
from forum.feedback.models import Post
from tests import factories
from tests.faults.clients import Browser
from tests.faults.servers import app_env, get_status, wait_for

pytestmark = [pytest.mark.committed, pytest.mark.slow]

CLIENTS = 4
PHASE_SECONDS = 30
ANSWER_SECONDS = 1.0  # a 503 must come this fast: the app must not wait for the database


@dataclass
class Answer:
    client: int
    path: str
    sent: float
    answered: float
    status: int | None
    text: str = ""
    retry_after: str = ""
    title: str = ""  # of the report filed


class Load:
    """Signed-in people reading the feed and filing reports, recording every answer."""

    def __init__(self, browsers: list[Browser]):
        self.answers: list[Answer] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(i, b), daemon=True)
            for i, b in enumerate(browsers)
        ]
        for t in self.threads:
            t.start()

    def _run(self, i: int, browser: Browser) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            for path in ("/posts/", "report"):
                title = f"Report {i}-{n} while the database comes and goes"
                sent = time.monotonic()
                try:
                    if path == "report":
                        page = browser.file_report(title)
                    else:
                        page = browser.get(path)
                    answer = Answer(i, path, sent, time.monotonic(), page.status, page.text)
                    answer.retry_after = page.headers.get("retry-after", "")
                    answer.title = title if path == "report" else ""
                except OSError as exc:
                    answer = Answer(i, path, sent, time.monotonic(), None, repr(exc))
                with self._lock:
                    self.answers.append(answer)

    def between(self, start: float, end: float = float("inf")) -> list[Answer]:
        """The answers to requests sent at or after ``start`` and answered by ``end``."""
        with self._lock:
            return [a for a in self.answers if a.sent >= start and a.answered <= end]

    def each_client_has(self, count: int, since: float, status: int | None = None) -> bool:
        answers = [a for a in self.between(since) if status is None or a.status == status]
        return all(sum(a.client == i for a in answers) >= count for i in range(len(self.threads)))

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in self.threads), "a client is stuck"


@pytest.fixture
def cluster(servers, make_app):
    """A throwaway PostgreSQL cluster, migrated, with four reps; ``(cluster, app, emails)``."""
    pg = servers.postgres()
    app = make_app(SQLALCHEMY_DATABASE_URI=pg.url)
    with app.app_context():
        upgrade()
        emails = [factories.user("rep").email for _ in range(CLIENTS)]
        db.session.commit()
        db.engine.dispose()
    return pg, app, emails


def test_requests_get_503_at_once_while_postgresql_is_down_and_recover_without_a_restart(
    servers, cluster, tmp_path
):
    pg, app, emails = cluster
    server = servers.gunicorn(app_env(pg.url, tmp_path), workers=2)
    processes = (server.pid, sorted(server.worker_pids()))
    browsers = [Browser(server.url) for _ in emails]
    for browser, email in zip(browsers, emails, strict=True):
        browser.sign_in(email)

    load = Load(browsers)
    try:
        start = time.monotonic()
        wait_for(lambda: load.each_client_has(1, start, 302), PHASE_SECONDS, "reports filed")

        pg.stop_immediately()
        stopped = time.monotonic()
        wait_for(lambda: load.each_client_has(3, stopped), PHASE_SECONDS, "answers while down")
        health_down = get_status(f"{server.url}/healthz")
        restarting = time.monotonic()

        pg.start()  # on the same port
        wait_for(
            lambda: get_status(f"{server.url}/healthz") == 200, PHASE_SECONDS, "/healthz to be 200"
        )
        back = time.monotonic()
        wait_for(lambda: load.each_client_has(1, back, 302), PHASE_SECONDS, "reports filed again")
    finally:
        load.join()

    assert [a for a in load.answers if a.status not in (200, 302, 503)] == []
    while_down = load.between(stopped, restarting)
    assert {a.status for a in while_down} == {503}
    slowest = max(a.answered - a.sent for a in while_down)
    assert slowest < ANSWER_SECONDS, f"a request took {slowest:.2f}s to get its 503"
    assert all("<h1>Temporarily unavailable</h1>" in a.text for a in while_down)
    assert all(a.retry_after for a in while_down)
    assert "Traceback" not in "".join(a.text for a in while_down)
    assert health_down == 503

    # The same master and workers serve again: recovered without a restart.
    assert (server.pid, sorted(server.worker_pids())) == processes
    after = [a for a in load.between(back) if a.path == "/posts/"]
    assert after and {a.status for a in after} == {200}
    with app.app_context():
        titles = set(db.session.scalars(sa.select(Post.title)))
        db.engine.dispose()
    filed = {a.title for a in load.answers if a.status == 302}
    assert filed - titles == set()
