"""In the browser: a rep sees the unread count change when their fix is resolved, verifies the
fix from the notification, and the notifications about it are read.

The shared browser rig (tests/e2e/) is not on this branch, so this module brings a small live
server and Debian's Chromium (never a Playwright download) of its own.
"""

import os
import re
import threading

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from forum.extensions import db
from forum.fixes.models import Fix
from tests import factories
from tests.notify.conftest import build_org, file_post, make_fix, move, person

pytestmark = pytest.mark.e2e

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


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps`", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """``app`` served by werkzeug in a thread on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield url
    server.shutdown()
    thread.join(10)
    server.server_close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def _new_page():
        context = browser.new_context(base_url=live_server, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_rep_sees_the_count_change_when_their_fix_is_resolved_and_verifies_it(app, new_page):
    with app.app_context():
        org = build_org()
        fix = make_fix(org, file_post(org.author, title="Pallets arrive three weeks late"))
        move(fix, "acknowledged", org.ops)
        move(fix, "in_progress", org.ops)
        fix_id = fix.id
        rep_email, ops_email = person(org.author).email, person(org.ops).email

    rep = new_page()
    sign_in(rep, rep_email)
    header_link = rep.get_by_role("link", name=re.compile(r"^Notifications"))
    # Linked to the fix, then acknowledged and started: three unread.
    expect(header_link).to_have_accessible_name("Notifications 3 unread")

    ops = new_page()
    sign_in(ops, ops_email)
    ops.goto(f"/fixes/{fix_id}")
    ops.get_by_label("Resolution note").fill("A second carrier is contracted.")
    ops.get_by_label("Root-cause category").select_option(label="Capacity")
    ops.get_by_label("Prevention action").fill("Weekly capacity review")
    ops.get_by_role("button", name="Resolve").click()
    expect(ops.get_by_text("The fix is now “Resolved”.")).to_be_visible()

    rep.reload()
    expect(header_link).to_have_accessible_name("Notifications 4 unread")
    header_link.click()
    expect(rep.get_by_role("heading", level=1)).to_have_text("Notifications")
    rep.get_by_role(
        "button", name=f"Fix #{fix_id} “Shipping lead times” is resolved: did it hold?", exact=True
    ).click()
    expect(rep.get_by_role("heading", name="Did this fix hold?")).to_be_visible()
    rep.get_by_role("button", name="Yes — verify the fix").click()
    expect(rep.get_by_text("The fix is now “Verified”.")).to_be_visible()

    # Verifying is what the four notifications about this fix asked for: none is unread now.
    expect(rep.get_by_role("link", name=re.compile(r"^Notifications"))).to_have_accessible_name(
        "Notifications"
    )
    with app.app_context():
        assert db.session.get(Fix, fix_id).status == "verified"
