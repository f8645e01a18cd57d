"""Page checks for the browser tests: axe-core (WCAG 2.1 A/AA) and the Nu HTML checker.

The live server keeps the exact bytes of every HTML response it sends (``DocumentRecorder``) and
tags each with a number in a response header. The browser notes every document it navigates to
(``PageChecks.watch``). When the test body ends, every noted document is

* validated by the Nu HTML checker, running once per session as a local HTTP service, and
* replayed, byte for byte and with its original headers (CSP included), into a separate checking
  page of the same viewport, where axe-core runs after the page's own scripts.

So the checks never race the test's own clicks, and a page the test left long ago is still
checked as it was served. ``check_page(page)`` checks the live page as it is now (for states that
only interaction produces, such as an opened menu). A check that cannot run fails the test.
"""

import functools
import itertools
import json
import re
import shutil
import subprocess
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.pagecheck import CSRF_TOKEN
from tests.ports import unused_port

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DOCUMENT_HEADER = "X-Test-Document"

# A document served again exactly as before (but for its CSRF tokens, which carry the second
# they were made in) has the same markup and the same accessibility: the Nu checker and axe
# results of the first one stand for it. Keyed by the content type (Nu) or the browser profile
# and the URL's path (axe: each test has a live server on a port of its own) and the body with
# its tokens blanked.
_CSRF_VALUE = re.compile(CSRF_TOKEN.encode())
_CHECKED_HTML: dict[tuple, list[str]] = {}
_CHECKED_AXE: dict[tuple, list[dict]] = {}


def _without_tokens(body: bytes) -> bytes:
    return _CSRF_VALUE.sub(rb"\1\2", body)


def _path(url: str) -> str:
    """The URL without its scheme, host and port."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))


# Loopback only: never send the pages under test through a proxy from the environment.
_local = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def require_file(path: Path) -> Path:
    """Fail (never skip) when a test asset is missing."""
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make browser-deps` (npm ci)", pytrace=False)
    return path


def artifact_path(nodeid: str, suffix: str) -> Path:
    """A file under test-artifacts/ named after the test."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")
    return ARTIFACTS / f"{name}-{suffix}"


# --- what the server sent --------------------------------------------------------------------


@dataclass
class Document:
    """One HTML response, exactly as the live server sent it."""

    number: int
    method: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def content_type(self) -> str:
        return _header(self.headers, "Content-Type") or "text/html; charset=utf-8"


def _header(headers, name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


class DocumentRecorder:
    """WSGI middleware keeping every HTML response (and every unhandled server error)."""

    def __init__(self, app):
        self.app = app
        self.documents: dict[int, Document] = {}
        self.server_errors: list[str] = []
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        seen: dict = {}

        def start(status, headers, exc_info=None):
            code = int(status.split()[0])
            content_type = _header(headers, "Content-Type") or ""
            if content_type.startswith("text/html") and not 300 <= code < 400:
                with self._lock:
                    seen.update(number=next(self._numbers), status=code, headers=list(headers))
                headers = [*headers, (DOCUMENT_HEADER, str(seen["number"]))]
            return start_response(status, headers, exc_info)

        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "") + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
        )
        try:
            result = self.app(environ, start)
            if not seen:
                return result
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            self.server_errors.append(f"{method} {path}\n{traceback.format_exc()}")
            raise
        self.documents[seen["number"]] = Document(
            seen["number"], method, seen["status"], seen["headers"], body
        )
        return [body]


# --- the Nu HTML checker ---------------------------------------------------------------------


