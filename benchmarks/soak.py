"""Soak: load the heaviest pages under gunicorn for a while and count the workers that die.

    .venv/bin/python -m benchmarks.soak                      # SOAK_SECONDS (default 600)
    SOAK_SECONDS=120 .venv/bin/python -m benchmarks.soak     # `make soak-ci`
    .venv/bin/python -m benchmarks.soak --keep /tmp/soak     # keep the database and the logs

Builds a throwaway SQLite database in a temporary folder (``benchmarks.soak_data``: the demo,
a report with 1,000 comments, a fix with 1,000 more history entries), starts gunicorn on
127.0.0.1 with the repository's ``gunicorn.conf.py`` (2 sync workers, ``PYTHONFAULTHANDLER=1``),
signs in as the demo's leader and loads the huge report, the huge fix, the board, win/loss,
triage and the fix queue with ``wrk``: bursts of ``-t2 -c16`` for 3 seconds, a single-connection
burst between them, until the time is up. Then it reads gunicorn's log: every ``worker-death``
line of the config's ``child_exit`` hook, every ``Worker (pid:N) was sent SIG...`` and ``exited
with code`` line of gunicorn itself, ``WORKER TIMEOUT`` and ``Fatal Python error``. It prints
the requests served and the deaths, and exits 1 on any death (or any page not answering 200).

``SOAK_PAGES=big`` loads only the huge report and the huge fix (the issue's reproduction).
``SOAK_WORKERS``, ``SOAK_COMMENTS``, ``SOAK_ENTRIES`` change the worker count and the sizes; the
machine it runs on is usually shared, so the request rate is a figure, not a verdict.
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from benchmarks.serverenv import LIFTED_LIMITS, server_env

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 120
LISTENING_RE = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
# One death may be told by several lines (gunicorn's own and the hook's): counted once per pid.
DEATH_RES = [
    re.compile(r"worker-death pid=(\d+) (.*)"),
    re.compile(r"Worker \(pid:(\d+)\) was sent (SIG(?!TERM)\w+)"),
    re.compile(r"Worker \(pid:(\d+)\) exited with code (\d+)"),
    re.compile(r"WORKER TIMEOUT \(pid:(\d+)\)()"),
]
ACCESS_RE = re.compile(r'^\S+ \[[^]]+\] "GET [^"]*" \d{3} ', re.MULTILINE)
FATAL_RE = re.compile(r"Fatal Python error: (.*)")
WRK_REQUESTS = re.compile(r"(\d+) requests in")
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
PASSED_ON = {"SOAK_PYTHON", "GUNICORN_CMD_ARGS", "DISABLE_SQLALCHEMY_CEXT_RUNTIME"}
LUA = """-- Rotate through the soak's pages, one after the other, on every connection.
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def environment(folder: Path, workers: int) -> dict[str, str]:
    """The server's and the data builder's environment: nothing of the caller's leaks in."""
    env = server_env(
        "soak",
        f"sqlite:///{folder / 'soak.sqlite'}",
        folder,
        WEB_CONCURRENCY=str(workers),
        PYTHONFAULTHANDLER="1",
        # One leader from 127.0.0.1: the limits are not what is soaked.
        **LIFTED_LIMITS,
    )
    # Experiments (README "Watching for worker deaths"): PYTHONMALLOC=debug, PYTHONDEVMODE=1,
    # PYTHONPATH (a stand-in module), GUNICORN_CMD_ARGS="--preload", another interpreter
    # (SOAK_PYTHON), SQLAlchemy without its compiled extensions.
    for name, value in os.environ.items():
        if name in PASSED_ON or name.startswith("PYTHON"):
            env[name] = value
    return env


def build(env: dict, comments: int, entries: int) -> dict:
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak_data", f"--comments={comments}",
         f"--entries={entries}"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"building the data failed:\n{result.stdout}{result.stderr}")
    ids = json.loads(result.stdout.strip().splitlines()[-1])
    ids["seconds"] = time.monotonic() - began
    return ids


