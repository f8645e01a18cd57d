"""A report's own revenue at risk and the total with its "me too"s are different figures, and
every page that shows one says which it is (issue 11: the inbox and the feed disagreed)."""

from decimal import Decimal

import pytest

from forum.extensions import db
from forum.feedback import services as posts
from tests import factories


@pytest.fixture
def corroborated(app):
    """A broken promise of USD 50,000 and a "me too" of USD 30,000 for another account."""
    with app.app_context():
        post = factories.post(
            "broken_promise", title="Pallets late", revenue_at_risk=Decimal("50000"), currency="USD"
        )
        posts.recompute_totals(post)
        factories.account("Globex")
        posts.corroborate(post, factories.user("rep"), account="Globex", amount=Decimal("30000"))
        db.session.commit()
        return post.id


def test_each_page_says_which_revenue_it_shows(client, login, corroborated):
    login("leader")
    feed = client.get("/posts/").text
    assert "USD 80,000 at risk with its “me too”s" in feed
    inbox = client.get("/triage/").text
    assert "USD 50,000 in this report<br>USD 80,000 with its “me too”s" in inbox
    detail = client.get(f"/posts/{corroborated}").text
    assert "Revenue at risk in this report</dt><dd>USD 50,000" in detail
    assert "Total at risk with its “me too”s (each account once)</dt><dd>USD 80,000" in detail


def test_a_report_without_me_toos_shows_one_figure(app, client, login):
    with app.app_context():
        post = factories.post("broken_promise", revenue_at_risk=Decimal("50000"), currency="USD")
        posts.recompute_totals(post)
        db.session.commit()
    login("leader")
    feed = client.get("/posts/").text
    assert "USD 50,000 at risk</span>" in feed
    assert "with its “me too”s" not in client.get("/triage/").text
