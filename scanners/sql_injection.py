"""sqlmap against a live server: every search, filter and sort parameter, as a signed-in user.

    .venv/bin/python -m scanners.sql_injection            # what `make scan` and .ci/run run
    .venv/bin/python -m scanners.sql_injection --keep     # keep the logs (kept anyway on failure)

Makes a throwaway SQLite database in a temporary folder (`flask db upgrade`, `flask seed-demo`),
serves the app with gunicorn on a socket this script bound on 127.0.0.1 (port 0, so no race for
a port), signs in through the /login form as the demo leader (and the demo admin for the admin
pages), checks that every target answers 200 to that session, then runs the pinned sqlmap over
the targets below (`--level 1 --risk 1 --technique BEU`: boolean-blind, error-based and UNION
tests, no sleeping ones). First, sqlmap must find the injection in a deliberately injectable
canary endpoint on another loopback port: a scan that cannot see an injection proves nothing.

Exits 1 when sqlmap calls any parameter injectable, when a parameter listed below was not
tested, when the app answered 5xx to any payload, when a session was lost during the scan, or
when anything else went wrong; 0 otherwise. The server is stopped by its PID in every case.
Prints the time each step took.
"""

import argparse
import contextlib
import csv
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-password"
PEOPLE = {"leader": "leader@example.com", "admin": "admin@example.com"}
SQLMAP_OPTIONS = [
    "--batch",
    "--level=1",
    "--risk=1",
    "--technique=BEU",
    "--flush-session",
    "--drop-set-cookie",  # keep the session we signed in with
    "--ignore-proxy",
    "--disable-coloring",
    "--timeout=10",
    "--retries=1",
]
SQLMAP_TIMEOUT = 150  # seconds for one sqlmap process; a hung scan fails instead of waiting
INJECTABLE = re.compile(
    r"parameter '(?P<param>[^']+)' (?:is vulnerable|appears to be .* injectable)"
    r"|identified the following injection point"
)
NOT_INJECTABLE = re.compile(r"GET parameter '(?P<param>[^']+)' does not seem to be injectable")
# sqlmap re-checks a boolean-blind candidate with other random numbers before it reports it; a
# page that changes by itself between requests (a relative time turning over on a loaded
# machine) can make one look injectable, and this check then withdraws it.
FALSE_POSITIVE = re.compile(r"false positive or unexploitable")
TESTING_URL = re.compile(r"\[INFO\] testing URL '(?P<url>[^']+)'")
HTTP_5XX = re.compile(r"\b(?P<code>5\d\d \([^)]*\)) - (?P<count>\d+) times")


@dataclass(frozen=True)
class Target:
    """A GET route and the query parameters sqlmap injects into, with values that match rows
    (a filter that already matches nothing cannot show a difference between true and false)."""

    who: str
    path: str
    params: dict[str, str]

    def url(self, base: str, ids: dict[str, str]) -> str:
        query = {name: value.format(**ids) for name, value in self.params.items()}
        return f"{base}{self.path.format(**ids)}?{urllib.parse.urlencode(query)}"


