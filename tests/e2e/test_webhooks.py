"""An admin registers a webhook in the browser, keeps its secret (shown once), sends a test
message, and reads in the delivery log that the receiver (a real HTTP server on 127.0.0.1)
accepted it; the worker, not the request, sent it."""

import re

import pytest
from playwright.sync_api import expect

from forum.notify import delivery
from forum.webhooks import signing
from tests.webhooks.conftest import Receiver, serve


@pytest.fixture
def receiver():
    found = Receiver()
    server, thread = serve(found)
    yield found
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_an_admin_registers_a_webhook_sends_a_test_and_reads_the_log(app, page, sign_in, receiver):
    app.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] = ("127.0.0.1",)
    sign_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="Register an endpoint").click()

    page.get_by_label("Name").fill("Fixes channel")
    page.get_by_label("URL").fill("http://169.254.169.254/latest/meta-data")
    page.get_by_label("A fix is created").check()
    page.get_by_role("button", name="Register the endpoint").click()
    expect(page.get_by_role("alert")).to_contain_text("private or reserved address")
    expect(page.get_by_label("URL")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("URL").fill(receiver.url())
    page.get_by_role("button", name="Register the endpoint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("“Fixes channel” is registered")
    receiver.secret = page.locator("#webhook-secret").inner_text()
    assert receiver.secret.startswith("whsec_")

    page.get_by_role("link", name="Open the endpoint and send a test message").click()
    page.get_by_role("button", name="Send a test message").click()
    expect(page.get_by_role("status")).to_contain_text("A test message is queued")
    expect(page.locator("table")).to_contain_text("Not tried yet")
    assert receiver.got == []  # the request only queued it

    with app.app_context():
        delivery.deliver_due()
    page.reload()
    log = page.locator("table")
    expect(log).to_contain_text("Sent")
    expect(log).to_contain_text(re.compile(r"HTTP 200, \d+ ms"))
    [got] = receiver.got
    assert got.signed and got.headers[signing.EVENT_HEADER] == "ping"
    assert receiver.secret not in page.content()  # shown once only
