"""The production topology on one machine (issue 12, README "Two app servers"): two app servers
(separate gunicorn processes with folders of their own, as if on two hosts) behind haproxy, one
PostgreSQL (``DATABASE_URL``) and one Redis (shared rate limits), the delivery worker and the
scheduled jobs on both hosts.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/throwaway \\
        .venv/bin/python -m benchmarks.topology          # or: make bench TOPOLOGY=2

It checks, and exits 1 unless: a person's journey through the balancer works while its
requests land on both servers; the sign-in limit is counted once for both servers (Redis);
the scheduled jobs started on both hosts at once do their work once (``job_locks``); every
e-mail is delivered by exactly one of the two workers. Then it loads a few pages through the
balancer with wrk and prints the figures. Everything listens on 127.0.0.1 and is stopped by PID.
"""

import faulthandler
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from benchmarks.http import servers, setup
from benchmarks.http.load import wrk
from benchmarks.http.pages import find_pages, overrides, session_cookie
from forum import create_app
from forum.core.outbox import OutboxMessage, OutboxStatus, enqueue
from forum.extensions import db
from tests.faults.clients import Browser

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
PASSWORD = "demo-password"
FLASK = Path(sys.executable).with_name("flask")
LOGIN_LIMIT = 4  # wrong passwords per account, counted across both servers
MESSAGES = 40


def host_env(database_url: str, redis_url: str, folder: Path, balancer_port: int) -> dict:
    """One host's environment: production settings, as the README's deployment section says."""
    return servers.app_env(
        database_url,
        folder,
        APP_ENV="production",
        APP_SERVERS="2",
        WEB_CONCURRENCY="2",
        PROXY_FIX_X_FOR="1",
        RATELIMIT_STORAGE_URI=redis_url,
        SESSION_COOKIE_SECURE="0",  # plain HTTP on 127.0.0.1 only
        BASE_URL=f"http://127.0.0.1:{balancer_port}",
        LOGIN_LIMIT_PER_ACCOUNT=f"{LOGIN_LIMIT} per 10 minutes",
        DELIVER_INTERVAL_SECONDS="1",
    )


def journey(balancer: str) -> tuple[list[str], list[str]]:
    """A rep signs in, files a report, reads it, comments, reads the feed: (servers, problems)."""
    browser, seen, problems = Browser(balancer), [], []

    def step(what: str, page, ok=(200, 302, 303)):
        seen.append(page.headers.get("x-bench-server", "?"))
        if page.status not in ok:
            problems.append(f"{what}: {page.status}")
        return page

    step("login form", browser.get("/login"))
    step("sign in", browser.post("/login", {"email": "rep@example.com", "password": PASSWORD}))
    filed = step("file", browser.file_report("Through the balancer: pallets late again"))
    where = filed.location or "/posts/"
    for i in range(6):
        report = step("read", browser.get(where))
        step("comment", browser.post(f"{where}/comments", {"body": f"Seen again ({i})."}))
        if "Through the balancer" not in report.text:
            problems.append(f"the report was not on its page (visit {i})")
        step("feed", browser.get("/posts/"))
    return seen, problems


def shared_limit(balancer: str) -> tuple[list[int], list[str]]:
    """Wrong passwords for one account, alternately answered by both servers: the attempt past
    the limit is refused (429) wherever it lands."""
    statuses, seen = [], []
    browser = Browser(balancer)
    browser.get("/login")  # then only posts: round robin sends them to each server in turn
    for _ in range(LOGIN_LIMIT + 2):
        page = browser.post("/login", {"email": "admin@example.com", "password": "wrong"})
        statuses.append(page.status)
        seen.append(page.headers.get("x-bench-server", "?"))
    return statuses, seen


