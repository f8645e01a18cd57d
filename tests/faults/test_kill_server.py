"""``kill -9`` of a gunicorn worker, then of the master, while eight people file reports with
evidence: every report the server acknowledged is there after a restart, the database is whole,
and no report or file is stored half-way (``flask sweep-uploads`` takes what a crash left)."""

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.faults.clients import Browser
from tests.faults.servers import app_env, wait_for
from tests.faults.stored import stored

pytestmark = [pytest.mark.committed, pytest.mark.slow]

CLIENTS = 8
LOAD_SECONDS = 60  # the whole filing phase, at most


@dataclass
class Attempt:
    title: str
    evidence: bytes
    status: int | None = None  # None: the connection died before an answer
    location: str = ""
    error: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


class Filers:
    """Eight signed-in people filing reports with evidence until told to stop."""

    def __init__(self, browsers: list[Browser]):
        self.browsers = browsers
        self.attempts: list[Attempt] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._file, args=(i, b), daemon=True)
            for i, b in enumerate(browsers)
        ]

    def _file(self, i: int, browser: Browser) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            title = f"Fault report {i}-{n}"
            attempt = Attempt(title, f"evidence of {title}\n".encode() * 50)
            try:
                page = browser.file_report(title, attempt.evidence)
                attempt.status, attempt.location = page.status, page.location
            except OSError as exc:  # refused, reset: the server died under the request
                attempt.error = repr(exc)
            with self._lock:
                self.attempts.append(attempt)

    def acknowledged(self) -> list[Attempt]:
        with self._lock:
            return [a for a in self.attempts if a.acknowledged]

    def failed_since(self, count: int) -> bool:
        with self._lock:
            return any(a.status is None for a in self.attempts[count:])

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in self.threads), "a client is stuck"


def sqlite_file(url: str) -> Path | None:
    parsed = sa.make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


def test_acknowledged_reports_survive_kill_9_of_a_worker_and_of_the_master(
    app, make_user, servers, database_url, tmp_path
):
    uploads = Path(app.config["UPLOAD_DIR"])
    env = app_env(database_url, tmp_path, UPLOAD_DIR=uploads)
    first = servers.gunicorn(env, workers=2)
    browsers = [Browser(first.url) for _ in range(CLIENTS)]
    for browser in browsers:
        browser.sign_in(make_user("rep").email)

    filers = Filers(browsers)
    filers.start()
    try:
        wait_for(lambda: len(filers.acknowledged()) >= CLIENTS, LOAD_SECONDS, "eight reports")
        killed = first.kill_worker()
        wait_for(
            lambda: len(set(first.worker_pids()) - {killed}) == 2,
            LOAD_SECONDS,
            "the master to replace the killed worker",
        )
        after_worker = len(filers.acknowledged())
        wait_for(
            lambda: len(filers.acknowledged()) >= after_worker + CLIENTS,
            LOAD_SECONDS,
            "eight more reports after the worker was killed",
        )
        before_master = len(filers.attempts)
        first.kill_master()
        wait_for(lambda: filers.failed_since(before_master), LOAD_SECONDS, "a refused request")
    finally:
        filers.join()

    answered = [a for a in filers.attempts if a.status is not None]
    assert all(a.status == 302 for a in answered), {a.status for a in answered}
    acknowledged = filers.acknowledged()
    assert len(acknowledged) >= 2 * CLIENTS

    # The restarted server has every acknowledged report, with its evidence.
    second = servers.gunicorn(env, workers=2)
    reader = browsers[0]
    reader.base_url = second.url
    for attempt in acknowledged:
        page = reader.get(attempt.location)
        assert page.status == 200, attempt
        assert attempt.title in page.text

    database = sqlite_file(database_url)
    if database is not None:
        with sqlite3.connect(database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    found = stored(app, uploads)
    for attempt in acknowledged:
        post_id = int(attempt.location.rsplit("/", 1)[1])
        assert found.posts[attempt.title] == post_id
        [name] = [n for n, (p, _) in found.attachments.items() if p == post_id]
        assert (uploads / name).read_bytes() == attempt.evidence
    assert found.half_stored() == []
    assert found.orphans() == set()

    # What a crash left behind: temporary files of requests that never committed (removed)
    # or, between the commit and the rename, of one that did (moved into place).
    an_hour_ago = time.time() - 3700
    for name in found.temps:
        os.utime(uploads / f".tmp-{name}", (an_hour_ago, an_hour_ago))
    result = app.test_cli_runner().invoke(args=["sweep-uploads"])
    assert result.exit_code == 0, result.output
    swept = stored(app, uploads)
    assert swept.temps == set()
    assert swept.finals == set(swept.attachments)
    assert swept.half_stored() == []
