"""The feed: filters, sorts, keyset pagination, bad parameters, and a fixed number of queries."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from forum.auth.models import TeamKind, User
from forum.core import rates
from forum.core.time import utcnow
from forum.extensions import db
from tests import factories
from tests.feedback.conftest import text

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def ids(client, query: str = "") -> list[int]:
    response = client.get(f"/api/posts?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [p["id"] for p in response.get_json()["posts"]]


@pytest.fixture
def varied(app):
    """Posts that differ in every filtered attribute; returns their ids by name."""
    with app.app_context():
        north, south = factories.team(TeamKind.SALES), factories.team(TeamKind.SALES)
        shipping, billing = factories.team(TeamKind.OPERATIONS), factories.team(TeamKind.OPERATIONS)
        alice = factories.user("rep", team_obj=north)
        bob = factories.user("rep", team_obj=south)
        acme = factories.account("Acme")
        made = {
            "feedback": factories.post(
                author=alice, team=billing, tags=("pricing",), created_at=T0
            ),
            "won": factories.post(
                "win_loss", author=bob, outcome="won", account=acme, created_at=T0
            ),
            "lost": factories.post(
                "win_loss", author=alice, outcome="lost", tags=("pricing", "competitor")
            ),
            "promise": factories.post(
                "broken_promise", author=bob, team=shipping, account=acme, status="linked"
            ),
            "shielded": factories.post(author=alice, shielded=True, status="noted"),
        }
        db.session.commit()
        return {
            **{k: v.id for k, v in made.items()},
            "north": north.id,
            "south": south.id,
            "shipping": shipping.id,
            "billing": billing.id,
            "alice": alice.id,
            "bob": bob.id,
            "acme": acme.id,
        }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=win_loss", {"won", "lost"}),
        ("kind=broken_promise", {"promise"}),
        ("outcome=won", {"won"}),
        ("status=linked", {"promise"}),
        ("status=noted", {"shielded"}),
        ("team={shipping}", {"promise"}),
        ("team={billing}", {"feedback"}),
        ("region={north}", {"feedback", "lost", "shielded"}),
        ("account={acme}", {"won", "promise"}),
        ("tag=pricing", {"feedback", "lost"}),
        ("tag=competitor", {"lost"}),
        ("author={bob}", {"won", "promise"}),
        ("author={alice}", {"feedback", "lost"}),
        ("kind=win_loss&region={north}", {"lost"}),
        ("tag=nothing-like-this", set()),
    ],
)
def test_each_feed_filter_finds_exactly_the_matching_posts(client, login, varied, query, expected):
    login("rep")
    found = ids(client, query.format(**varied))
    assert set(found) == {varied[name] for name in expected}


def test_the_html_feed_applies_the_same_filters(client, login, varied):
    login("rep")
    page = text(client.get("/posts/?kind=win_loss&outcome=won"))
    assert f'href="/posts/{varied["won"]}"' in page
    assert f'href="/posts/{varied["lost"]}"' not in page


def test_the_feed_is_newest_first(client, login, app):
    login("rep")
    with app.app_context():
        old = factories.post(created_at=T0).id
        new = factories.post(created_at=T0 + timedelta(days=1)).id
        db.session.commit()
    assert ids(client) == [new, old]


def test_the_feed_sorts_by_corroborations(client, login, app):
    login("rep")
    with app.app_context():
        quiet = factories.post(created_at=T0 + timedelta(days=2))
        loud = factories.post(created_at=T0)
        for _ in range(3):
            factories.corroboration(loud)
        factories.corroboration(quiet)
        db.session.commit()
        expected = [loud.id, quiet.id]
    assert ids(client, "sort=corroborated") == expected


def test_the_feed_sorts_by_revenue_at_risk(client, login, app):
    login("rep")
    with app.app_context():
        small = factories.post("broken_promise", revenue_at_risk=Decimal("900"))
        big = factories.post("broken_promise", revenue_at_risk=Decimal("120000.50"))
        none = factories.post()
        db.session.commit()
        expected = [big.id, small.id, none.id]
    assert ids(client, "sort=risk") == expected


def test_the_feeds_risk_order_compares_amounts_in_the_reporting_currency(client, login, app):
    """JPY 5,000,000 (about USD 33,500) comes after USD 40,000; BRL without a rate last."""
    login("rep")
    with app.app_context():
        month = rates.month_of(utcnow())
        rates.store_rates([rates.RateInput(month, "JPY", "USD", Decimal("0.0067"))], actor_id=None)
        yen = factories.post("broken_promise", revenue_at_risk=Decimal(5_000_000), currency="JPY")
        reais = factories.post("broken_promise", revenue_at_risk=Decimal(9_000_000), currency="BRL")
        dollars = factories.post("broken_promise", revenue_at_risk=Decimal(40_000))
        db.session.commit()
        expected = [dollars.id, yen.id, reais.id]
    assert ids(client, "sort=risk") == expected


def test_a_400_from_the_api_is_json(client, login):
    login("rep")
    response = client.get("/api/posts?kind=rumour")
    assert response.get_json()["status"] == 400


def test_a_tag_filter_is_matched_literally(client, login, app):
    login("rep")
    with app.app_context():
        factories.post(tags=("pricing",))
        db.session.commit()
    assert ids(client, "tag=%25") == []
    assert ids(client, "tag=pric_ng") == []


def test_my_reports_runs_the_same_number_of_queries_for_3_or_30_posts(
    app, sign_in, make_user, count_queries
):
    who = make_user("rep")
    client = sign_in(who)

    def add(n):
        with app.app_context():
            me = db.session.get(User, who.id)
            for i in range(n):
                post = factories.post(author=me, account=factories.account(), tags=("x",))
                if i % 2:
                    post.status, post.duplicate_of = "duplicate", factories.post()
            db.session.commit()

    add(3)
    with count_queries() as few:
        assert client.get("/posts/mine").status_code == 200
    add(27)
    with count_queries() as many:
        assert client.get("/posts/mine").status_code == 200
    assert len(many) == len(few), "\n".join(many)


def test_my_reports_lists_only_my_own_posts_with_their_status(client, login, app, make_post):
    who = login("rep")
    mine = make_post(
        author=who,
        title="My shielded one",
        shielded=True,
        status="declined",
        status_reason="Out of scope",
    )
    make_post(title="Somebody else's")
    page = text(client.get("/posts/mine"))
    assert f'href="/posts/{mine}"' in page
    assert "Somebody else" not in page
    assert "Reason: Out of scope" in page


def test_an_empty_feed_says_so(client, login):
    login("rep")
    assert "No reports match these filters." in text(client.get("/posts/"))


def test_the_similar_posts_endpoint_finds_posts_sharing_title_words(client, login, make_post):
    login("rep")
    late = make_post(title="Pallets delivered late to Initech")
    make_post(title="Invoice shows the wrong VAT rate")
    data = client.get("/posts/similar?title=late+pallets+again").get_json()
    assert [p["id"] for p in data["posts"]] == [late]


def test_the_similar_posts_endpoint_treats_wildcards_literally(client, login, make_post):
    login("rep")
    make_post(title="Pallets delivered late to Initech")
    assert client.get("/posts/similar?title=%25%25%25+___").get_json() == {"posts": []}
