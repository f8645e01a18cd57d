"""pip-audit --strict over the project's virtualenv: every installed distribution, its known
vulnerabilities, and a failure for any that cannot be audited.

    .venv/bin/python -m scanners.dependencies             # what `make scan` and .ci/run run
    .venv/bin/python -m scanners.dependencies --refresh   # update scanners/vulndb.json from PyPI
    .venv/bin/python -m scanners.dependencies --offline   # only the shipped database, said loudly

pip-audit's own "pypi" service reads PyPI's per-release JSON (``/pypi/NAME/VERSION/json``). The
network CI has serves only the per-project JSON (``/pypi/NAME/json``), whose vulnerabilities are
those of the newest release; there, plain pip-audit skips every package ("not found on PyPI")
and, without ``--strict``, passes having audited nothing. So pip-audit runs here with its OSV
service pointed at a server on 127.0.0.1 that answers, for each (name, version) it asks about,
from the first of:

1. PyPI's per-release JSON, where the network serves it;
2. PyPI's per-project JSON, when the installed version is the newest release;
3. ``scanners/vulndb.json``, shipped in the repository: what PyPI said of that release when it
   was refreshed (``--refresh``, while it was the newest), or, for a release held back on
   purpose, what a person found when reviewing it (``"source": "reviewed"``, with a note).

A release none of them knows fails the audit, and so does PyPI not answering (a proxy error, a
timeout, a 5xx): never a silent pass. Vulnerabilities accepted for a reason are listed in
``IGNORED`` below and passed as ``--ignore-vuln``. Prints how each package was audited and the
time it took.
"""

import argparse
import json
import os
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from subprocess import run

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

DATABASE = Path(__file__).resolve().parent / "vulndb.json"
PYPI = "https://pypi.org/pypi"
TIMEOUT = 20  # seconds for one PyPI request
STALE_DAYS = 90  # a shipped entry older than this is pointed out (not failed)
# Vulnerabilities accepted on purpose: id -> why (each is passed to pip-audit as --ignore-vuln).
IGNORED: dict[str, str] = {}


class Unreachable(Exception):
    """PyPI did not answer as it should: the audit cannot go on."""

    def __str__(self) -> str:
        return f"PyPI did not answer ({self.args[0]})"