class NuChecker:
    """The Nu HTML checker (vnu.jar) as an HTTP service on 127.0.0.1, started once."""

    def __init__(self, jar: Path, log_path: Path):
        java = shutil.which("java")
        if java is None:
            pytest.fail("java is not installed: run `make browser-deps`", pytrace=False)
        self.java, self.jar = java, jar
        self.log_path = log_path
        self._log = open(log_path, "wb")  # closed in close(), with the process
        self._launch()
        # The JVM starts and warms up in the background while other tests run.
        self._startup_error: str | None = None
        self._started = threading.Thread(target=self._start, name="vnu-start", daemon=True)
        self._started.start()

    def _launch(self) -> None:
        # The checker takes a port number, not a socket: another process may take the port
        # between our choosing it and the JVM binding it, and then the JVM exits (see _start).
        self.port = unused_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen(
            [
                self.java,
                "-Xss4m",  # the HTML schema is deeply recursive
                "-Xmx768m",
                # Start fast on two cores: quick JIT only, one GC thread (pages are small).
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(self.jar),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def _start(self, timeout: float = 120, launches: int = 3) -> None:
        deadline = time.monotonic() + timeout
        for launch in range(1, launches + 1):
            while self.process.poll() is None:
                try:
                    self._post(b"<!DOCTYPE html><html lang=en><title>warm-up</title></html>")
                    return
                except (urllib.error.URLError, OSError, ValueError):
                    if time.monotonic() > deadline:
                        self._startup_error = f"the Nu HTML checker did not start in {timeout}s"
                        return
                    time.sleep(0.1)
            if launch < launches:
                self._launch()  # it exited (its port was taken): again on another port
        self._startup_error = f"the Nu HTML checker exited with status {self.process.returncode}"

    def _post(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> list[dict]:
        request = urllib.request.Request(
            self.url + "?out=json", data=body, headers={"Content-Type": content_type}
        )
        with _local.open(request, timeout=60) as response:
            return json.load(response)["messages"]

    def _log_tail(self) -> str:
        self._log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join([line for line in lines if not line.lstrip().startswith("at ")][-20:])

    def messages(self, body: bytes, content_type: str) -> list[dict]:
        """All the checker's messages for one document (raises if the check could not run)."""
        self._started.join()
        if self._startup_error:
            pytest.fail(f"{self._startup_error}:\n{self._log_tail()}", pytrace=False)
        return self._post(body, content_type)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def vnu_problems(messages: list[dict]) -> list[str]:
    """Errors (and checker failures) as readable lines; warnings do not fail a page."""
    problems = []
    for m in messages:
        if m.get("type") == "info":
            continue
        where = f"line {m.get('lastLine', '?')}, column {m.get('firstColumn', '?')}"
        text = f"  [{m.get('type')}] {where}: {m.get('message')}"
        if m.get("extract"):
            text += f"\n      {m['extract'].strip()!r}"
        problems.append(text)
    return problems


# --- axe-core --------------------------------------------------------------------------------

_AXE_RUN = """tags => axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations'],
})"""


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """Inject axe-core and return its WCAG 2.1 A/AA violations for the page as it is now."""
    # evaluate() goes through the DevTools protocol, which the page's CSP does not govern, so
    # the context keeps enforcing the app's real CSP (no bypass_csp that could hide a breach).
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(_AXE_RUN, AXE_TAGS)["violations"]


def axe_report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"      at {' '.join(map(str, node['target']))}")
            lines.append(f"         {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
            if summary:
                lines.append(f"         {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"      ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def check_page(page, nodeid: str = "check_page") -> None:
    """Run axe on the live page now and fail with readable details on any violation."""
    violations = run_axe(page)
    if violations:
        shot = artifact_path(nodeid, f"axe-{int(time.time() * 1000)}.png")
        page.screenshot(path=shot, full_page=True)
        pytest.fail(
            f"axe: {len(violations)} WCAG 2.1 A/AA violation(s) on {page.url} (live page, "
            f"screenshot {shot.relative_to(ROOT)}):\n{axe_report(violations)}",
            pytrace=False,
        )


# --- one test's documents --------------------------------------------------------------------


@dataclass
class Visit:
    """A document the browser received: which one, at what URL, in which viewport."""

    number: int
    url: str
    profile: str
    label: str


class Replayers:
    """One page per viewport profile where served documents are replayed for axe.

    Kept for all the browser tests (a warm page checks in a tenth of a second); holds no cookies.
    """

    def __init__(self, browser, profiles: dict[str, dict]):
        self.browser = browser
        self.profiles = profiles
        self.pages: dict[str, object] = {}

    def page(self, profile: str):
        if profile not in self.pages or self.pages[profile].is_closed():
            context = self.browser.new_context(**self.profiles[profile])
            context.set_default_timeout(10_000)
            # axe-core is sent to the browser once and defined in every replayed document
            # before its own scripts (sending it per document took a tenth of a second each).
            context.add_init_script(_axe_source())
            self.pages[profile] = context.new_page()
        return self.pages[profile]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@dataclass
class PageChecks:
    """Collects what one test's browsers saw and checks it all when the test body ends."""

    recorder: DocumentRecorder
    vnu: NuChecker
    replayers: Replayers
    nodeid: str
    visits: list[Visit] = field(default_factory=list)
    browser_errors: list[str] = field(default_factory=list)

    def watch(self, context, profile: str, label: str) -> None:
        """Note every document ``context`` navigates to, its script errors and CSP refusals."""

        def on_response(response):
            number = response.headers.get(DOCUMENT_HEADER.lower())
            if number and response.request.resource_type == "document":
                self.visits.append(Visit(int(number), response.url, profile, label))

        def on_console(message):
            if message.type == "error" and "Content Security Policy" in message.text:
                where = message.location.get("url") or "?"
                self.browser_errors.append(f"{label}, {where}: CSP refused: {message.text}")

        def on_weberror(error):
            where = error.page.url if error.page else "?"
            self.browser_errors.append(f"{label}, {where}: uncaught script error: {error.error}")

        context.on("response", on_response)
        context.on("console", on_console)
        context.on("weberror", on_weberror)

    def run(self) -> None:
        """Check every visited document; one failure lists every problem found."""
        failures = [f"the server raised:\n{e}" for e in self.recorder.server_errors]
        failures += self.browser_errors
        for index, visit in enumerate(self.visits, 1):
            doc = self.recorder.documents.get(visit.number)
            browser = (
                visit.label if visit.label == visit.profile else f"{visit.label}, {visit.profile}"
            )
            where = f"page {index} ({browser})"
            if doc is None:
                failures.append(f"{where}: the server kept no copy of {visit.url}")
                continue
            where += f": {doc.method} {visit.url} -> {doc.status}"
            if doc.status >= 500:
                failures.append(f"{where}: the server answered with an error")
            problems = self._vnu_problems(doc)
            if problems:
                failures.append(f"{where}\nNu HTML checker:\n" + "\n".join(problems))
            page = self.replayers.page(visit.profile)
            violations = self._axe_violations(page, doc, visit)
            if violations:
                shot = artifact_path(self.nodeid, f"page{index}-axe.png")
                page.screenshot(path=shot, full_page=True)
                failures.append(
                    f"{where}\naxe ({len(violations)} violation(s), screenshot "
                    f"{shot.relative_to(ROOT)}):\n{axe_report(violations)}"
                )
        if failures:
            pytest.fail(
                f"page checks failed ({len(failures)} problem(s)):\n\n" + "\n\n".join(failures),
                pytrace=False,
            )

    def _vnu_problems(self, doc: Document) -> list[str]:
        key = (doc.content_type, _without_tokens(doc.body))
        if key not in _CHECKED_HTML:
            _CHECKED_HTML[key] = vnu_problems(self.vnu.messages(doc.body, doc.content_type))
        return _CHECKED_HTML[key]

    def _axe_violations(self, page, doc: Document, visit) -> list[dict]:
        key = (visit.profile, _path(visit.url), _without_tokens(doc.body))
        if key not in _CHECKED_AXE:
            _CHECKED_AXE[key] = self._replay_and_run_axe(page, doc, visit.url)
        return _CHECKED_AXE[key]

    @staticmethod
    def _replay_and_run_axe(page, doc: Document, url: str) -> list[dict]:
        headers = {
            k: v
            for k, v in doc.headers
            if k.lower() not in {"content-length", "set-cookie", DOCUMENT_HEADER.lower()}
        }

        def fulfill(route):
            route.fulfill(status=doc.status, headers=headers, body=doc.body)

        page.route(lambda u: u == url, fulfill, times=1)
        page.goto(url, wait_until="load")
        return run_axe(page)
