"""Personal access tokens in the browser: made on the settings page, shown once, used against
the API, revoked; the API reference is drawn from the document without a CDN."""

import json
import urllib.error
import urllib.request

from playwright.sync_api import expect


def _me(base_url: str, token: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310  # our live server
            assert json.load(response)["token"]["scope"] == "read"
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_rep_makes_a_token_uses_it_and_revokes_it(page, sign_in, live_server):
    sign_in(page, "rep")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Make the token").click()

    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("vos_")
    assert _me(live_server.url, secret) == 200

    page.goto("/settings/tokens/")  # shown once
    expect(page.get_by_role("heading", name="Your new token")).to_have_count(0)
    expect(page.get_by_role("table")).to_contain_text("CRM sync")
    page.get_by_role("button", name=f"Revoke {secret[:12]}").click()
    expect(page.get_by_role("table")).to_contain_text("revoked")
    assert _me(live_server.url, secret) == 401


def test_the_api_reference_is_drawn_from_the_document(page, sign_in):
    sign_in(page, "leader")
    page.goto("/api/v1/docs")
    reference = page.locator("#api-reference")
    # Redoc parses a 1 MB bundle and draws the whole document: on a loaded two-core machine
    # that took more than the usual 10 s wait (only how long a failing check waits).
    expect(reference).to_contain_text("/api/v1/fixes/{fix_id}/transitions", timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Voice of Sales (v1)")