def start_gunicorn(env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    python = env.get("SOAK_PYTHON") or sys.executable
    args = [
        python, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
        "--bind", "127.0.0.1:0", "--no-control-socket", "app:app",
    ]  # fmt: skip
    with open(log, "ab") as out:
        server = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        match = LISTENING_RE.search(log.read_text(errors="replace"))
        if match:
            return server, int(match.group(1))
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{log.read_text()}")
        time.sleep(0.1)
    stop(server)
    raise SystemExit(f"gunicorn did not listen within {START_SECONDS}s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def sign_in(base: str, email: str, password: str) -> str:
    """The leader's session cookie, signed in through the real form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + START_SECONDS
    while True:  # the workers import the app after the master listens
        try:
            page = opener.open(f"{base}/login", timeout=30).read().decode()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    opener.open(f"{base}/login", data=form.encode(), timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    return f"session={cookies['session']}"


def check_pages(base: str, cookie: str, paths: list[str]) -> list[str]:
    """Every page must answer 200 to the signed-in leader before it is soaked."""
    problems = []
    for path in paths:
        request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
                size = len(response.read())
        except urllib.error.HTTPError as exc:
            status, size = exc.code, 0
        print(f"  {path:<36} {status} {size:>9,} bytes")
        if status != 200:
            problems.append(f"{path} answered {status}")
    return problems


def wrk(url: str, cookie: str, script: Path, threads: int, connections: int, seconds: float):
    """(requests, non-2xx, socket errors) of one burst."""
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=60s",
         "-s", str(script), "-H", f"Cookie: {cookie}", url],
        capture_output=True, text=True, timeout=seconds + 120, check=False,
    )  # fmt: skip
    out = result.stdout
    requests = int(m.group(1)) if (m := WRK_REQUESTS.search(out)) else 0
    non_2xx = int(m.group(1)) if (m := WRK_NON_2XX.search(out)) else 0
    socket_errors = sum(map(int, m.groups())) if (m := WRK_SOCKET.search(out)) else 0
    return requests, non_2xx, socket_errors


def deaths(log_text: str) -> dict[str, str]:
    """pid -> how it died, from every kind of line that tells of a death."""
    found: dict[str, str] = {}
    for pattern in DEATH_RES:
        for match in pattern.finditer(log_text):
            how = match.group(2).strip() or "timeout"
            found[match.group(1)] = found.get(match.group(1)) or how
    return found


def soak(args) -> int:
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="vos-soak-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = environment(folder, args.workers)
    if not (folder / "soak.sqlite").exists():
        ids = build(env, args.comments, args.entries)
        print(
            f"Built the demo, report {ids['post']} with {ids['comments']:,} comments and fix "
            f"{ids['fix']} with {ids['entries']:,} history entries in {ids['seconds']:.0f} s."
        )
        (folder / "ids.json").write_text(json.dumps(ids))
    ids = json.loads((folder / "ids.json").read_text())
    paths = [f"/posts/{ids['post']}", f"/fixes/{ids['fix']}"]
    if args.pages == "all":
        paths += ["/board/", "/board/win-loss?period=year", "/triage/", "/fixes/queue"]
    script = folder / "pages.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    log = folder / "gunicorn.log"
    log.write_text("")
    server, port = start_gunicorn(env, log)
    base = f"http://127.0.0.1:{port}"
    totals = {"requests": 0, "non_2xx": 0, "socket_errors": 0, "bursts": 0}
    began = time.monotonic()
    try:
        cookie = sign_in(base, "leader@example.com", "soak-password")
        print(f"gunicorn {server.pid} on {base}, {args.workers} workers; the pages:")
        problems = check_pages(base, cookie, paths)
        if problems:
            print("Not soaked: " + "; ".join(problems))
            return 1
        began = time.monotonic()
        while time.monotonic() - began < args.seconds:
            heavy = totals["bursts"] % 2 == 0
            left = args.seconds - (time.monotonic() - began)
            seconds = max(1, min(args.burst, round(left)))
            shape = (2, 16) if heavy else (1, 1)
            burst = wrk(base + paths[0], cookie, script, *shape, seconds)
            for key, value in zip(("requests", "non_2xx", "socket_errors"), burst, strict=True):
                totals[key] += value
            totals["bursts"] += 1
            if server.poll() is not None:
                print(f"gunicorn's master exited ({server.returncode})")
                break
    finally:
        elapsed = time.monotonic() - began
        stop(server)
    text = log.read_text(errors="replace")
    running, _, stopping = text.partition("Handling signal: term")  # the soak stopped the server
    died = deaths(running)
    # stop() sends SIGTERM to gunicorn's whole process group: a worker still booting then (the
    # successor of one recycled by max_requests) can die of it before it installs its handler.
    # That is the stop, not a crash; any other death while stopping still counts.
    died |= {
        pid: how for pid, how in deaths(stopping).items() if not how.startswith("signal=SIGTERM")
    }
    fatal = FATAL_RE.findall(text)
    recycled = len(re.findall(r"worker-exit pid=\d+ exit=0", running))
    served = len(ACCESS_RE.findall(text))
    print(
        f"{served:,} requests served in {elapsed:.0f} s ({served / elapsed:.1f}/s, "
        f"{totals['bursts']} bursts; wrk saw {totals['requests']:,} complete): "
        f"{totals['non_2xx']} not 2xx/3xx, {totals['socket_errors']} socket errors; "
        f"{recycled} workers recycled (max_requests)."
    )
    print(f"Worker deaths: {len(died)}" + "".join(f"\n  pid {p}: {h}" for p, h in died.items()))
    for line in fatal:
        print(f"  Fatal Python error: {line}")
    print(f"gunicorn's log: {log}" if args.keep else "")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    failed = died or fatal or server.returncode not in (0, -signal.SIGTERM)
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--burst", type=float, default=3, help="seconds of each wrk burst")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SOAK_WORKERS", 2)))
    parser.add_argument("--comments", type=int, default=int(os.environ.get("SOAK_COMMENTS", 1000)))
    parser.add_argument("--entries", type=int, default=int(os.environ.get("SOAK_ENTRIES", 1000)))
    parser.add_argument(
        "--pages",
        choices=["all", "big"],
        default=os.environ.get("SOAK_PAGES", "all"),
        help="big: only the huge report and the huge fix, alternating",
    )
    parser.add_argument("--keep", help="build (or reuse) the database and keep the logs here")
    return soak(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
