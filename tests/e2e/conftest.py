"""The browser test rig: a live server, Debian's Chromium driven by Playwright, page checks.

Every test here is marked ``e2e``. Fixtures:

* ``live_server`` — the test's app (same database as ``make_user``) served on 127.0.0.1;
* ``page`` (desktop) and ``phone_page``; ``new_page(profile)`` for more, e.g. a second person;
* ``sign_in(page, role, **user_fields)`` — creates a user and signs in through the real form;
* ``check_page(page)`` — axe on the live page now, for states only interaction produces.

When a test body ends, every HTML document its browsers received is checked with axe-core
(WCAG 2.1 A/AA) and the Nu HTML checker (see ``checks.py``); any violation, uncaught script
error, CSP refusal or server exception fails the test. A failed test leaves screenshots in
``test-artifacts/``. Chromium, Java and the npm assets are required: missing ones fail the run.
"""

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from forum.auth.models import User
from forum.extensions import db
from tests.conftest import Who
from tests.e2e import checks
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROFILES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-US",
    },
}
# The same two in dark mode (the system setting the stylesheet follows): axe checks contrast.
PROFILES["desktop-dark"] = PROFILES["desktop"] | {"color_scheme": "dark"}
PROFILES["phone-dark"] = PROFILES["phone"] | {"color_scheme": "dark"}
TIMEOUT_MS = 10_000
# What a page may take to show what a step expects, on a loaded machine: the same for actions
# (``set_default_timeout``) and for ``expect`` (5 s by default). Only how long a failing check
# waits; nothing is asserted about speed.
expect.set_options(timeout=TIMEOUT_MS)

HERE = Path(__file__).resolve().parent
_REPORTS = pytest.StashKey[dict]()
_CHECKS = pytest.StashKey[checks.PageChecks]()
_VNU = pytest.StashKey[checks.NuChecker]()


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.committed)  # the live server reads in its own threads


def pytest_collection_finish(session):
    # The JVM of the Nu HTML checker takes seconds to start: when browser tests are going to
    # run, start it now (in each pytest-xdist worker: the browser modules are scheduled first,
    # so every worker runs some) and let it warm up while the first test's browser starts.
    # (If java or the jar is missing, the `vnu` fixture fails each browser test.)
    config = session.config
    if (
        not config.option.collectonly
        and any(item.get_closest_marker("e2e") for item in session.items)
        and checks.VNU_JAR.is_file()
        and shutil.which("java")
    ):
        _start_vnu(config)


def _start_vnu(config) -> checks.NuChecker:
    checks.ARTIFACTS.mkdir(exist_ok=True)
    log = checks.ARTIFACTS / "vnu.log"
    checker = config.stash[_VNU] = checks.NuChecker(checks.require_file(checks.VNU_JAR), log)
    config.add_cleanup(checker.close)
    return checker


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # The page checks run as part of the test itself, so a violation is a failure of the test
    # that visited the page (not an error at teardown). A test that already failed is not checked.
    result = yield
    page_checks = item.stash.get(_CHECKS, None)
    if page_checks is not None:
        page_checks.run()
    return result


# --- processes shared by the browser tests ---------------------------------------------------


@pytest.fixture(scope="package")
def vnu(request):
    """The Nu HTML checker service (a JVM, started once for every browser test)."""
    return request.config.stash.get(_VNU, None) or _start_vnu(request.config)


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium (never a Playwright download). Package scope: Playwright's sync API
    marks an asyncio loop as running between calls, which must not outlive the browser tests."""
    checks.require_file(checks.AXE_JS)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps`", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def replayers(browser):
    """Pages where the page checks replay served documents for axe (one per profile)."""
    replayers = checks.Replayers(browser, PROFILES)
    yield replayers
    replayers.close()


# --- per test --------------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    recorder: checks.DocumentRecorder


@pytest.fixture
def live_server(app):
    """``app`` served by werkzeug in a thread on a free port of 127.0.0.1."""
    recorder = checks.DocumentRecorder(app)
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in e-mails and on pages lead here
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    yield LiveServer(url, recorder)
    server.shutdown()
    thread.join(10)
    server.server_close()


@pytest.fixture
def page_checks(request, live_server, vnu, replayers):
    """What this test's browsers see, checked when the test body ends."""
    page_checks = checks.PageChecks(live_server.recorder, vnu, replayers, request.node.nodeid)
    request.node.stash[_CHECKS] = page_checks
    return page_checks


@pytest.fixture
def new_page(request, browser, live_server, page_checks):
    """``new_page("phone", label="invitee")``: a page in a fresh, checked browser context;
    more context options, such as ``timezone_id="Asia/Tokyo"``, go to Playwright."""
    contexts = []

    def _new_page(profile: str = "desktop", label: str | None = None, **options):
        context = browser.new_context(base_url=live_server.url, **(PROFILES[profile] | options))
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page_checks.watch(context, profile, label or f"{profile} browser {len(contexts)}")
        return context.new_page()

    yield _new_page
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        _screenshot_all(request.node.nodeid, contexts)
    for context in contexts:
        context.close()


def _screenshot_all(nodeid: str, contexts) -> None:
    for i, context in enumerate(contexts, 1):
        for j, open_page in enumerate(context.pages, 1):
            path = checks.artifact_path(nodeid, f"failure-{i}-{j}.png")
            try:
                open_page.screenshot(path=path, full_page=True)
            except Exception as exc:  # noqa: BLE001 - a crashed page must not hide the failure
                print(f"could not save {path}: {exc}")
            else:
                print(f"screenshot of {open_page.url}: {path}")


@pytest.fixture
def page(new_page):
    """A desktop browser page (1280x800)."""
    return new_page("desktop", "desktop")


@pytest.fixture
def phone_page(new_page):
    """A phone browser page (390x844, touch, mobile)."""
    return new_page("phone", "phone")


@dataclass
class Person(Who):
    display_name: str = ""


@pytest.fixture
def sign_in(app, make_user):
    """``sign_in(page, "leader")`` creates a leader and signs in through the /login form."""

    def _sign_in(page, role: str = "rep", **user_fields) -> Person:
        who = make_user(role, **user_fields)
        with app.app_context():
            name = db.session.get(User, who.id).display_name
        page.goto("/login")
        page.get_by_label("E-mail").fill(who.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("/")
        return Person(who.id, who.email, who.role, who.team_id, name)

    return _sign_in


@pytest.fixture
def check_page(request):
    """``check_page(page)``: axe on the live page as it is now."""
    return lambda page: checks.check_page(page, request.node.nodeid)