class NoData(Exception):
    """Nothing knows this release's vulnerabilities."""


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def fetch_json(url: str) -> dict | None:
    """PyPI's JSON at ``url``, None for a 404; Unreachable for anything else that went wrong."""
    request = urllib.request.Request(url, headers={"User-Agent": "voice-of-sales pip-audit"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as answer:
        if answer.code == 404:
            return None
        raise Unreachable(f"{url} answered {answer.code}") from None
    except (OSError, ValueError) as exc:
        raise Unreachable(f"{url}: {exc}") from None


# Whether PyPI's per-release JSON is served on this network: unknown until a release the
# project lists answers 404 there (then it is not, and is not asked again) or 200.
per_release_served: bool | None = None


def from_pypi(name: str, version: str) -> tuple[str, list[dict]]:
    """(where from, PyPI's vulnerability entries) for one release; NoData or Unreachable."""
    global per_release_served
    if per_release_served is not False:
        release = fetch_json(f"{PYPI}/{name}/{version}/json")
        if release is not None:
            per_release_served = True
            return "PyPI (this release)", release.get("vulnerabilities") or []
    project = fetch_json(f"{PYPI}/{name}/json")
    if project is None:
        raise NoData(f"{name} is not on PyPI")
    if per_release_served is None and version in project.get("releases", {}):
        per_release_served = False  # it exists, yet its own JSON is not served
    newest = project["info"]["version"]
    if same_version(newest, version):
        return "PyPI (newest release)", project.get("vulnerabilities") or []
    raise NoData(f"{name} {version} is not PyPI's newest release ({newest})")


def load_database() -> dict:
    return json.loads(DATABASE.read_text())


def from_database(database: dict, name: str, version: str) -> dict:
    """The shipped entry for one release; NoData if there is none."""
    for known, entry in database["packages"].get(name, {}).items():
        if same_version(known, version):
            return entry
    raise NoData(f"{name} {version} is not in {DATABASE.name}")


def as_osv(name: str, vuln: dict) -> dict:
    """One of PyPI's vulnerability entries in the OSV schema pip-audit reads."""
    events = [{"introduced": "0"}] + [{"fixed": v} for v in vuln.get("fixed_in") or []]
    return {
        "id": vuln["id"],
        "aliases": vuln.get("aliases") or [],
        "summary": vuln.get("summary") or None,
        "details": vuln.get("details") or "",
        "withdrawn": vuln.get("withdrawn"),
        "affected": [
            {
                "package": {"name": name, "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }


class Answers:
    """What the local OSV service answered, per (name, version), for the summary."""

    def __init__(self, database: dict, offline: bool):
        self.database, self.offline = database, offline
        self.lock = threading.Lock()
        self.sources: dict[tuple[str, str], str] = {}
        self.failures: dict[tuple[str, str], NoData | Unreachable] = {}
        self.shipped_dates: dict[tuple[str, str], str] = {}

    def lookup(self, name: str, version: str) -> list[dict]:
        name = canonicalize_name(name)
        try:
            try:
                if self.offline:
                    raise NoData("offline")
                source, vulns = from_pypi(name, version)
            except NoData:
                entry = from_database(self.database, name, version)
                how = "reviewed by hand" if entry["source"] == "reviewed" else "PyPI"
                source, vulns = f"the shipped database ({how})", entry["vulnerabilities"]
                with self.lock:
                    self.shipped_dates[(name, version)] = entry["checked"]
        except (NoData, Unreachable) as exc:
            with self.lock:
                self.failures[(name, version)] = exc
            raise
        with self.lock:
            self.sources[(name, version)] = source
        return [as_osv(name, v) for v in vulns]


def serve(answers: Answers) -> ThreadingHTTPServer:
    """The OSV-compatible ``POST /v1/query`` on 127.0.0.1 (a port the kernel chose)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            try:
                query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                vulns = answers.lookup(query["package"]["name"], query["version"])
            except (NoData, Unreachable) as exc:
                self.answer(503, {"error": str(exc)})
            except (KeyError, TypeError, ValueError) as exc:
                self.answer(400, {"error": f"bad query: {exc}"})
            else:
                self.answer(200, {"vulns": vulns} if vulns else {})

        def answer(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def audit(offline: bool) -> int:
    """Run pip-audit --strict against the local service; 0 only if every distribution was
    audited and none has a known vulnerability."""
    started = time.monotonic()
    answers = Answers(load_database(), offline)
    server = serve(answers)
    url = f"http://127.0.0.1:{server.server_port}/v1/query"
    with tempfile.TemporaryDirectory(prefix="pip-audit-") as cache:
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--strict",
            "--vulnerability-service=osv",
            f"--osv-url={url}",
            f"--cache-dir={cache}",
            "--progress-spinner=off",
            "--desc=on",
            *(f"--ignore-vuln={vuln_id}" for vuln_id in IGNORED),
        ]
        # Our server is on loopback: no proxy for it, whatever the environment says.
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        done = run(command, env=env, capture_output=True, text=True, check=False, timeout=600)
    server.shutdown()
    server.server_close()
    if answers.failures:
        # pip-audit stopped at our 503 with a traceback; what went wrong is said below.
        print(done.stdout, end="")
    else:
        print(done.stdout, done.stderr, sep="", end="")
    report(answers)
    print(f"-- pip-audit: {time.monotonic() - started:.1f}s")
    if done.returncode != 0 or answers.failures:
        print("dependency audit FAILED", file=sys.stderr)
        return 1
    print("dependency audit passed: no known vulnerability in the virtualenv")
    return 0


def report(answers: Answers) -> None:
    """How each distribution was audited, and what could not be."""
    by_source: dict[str, list[str]] = {}
    for (name, version), source in sorted(answers.sources.items()):
        by_source.setdefault(source, []).append(f"{name} {version}")
    print(f"pip-audit asked about {len(answers.sources) + len(answers.failures)} distributions:")
    for source, packages in sorted(by_source.items()):
        print(
            textwrap.fill(
                ", ".join(packages),
                width=100,
                initial_indent=f"  {len(packages)} from {source}: ",
                subsequent_indent="      ",
                break_on_hyphens=False,
            )
        )
    if answers.shipped_dates:
        dates = sorted(set(answers.shipped_dates.values()))
        print(f"  the shipped entries used were checked on {', '.join(dates)}")
        stale = [
            f"{name} {version}"
            for (name, version), checked in sorted(answers.shipped_dates.items())
            if (date.today() - date.fromisoformat(checked)).days > STALE_DAYS
        ]
        if stale:
            print(f"  checked over {STALE_DAYS} days ago, refresh or review: {', '.join(stale)}")
    for (name, version), why in sorted(answers.failures.items()):
        print(f"  NOT AUDITED {name} {version}: {why}")
    if any(isinstance(why, NoData) for why in answers.failures.values()):
        print(
            "  Nothing knows that release: upgrade it to PyPI's newest, run `--refresh` where the "
            "network serves per-release JSON, or add a reviewed entry to scanners/vulndb.json."
        )
    if answers.offline:
        print("  OFFLINE: nothing was asked of PyPI; this is the shipped database's word alone.")
    for vuln_id, why in IGNORED.items():
        print(f"  ignored {vuln_id}: {why}")


def refresh() -> int:
    """Record what PyPI says of every installed release into scanners/vulndb.json."""
    database = load_database()
    packages = database["packages"]
    missing = []
    installed = sorted(
        {(canonicalize_name(d.metadata["Name"]), d.version) for d in metadata.distributions()}
    )
    for name, version in installed:
        try:
            source, vulns = from_pypi(name, version)
        except NoData as exc:
            known = packages.get(name, {}).get(version)
            missing.append(f"{name} {version}: {exc}" + (" (kept)" if known else ""))
            continue
        except Unreachable as exc:
            print(f"PyPI did not answer: {exc}", file=sys.stderr)
            return 1
        packages.setdefault(name, {})[version] = {
            "checked": today(),
            "source": "pypi",
            "vulnerabilities": vulns,
        }
        print(f"{name} {version}: {len(vulns)} vulnerabilities ({source})")
    database["packages"] = {n: dict(sorted(v.items())) for n, v in sorted(packages.items())}
    DATABASE.write_text(json.dumps(database, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {DATABASE}")
    for line in missing:
        print(f"no data from PyPI for {line}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--refresh", action="store_true", help="update the shipped database")
    group.add_argument("--offline", action="store_true", help="audit from it alone")
    args = parser.parse_args(argv)
    return refresh() if args.refresh else audit(args.offline)


if __name__ == "__main__":
    sys.exit(main())
