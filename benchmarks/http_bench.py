"""The app under load, against the bare-Flask ceiling, page by page (issue 12; README "Benchmarks").

    make bench                                   # scale M on SQLite, 10 s a page, judged
    make bench SCALE=S SECONDS=2 PAGES=feed_1,board
    make bench DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/throwaway
    make bench-smoke                             # scale S, 1 s a page, never judged (CI)

It builds (once) the benchmark organisation with ``flask seed-bench``, serves the app and the
ceiling app (``benchmarks/ceiling.py``) under gunicorn (2 sync workers, 127.0.0.1, ports of
their own), signs in, and loads with ``wrk -t2 -c16`` each page right after a ceiling run; then
one client per page (its p50, also at S for the growth), the write mix (8 clients) while wrk
loads the board, and the workers' memory. It prints the table, writes ``bench/results.json``
and exits 1 when a budget (``BUDGETS``) is missed, unless ``--no-judge``. The machine's load
moves every figure: read them with the ceiling's.
"""

import argparse
import faulthandler
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.http import judge, servers, setup, writes
from benchmarks.http.load import wrk
from benchmarks.http.pages import find_pages, session_cookie

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
PASSWORD = "demo-password"


def options(argv=None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default=env("BENCH_SCALE", "M"), choices=["T", "S", "M", "L"])
    p.add_argument("--seconds", type=float, default=float(env("BENCH_SECONDS", "10")))
    p.add_argument("--pages", default=env("BENCH_PAGES", ""), help="page keys, comma-separated")
    p.add_argument("--database-url", default=env("DATABASE_URL", ""))
    p.add_argument("--writes-seconds", type=float, default=float(env("BENCH_WRITES_SECONDS", "0")))
    p.add_argument("--no-judge", action="store_true", default=env("BENCH_JUDGE", "1") == "0")
    p.add_argument("--no-growth", action="store_true", default=env("BENCH_GROWTH", "1") == "0")
    p.add_argument("--smoke", action="store_true", help="scale S, 1 s a page, never judged")
    p.add_argument("--out", default=env("BENCH_OUT", str(OUT / "results.json")))
    o = p.parse_args(argv)
    if o.smoke:
        o.scale, o.seconds, o.no_judge, o.no_growth = "S", 1.0, True, True
        o.writes_seconds = o.writes_seconds or 2.0
    o.writes_seconds = o.writes_seconds or o.seconds
    return o


def drain(server: servers.Server) -> None:
    """Wait until the workers have answered what wrk left queued (it closes its connections at
    the end of a run, but a sync worker still answers the requests waiting in the backlog):
    else a slow page's backlog would be charged to the next run."""
    servers.wait_http(server.url + "/healthz", 300, server)


def single_client(url: str, cookie: str, seconds: float) -> float | None:
    """One client's p50; None when not one request finished within the run."""
    load = wrk(url, max(1.0, seconds / 2), threads=1, connections=1, cookie=cookie)
    return load.p50_ms if load.requests else None


def main(argv=None) -> int:
    o = options(argv)
    began = time.monotonic()
    OUT.mkdir(exist_ok=True)
    database_url = setup.database(o.database_url, o.scale, OUT, PASSWORD)
    pages = find_pages(database_url, PASSWORD)
    if o.pages:
        wanted = set(o.pages.split(","))
        pages = [p for p in pages if p.key in wanted]
    folder = Path(tempfile.mkdtemp(prefix="bench-", dir=OUT))
    env = servers.app_env(database_url, folder)
    started: list[servers.Server] = []
    result: dict = {"scale": o.scale, "database": setup.dialect(database_url), "pages": {}}
    try:
        ceiling = servers.gunicorn("ceiling", "benchmarks.ceiling:app", env, folder)
        started.append(ceiling)
        app = servers.gunicorn("app", "app:app", env, folder)
        started.append(app)
        cookies = {who: session_cookie(app.url, who, PASSWORD) for who in {p.who for p in pages}}
        for page in pages:
            top = wrk(ceiling.url + "/", o.seconds)
            load = wrk(app.url + page.path, o.seconds, cookie=cookies[page.who])
            drain(app)
            one = None
            if not o.smoke:  # the smoke run keeps under a minute: no one-client pass
                one = single_client(app.url + page.path, cookies[page.who], o.seconds)
                drain(app)
            result["pages"][page.key] = {
                "label": page.label,
                "path": page.path,
                "who": page.who,
                "group": page.group,
                "status": page.status,
                "statements": page.statements,
                "html_kb": page.html_kb,
                "ceiling_rps": round(top.rps, 1),
                "share": round(load.rps / top.rps, 4) if top.rps else 0.0,
                "single_p50_ms": one,
                **{
                    k: round(v, 2) if isinstance(v, float) else v for k, v in load.as_dict().items()
                },
            }
            print(judge.row(page.key, result["pages"][page.key]), flush=True)
        result["writes"], result["under_writes"] = _write_mix(app, database_url, cookies, o)
        result["rss_mb"] = {"app": app.worker_rss_mb(), "ceiling": ceiling.worker_rss_mb()}
        result["database_locked"] = app.log_text().count("database is locked")
    finally:
        for server in reversed(started):
            server.stop()
    if o.scale != "S" and not o.no_growth:
        result["growth_base"] = _growth_base(o, pages)
    result["seconds"] = round(time.monotonic() - began, 1)
    misses = judge.misses(result)
    result["misses"] = misses
    Path(o.out).write_text(json.dumps(result, indent=2, default=str))
    print(judge.table(result))
    print(f"Results: {o.out} ({result['seconds']:.0f}s; the machine's load moves every figure).")
    if o.no_judge:  # speed is not judged; broken pages and failed writes still are
        broken = [m for m in misses if judge.is_breakage(m)]
        for miss in broken:
            print(f"BROKEN: {miss}")
        return 1 if broken else 0
    for miss in misses:
        print(f"BUDGET MISSED: {miss}")
    return 1 if misses else 0


def _write_mix(app, database_url: str, cookies: dict, o) -> tuple[dict, dict]:
    """The write mix, with wrk loading the board as a leader at the same time."""
    board = {}
    cookie = cookies.get("leader") or next(iter(cookies.values()))

    def load_board():
        board["board"] = wrk(app.url + "/board/", o.writes_seconds, cookie=cookie).as_dict()

    drain(app)
    loader = threading.Thread(target=load_board)
    loader.start()
    mix = writes.run(app.url, database_url, PASSWORD, o.writes_seconds)
    loader.join(o.writes_seconds + 60)
    drain(app)
    return mix.as_dict(), board


def _growth_base(o, pages) -> dict[str, float]:
    """The same pages' single-client p50 at scale S (built once on SQLite)."""
    database_url = setup.database("", "S", OUT, PASSWORD)
    base = {p.key: p for p in find_pages(database_url, PASSWORD)}
    folder = Path(tempfile.mkdtemp(prefix="bench-S-", dir=OUT))
    app = servers.gunicorn("app-S", "app:app", servers.app_env(database_url, folder), folder)
    try:
        cookies = {who: session_cookie(app.url, who, PASSWORD) for who in {"leader", "ops"}}
        return {
            p.key: single_client(app.url + base[p.key].path, cookies[p.who], o.seconds)
            for p in pages
            if p.key in base
        }
    finally:
        app.stop()


if __name__ == "__main__":
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid>: where a long run stands
    sys.exit(main())