def on_both(hosts: list[dict], *args: str) -> list[str]:
    """Run ``flask <args>`` on both hosts at the same moment; their outputs."""
    runs = [
        subprocess.Popen(  # noqa: S603  # our own flask, arguments as a list
            [str(FLASK), "--app", "app", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for env in hosts
    ]
    return [r.communicate(timeout=300)[0].strip() for r in runs]


def queue_mail(database_url: str, n: int = MESSAGES) -> None:
    """``n`` e-mails in the outbox, for the two delivery workers to share."""
    app = create_app(**overrides(database_url))
    with app.app_context():
        for i in range(n):
            enqueue(f"person{i}@example.com", f"Topology check {i}", "One e-mail, sent once.")
        db.session.commit()
        db.session.remove()


def outbox(database_url: str) -> Counter:
    app = create_app(**overrides(database_url))
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
        db.session.remove()
    return Counter({str(status): n for status, n in rows})


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("The topology needs PostgreSQL: DATABASE_URL=postgresql+psycopg://...")
    scale = os.environ.get("BENCH_SCALE", "S")
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    OUT.mkdir(exist_ok=True)
    url = setup.database(url, scale, OUT, PASSWORD)
    pages = {p.key: p for p in find_pages(url, PASSWORD)}
    top = Path(tempfile.mkdtemp(prefix="topology-", dir=OUT))
    started: list[servers.Server] = []
    workers: list[subprocess.Popen] = []
    problems: list[str] = []
    result: dict = {"scale": scale, "servers": 2}
    try:
        redis = servers.redis(top)
        started.append(redis)
        balancer_port = servers.free_port()
        hosts = [
            host_env(url, f"redis://127.0.0.1:{redis.port}/0", top / f"host{i}", balancer_port)
            for i in (1, 2)
        ]
        for i, env in enumerate(hosts, 1):
            started.append(servers.gunicorn(f"app{i}", "app:app", env, top / f"host{i}"))
        balancer = servers.haproxy(started[1:3], top, port=balancer_port)
        started.append(balancer)
        for i, env in enumerate(hosts, 1):
            log = (top / f"host{i}" / "deliver.log").open("wb")
            workers.append(
                subprocess.Popen(  # noqa: S603  # our own flask, arguments as a list
                    [str(FLASK), "--app", "app", "deliver"],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

        seen, trouble = journey(balancer.url)
        result["journey"] = {"requests": len(seen), "servers": dict(Counter(seen))}
        problems += trouble
        if len(set(seen) - {"?"}) < 2:
            problems.append(f"the journey's requests all landed on one server: {Counter(seen)}")

        statuses, landed = shared_limit(balancer.url)
        result["shared_limit"] = {"statuses": statuses, "servers": landed}
        if 429 not in statuses[LOGIN_LIMIT:] or len(set(landed)) < 2:
            problems.append(f"the sign-in limit was not shared: {statuses} on {landed}")

        jobs = {}
        for job in (["escalate"], ["digest", "--daily"], ["digest", "--weekly"]):
            outputs = on_both(hosts, *job)
            jobs[" ".join(job)] = outputs
            ran = [o for o in outputs if not o.startswith("Not run:")]
            if not ran:
                problems.append(f"flask {' '.join(job)} ran on neither host: {outputs}")
        again = on_both(hosts, "escalate")  # escalating twice changes nothing more
        jobs["escalate, again"] = again
        for output in again:
            if not (output.startswith("Not run:") or output.endswith("0 escalations made.")):
                problems.append(f"a second escalation run escalated again: {output}")
        result["jobs"] = jobs
        queue_mail(url)
        result["deliveries"] = _deliveries(url, top, problems)
        cookies = {"leader": session_cookie(balancer.url, "leader", PASSWORD)}
        result["pages"] = {}
        for key in ("feed_1", "report", "fix", "board"):
            page = pages[key]
            load = wrk(balancer.url + page.path, seconds, cookie=cookies["leader"])
            result["pages"][key] = {"label": page.label, **load.as_dict()}
            if load.non2xx:
                problems.append(f"{page.label} through the balancer: {load.non2xx} non-2xx")
        result["rss_mb"] = {s.name: s.worker_rss_mb() for s in started[1:3]}
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, 15)
                worker.wait(15)
        for server in reversed(started):
            server.stop()
    result["problems"] = problems
    (OUT / "topology.json").write_text(json.dumps(result, indent=2, default=str))
    _print(result)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


def _deliveries(url: str, top: Path, problems: list[str]) -> dict:
    """Wait until the outbox is sent; every message in exactly one host's mail folder."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        counts = outbox(url)
        if not counts.get(str(OutboxStatus.PENDING)) and not counts.get("sending"):
            break
        time.sleep(0.5)
    files = [{p.name for p in (top / f"host{i}" / "mail").glob("*.eml")} for i in (1, 2)]
    both = files[0] & files[1]
    if both:
        problems.append(f"{len(both)} e-mails were delivered by both workers")
    if len(files[0] | files[1]) < MESSAGES:
        problems.append(f"only {len(files[0] | files[1])} of {MESSAGES} e-mails were delivered")
    return {
        "outbox": dict(counts),
        "host1": len(files[0]),
        "host2": len(files[1]),
        "on_both": len(both),
    }


def _print(result: dict) -> None:
    print(f"\nTwo app servers behind haproxy, PostgreSQL, Redis (scale {result['scale']})")
    j = result.get("journey", {})
    print(f"journey: {j.get('requests')} requests, by server {j.get('servers')}")
    s = result.get("shared_limit", {})
    print(f"wrong passwords (limit {LOGIN_LIMIT}): {s.get('statuses')} on {s.get('servers')}")
    for job, outputs in result.get("jobs", {}).items():
        print(f"flask {job}: " + " | ".join(o.splitlines()[-1] if o else "" for o in outputs))
    print(f"deliveries: {result.get('deliveries')}")
    for r in result.get("pages", {}).values():
        print(
            f"{r['label'][:34]:<34} {r['rps']:>7.1f} req/s  p50 {r['p50_ms']:>6.1f} ms  "
            f"p99 {r['p99_ms']:>6.1f} ms  non-2xx {r['non2xx']}"
        )
    print(f"worker memory (RSS, MB): {result.get('rss_mb')}")


if __name__ == "__main__":
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid>: where a long run stands
    sys.exit(main())