# Every GET list route with search, filter or sort parameters (forum/*/views.py). sqlmap tests a
# parameter of a route once per process, so a route appears again only for other parameters.
TARGETS = [
    # The feed (forum/feedback/queries.py FeedFilter) and its JSON twin.
    Target("leader", "/posts/", {"kind": "broken_promise", "status": "new", "sort": "newest"}),
    Target("leader", "/posts/", {"outcome": "lost", "region": "{region}"}),
    Target("leader", "/posts/", {"account": "{account}"}),
    Target("leader", "/posts/", {"author": "{author}"}),
    Target("leader", "/posts/", {"team": "{post_team}"}),
    Target("leader", "/posts/", {"tag": "{tag}"}),
    Target("leader", "/posts/", {"after": "{cursor}"}),
    Target("leader", "/api/posts", {"tag": "{tag}", "sort": "risk"}),
    Target("leader", "/api/v1/posts", {"kind": "win_loss", "author": "{author}", "tag": "{tag}"}),
    Target("leader", "/api/v1/posts", {"account": "{account}", "after": "{cursor}"}),
    Target("leader", "/posts/similar", {"title": "{title}"}),
    # Search (forum/finder/queries.py SearchFilter).
    Target("leader", "/search/", {"q": "delivery", "kind": "broken_promise", "period": "365d"}),
    Target("leader", "/search/", {"status": "new", "page": "1", "team": "{ops_team}"}),
    Target("leader", "/search/", {"account": "{account}"}),
    # The board's filters (forum/board/filters.py) and the lists behind its figures.
    Target("leader", "/board/", {"period": "year", "on": "{today}", "segment": "enterprise"}),
    Target("leader", "/board/", {"rank": "arr"}),
    Target("leader", "/posts/{busy_post}", {"page": "1"}),
    Target("leader", "/posts/{busy_post}", {"comment": "{busy_comment}"}),
    Target("leader", "/fixes/{busy_fix}", {"page": "1"}),
    Target("leader", "/board/fixes", {"list": "all", "priority": "P2", "team": "{ops_team}"}),
    Target("leader", "/board/fixes", {"from": "{year_ago}", "to": "{today}", "region": "{region}"}),
    Target(
        "leader",
        "/board/posts",
        {"list": "lost", "kind": "win_loss", "reason": "{reason}", "period": "year"},
    ),
    Target("leader", "/board/posts", {"competitor": "{competitor}"}),
    Target("leader", "/board/win-loss/agreement", {"period": "year", "region": "{region}"}),
    Target("leader", "/board/export/agreement.csv", {"segment": "enterprise", "on": "{today}"}),
    # Fixes, the operations queue, accounts, the catalog.
    Target("leader", "/fixes/", {"status": "open", "team": "{ops_team}", "priority": "P2"}),
    Target("leader", "/fixes/", {"overdue": "1", "page": "1"}),
    Target("leader", "/api/v1/board", {"period": "year", "on": "{today}", "team": "{ops_team}"}),
    Target("leader", "/api/v1/fixes", {"status": "any", "team": "{ops_team}", "priority": "P2"}),
    Target("leader", "/fixes/queue", {"team": "{ops_team}"}),
    Target("leader", "/accounts/", {"q": "a", "segment": "enterprise", "region": "{region}"}),
    Target("leader", "/accounts/lookup", {"q": "co"}),
    Target("leader", "/catalog/", {"team": "{ops_team}", "stale": "1", "retired": "1"}),
    # The triage inbox (forum/triage/queries.py InboxFilter).
    Target("leader", "/triage/", {"kind": "broken_promise", "sort": "revenue", "impact": "2"}),
    Target("leader", "/triage/", {"team": "{ops_team}", "region": "{region}", "age": "past"}),
    Target("leader", "/triage/", {"account": "{account}", "revenue": "1", "flags": "any"}),
    Target("leader", "/triage/", {"competitor": "1", "page": "1"}),
    # Admin lists.
    Target("admin", "/admin/users", {"q": "a", "role": "rep", "page": "1"}),
    Target("admin", "/admin/audit", {"action": "user.create", "page": "1"}),
    Target("admin", "/notifications/outbox", {"status": "pending", "page": "1"}),
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is answered as it is (302 raises HTTPError)


def opener(*handlers) -> urllib.request.OpenerDirector:
    """urllib that never goes through a proxy: every request here is for 127.0.0.1."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)


def step(label: str, started: float) -> float:
    now = time.monotonic()
    print(f"-- {label}: {now - started:.1f}s", flush=True)
    return now


# --- the app --------------------------------------------------------------------------------


def app_env(folder: Path) -> dict[str, str]:
    """The environment of the throwaway app: everything inside ``folder``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEST_DATABASE"))}
    env.update(
        APP_ENV="development",
        DATABASE_URL=f"sqlite:///{folder / 'scan.db'}",
        INSTANCE_PATH=str(folder / "instance"),
        UPLOAD_DIR=str(folder / "instance" / "uploads"),
        MAIL_DIR=str(folder / "instance" / "mail"),
        MAIL_TRANSPORT="file",
        SECRET_KEY=secrets.token_hex(32),
        RATELIMIT_STORAGE_URI="memory://",
        # sqlmap sends hundreds of requests a minute as one leader: the API's per-user limit
        # (300 a minute) would answer 429 and stall it. Injection, not throttling, is tested
        # here (tests/api tests the limit).
        API_RATE_LIMIT="100000 per minute",
        LOG_LEVEL="WARNING",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    return env


def flask(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"`flask {' '.join(args)}` failed with exit code {done.returncode}")


def demo_values(db_path: Path) -> dict[str, str]:
    """Ids and words the targets' filters use, picked so that each filter matches rows."""
    con = sqlite3.connect(db_path)

    def one(sql: str) -> str:
        row = con.execute(sql).fetchone()
        if row is None or row[0] is None:
            raise SystemExit(f"the demo organisation has nothing for: {sql}")
        return str(row[0])

    try:
        values = {
            "region": one(
                "SELECT region_id FROM posts WHERE region_id IS NOT NULL "
                "GROUP BY region_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "ops_team": one(
                "SELECT owner_team_id FROM fixes "
                "GROUP BY owner_team_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "post_team": one(
                "SELECT team_id FROM posts WHERE team_id IS NOT NULL "
                "GROUP BY team_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "title": one(
                "SELECT title FROM posts WHERE duplicate_of_id IS NULL "
                "ORDER BY corroboration_count DESC, id LIMIT 1"
            ),
            "account": one(
                "SELECT account_id FROM posts WHERE account_id IS NOT NULL "
                "GROUP BY account_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "author": one(
                "SELECT author_id FROM posts WHERE NOT shielded "
                "GROUP BY author_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "tag": one(
                "SELECT t.name FROM tags t JOIN post_tags pt ON pt.tag_id = t.id "
                "GROUP BY t.name ORDER BY count(*) DESC LIMIT 1"
            ),
            "reason": one(
                "SELECT primary_reason_id FROM posts WHERE outcome = 'lost' "
                "AND primary_reason_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ),
            "busy_post": one(
                "SELECT post_id FROM comments GROUP BY post_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "busy_comment": one(
                "SELECT min(id) FROM comments WHERE post_id = (SELECT post_id FROM comments "
                "GROUP BY post_id ORDER BY count(*) DESC LIMIT 1)"
            ),
            "busy_fix": one(
                "SELECT fix_id FROM fix_events GROUP BY fix_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "competitor": one(
                "SELECT competitor_id FROM posts WHERE outcome = 'lost' "
                "AND competitor_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ),
        }
    finally:
        con.close()
    values["title"] = " ".join(values["title"].split()[:3])  # "similar" compares words
    today = datetime.now(UTC).date()
    values["today"] = today.isoformat()
    values["year_ago"] = today.replace(year=today.year - 1).isoformat()
    return values


def bound_socket() -> socket.socket:
    """A listening socket on 127.0.0.1 with a port the kernel chose; gunicorn inherits it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def start_server(env: dict[str, str], sock: socket.socket, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        f"--bind=fd://{sock.fileno()}",
        "--workers=2",
        "--threads=4",
        "--no-control-socket",
        "--log-level=warning",
        "app:app",
    ]
    with log.open("w") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
            start_new_session=True,  # our signals, not the terminal's
        )


def wait_until_up(base: str, server: subprocess.Popen, log: Path, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with opener().open(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer /healthz within {limit:.0f}s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the gunicorn arbiter by its PID; SIGKILL if it has not gone in 10 s."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)
    print(f"server (PID {server.pid}) stopped", flush=True)


def sign_in(base: str, email: str) -> str:
    """Sign in through the form; return the session cookie's value."""
    jar = urllib.request.HTTPCookieProcessor()
    browser = opener(jar, NoRedirect())
    with browser.open(f"{base}/login", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on /login")
    form = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": html.unescape(token.group(1))}
    ).encode()
    try:
        browser.open(f"{base}/login", data=form, timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise SystemExit(f"signing in as {email} answered {answer.code}") from None
    else:
        raise SystemExit(f"signing in as {email} failed (the form came back)")
    for cookie in jar.cookiejar:
        if cookie.name == "session":
            return cookie.value
    raise SystemExit(f"signing in as {email} set no session cookie")


def status_of(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"session={cookie}"})
    try:
        with opener(NoRedirect()).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


# --- sqlmap -----------------------------------------------------------------------------------


def run_sqlmap(name: str, urls: list[str], cookie: str | None, folder: Path) -> subprocess.Popen:
    """Start sqlmap over ``urls`` (multiple-targets mode, its own CSV of findings)."""
    work = folder / name
    work.mkdir()
    (work / "targets.txt").write_text("\n".join(urls) + "\n")
    command = [
        sys.executable,
        "-m",
        "sqlmap.sqlmap",
        "-m",  # multiple-targets mode: one URL per line
        str(work / "targets.txt"),
        f"--output-dir={work / 'output'}",
        f"--results-file={work / 'results.csv'}",
        *SQLMAP_OPTIONS,
    ]
    if cookie:
        command.append(f"--cookie=session={cookie}")
    env = {**os.environ, "XDG_DATA_HOME": str(work / "home"), "HOME": str(work / "home")}
    env.update(TERM="dumb", NO_PROXY="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    with (work / "sqlmap.log").open("w") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


@dataclass
class Outcome:
    tested: set[tuple[str, str]]  # (path, parameter)
    injectable: list[str]  # what sqlmap said, line by line
    server_errors: list[str]  # "500 (Internal Server Error) - 3 times", from sqlmap's summary


def read_outcome(work: Path) -> Outcome:
    log = (work / "sqlmap.log").read_text(errors="replace")
    tested, injectable, candidates, url = set(), [], [], ""
    for line in log.splitlines():
        if match := TESTING_URL.search(line):
            url = match["url"]
            injectable += candidates
            candidates = []
        elif FALSE_POSITIVE.search(line):
            candidates = []  # sqlmap's own second look withdrew what it had seen
        elif match := NOT_INJECTABLE.search(line):
            tested.add((urllib.parse.urlsplit(url).path, match["param"]))
            injectable += candidates
            candidates = []
        elif INJECTABLE.search(line):
            candidates.append(f"{url}: {line.strip()}")
    injectable += candidates
    results = work / "results.csv"
    if results.exists():
        with results.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if FALSE_POSITIVE.search(row.get("Note(s)") or ""):
                    continue
                where = f"{row['Place']} parameter {row['Parameter']}"
                injectable.append(f"{row['Target URL']}: {where} ({row['Technique(s)']})")
    return Outcome(tested, injectable, [m[0] for m in HTTP_5XX.finditer(log)])


def run_all(jobs: dict[str, tuple[list[str], str | None]], folder: Path) -> list[str]:
    """Run one sqlmap per job at once and wait for all (none outlives this call); return what
    went wrong with the runs themselves. Their logs are read afterwards in every case."""
    started = time.monotonic()
    runs, problems = {}, []
    try:
        for name, (urls, cookie) in jobs.items():
            runs[name] = run_sqlmap(name, urls, cookie, folder)
        waiting = dict(runs)
        while waiting and time.monotonic() - started < SQLMAP_TIMEOUT:
            for name, process in list(waiting.items()):
                if process.poll() is None:
                    continue
                del waiting[name]
                took = time.monotonic() - started
                print(f"   sqlmap {name}: {len(jobs[name][0])} URLs in {took:.1f}s", flush=True)
                if process.returncode != 0:
                    log = folder / name / "sqlmap.log"
                    problems.append(f"sqlmap ({name}) exited with {process.returncode} (see {log})")
            time.sleep(0.2)
        problems += [f"sqlmap ({name}) did not finish in {SQLMAP_TIMEOUT}s" for name in waiting]
    finally:
        for process in runs.values():
            if process.poll() is None:
                process.kill()
                process.wait(5)
    return problems


# --- the canary: an endpoint that is injectable on purpose --------------------------------------


def canary_app(environ, start_response):
    """``/items?name=…`` pastes ``name`` into SQL: sqlmap must call it injectable."""
    name = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("name", [""])[0]
    con = sqlite3.connect(":memory:")
    con.executescript(
        "CREATE TABLE items (name TEXT); INSERT INTO items VALUES ('alpha'), ('beta'), ('gamma');"
    )
    try:
        # The hole sqlmap must find; this server lives on 127.0.0.1 for the scan's few seconds.
        sql = f"SELECT name FROM items WHERE name = '{name}'"  # noqa: S608
        rows = [row[0] for row in con.execute(sql)]
        status, body = "200 OK", "".join(f"<li>{html.escape(r)}</li>" for r in rows)
    except sqlite3.Error:
        status, body = "200 OK", "<p>nothing</p>"
    finally:
        con.close()
    start_response(status, [("Content-Type", "text/html; charset=utf-8")])
    return [f"<!doctype html><ul>{body}</ul>".encode()]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    """sqlmap may open a connection it leaves idle while it sends its request on another: a
    server that answers one connection at a time then waits out sqlmap's timeout (seen: the
    canary "timed out" and was skipped). One thread per connection answers both."""

    daemon_threads = True


@contextlib.contextmanager
def canary_server():
    server = make_server(
        "127.0.0.1", 0, canary_app, server_class=ThreadingServer, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


# --- the scan ---------------------------------------------------------------------------------


def scan(folder: Path) -> list[str]:
    """Run everything; return the problems found (empty: nothing injectable)."""
    started = last = time.monotonic()
    env = app_env(folder)
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    ids = demo_values(folder / "scan.db")
    last = step("throwaway database migrated and seeded with the demo organisation", last)

    sock = bound_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server_log = folder / "server.log"
    server = start_server(env, sock, server_log)
    sock.close()  # gunicorn holds its own copy
    problems: list[str] = []
    try:
        wait_until_up(base, server, server_log)
        print(f"app served by gunicorn (PID {server.pid}) on {base}", flush=True)
        cookies = {who: sign_in(base, email) for who, email in PEOPLE.items()}
        with opener().open(
            urllib.request.Request(
                f"{base}/api/posts", headers={"Cookie": f"session={cookies['leader']}"}
            ),
            timeout=30,
        ) as response:
            ids["cursor"] = json.load(response)["next"]
        if not ids["cursor"]:
            raise SystemExit("the demo feed has a single page: no cursor to test")
        planned = [(t, t.url(base, ids)) for t in TARGETS]
        for target, url in planned:
            code = status_of(url, cookies[target.who])
            if code != 200:
                problems.append(f"{url} answered {code} to the {target.who} before the scan")
        if problems:
            return problems
        people = ", ".join(PEOPLE.values())
        last = step(f"signed in as {people}; the {len(planned)} target URLs answer 200", last)

        # Four sqlmap processes share the leader's targets (about as many parameters each), a
        # fifth takes the admin's and a sixth the canary: sqlmap mostly waits for the server.
        jobs = {f"leader-{i}": ([], cookies["leader"]) for i in range(1, 5)}
        load = dict.fromkeys(jobs, 0)
        for target, url in sorted(planned, key=lambda p: -len(p[0].params)):
            if target.who == "leader":
                lightest = min(load, key=load.get)
                jobs[lightest][0].append(url)
                load[lightest] += len(target.params)
        jobs["admin"] = ([url for t, url in planned if t.who == "admin"], cookies["admin"])
        with canary_server() as canary:
            jobs["canary"] = ([f"{canary}/items?name=alpha"], None)
            problems += run_all(jobs, folder)
        last = step("sqlmap over the canary and the targets", last)

        canary_outcome = read_outcome(folder / "canary")
        if not canary_outcome.injectable:
            problems.append(
                "sqlmap did not find the canary's injection: the scan cannot be trusted "
                f"(log: {folder / 'canary' / 'sqlmap.log'})"
            )
        else:
            print(f"canary: sqlmap found the planted injection ({canary_outcome.injectable[0]})")
        outcomes = [read_outcome(folder / name) for name in jobs if name != "canary"]
        tested = set().union(*(o.tested for o in outcomes))
        for o in outcomes:
            problems.extend(f"INJECTABLE {line}" for line in o.injectable)
            problems.extend(
                f"the app answered {line} to sqlmap's payloads" for line in o.server_errors
            )
        for target, url in planned:
            for param in target.params:
                if (urllib.parse.urlsplit(url).path, param) not in tested:
                    problems.append(f"sqlmap did not test {param!r} of {url}")
        for who, cookie in cookies.items():
            url = next(url for t, url in planned if t.who == who)
            if status_of(url, cookie) != 200:
                problems.append(f"the {who}'s session no longer works after the scan")
        if "Traceback" in server_log.read_text(errors="replace"):
            problems.append(f"the server logged an exception (see {server_log})")
        wanted = {(urllib.parse.urlsplit(url).path, p) for t, url in planned for p in t.params}
        routes = sorted({path for path, _ in wanted})
        print(f"sqlmap tested {len(wanted & tested)} of {len(wanted)} route parameters:")
        for path in routes:
            names = sorted(p for route, p in wanted & tested if route == path)
            print(f"  {path:22} {', '.join(names)}")
    finally:
        stop_server(server)
        print(f"-- the whole SQL-injection scan: {time.monotonic() - started:.1f}s", flush=True)
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    # A TERM (CI's timeout, a kill) unwinds like Ctrl-C, so the server is still stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    folder = Path(tempfile.mkdtemp(prefix="sqlmap-scan-"))
    try:
        problems = scan(folder)
    except SystemExit as exc:
        if isinstance(exc.code, int) or exc.code is None:
            raise
        problems = [str(exc.code)]
    except BaseException:
        print(f"logs kept in {folder}", file=sys.stderr)
        raise
    if problems or args.keep:
        print(f"logs kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    if problems:
        print("\nSQL-injection scan FAILED:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print("SQL-injection scan passed: no parameter is injectable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
