"""The feed's keyset pagination over posts that tie on every sort key, and damaged cursors."""

import base64
import json
from datetime import timedelta
from decimal import Decimal

import pytest

from forum.extensions import db
from tests import factories
from tests.feedback.conftest import text
from tests.feedback.test_feed import T0


@pytest.fixture(scope="module")
def sixty(module_app):
    """60 posts with ties in date, corroborations and risk, so the cursor must use the id;
    built once for the module (every test here only reads)."""
    with module_app.app_context():
        author = factories.user("rep")
        posts = []
        for i in range(60):
            post = factories.post(author=author, created_at=T0 + timedelta(hours=i // 3))
            post.corroboration_count = i % 4
            post.total_at_risk = Decimal(i % 5) * Decimal("1000.25")
            post.at_risk_by_currency = {post.currency: str(post.total_at_risk)}
            posts.append(post)
        db.session.commit()
        return {
            "newest": [p.id for p in sorted(posts, key=lambda p: (p.created_at, p.id))][::-1],
            "corroborated": [
                p.id for p in sorted(posts, key=lambda p: (p.corroboration_count, p.id))
            ][::-1],
            "risk": [p.id for p in sorted(posts, key=lambda p: (p.total_at_risk, p.id))][::-1],
        }


@pytest.mark.parametrize("sort", ["newest", "corroborated", "risk"])
def test_cursor_pages_walk_every_post_once_in_order(client, login, sixty, sort):
    login("rep")
    seen, pages, cursor = [], [], None
    while True:
        query = f"sort={sort}" + (f"&after={cursor}" if cursor else "")
        data = client.get(f"/api/posts?{query}").get_json()
        pages.append(len(data["posts"]))
        seen += [p["id"] for p in data["posts"]]
        cursor = data["next"]
        if cursor is None:
            break
    assert pages == [25, 25, 10]
    assert seen == sixty[sort]


def test_the_html_feed_links_to_older_reports_until_the_end(client, login, sixty):
    login("rep")
    url, seen = "/posts/", []
    while url:
        page = text(client.get(url))
        seen += [
            int(chunk.split('"')[0])
            for chunk in page.split('class="post-title"><a href="/posts/')[1:]
        ]
        marker = 'rel="next" href="'
        url = page.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in page else None
    assert seen == sixty["newest"]


def _cursor(raw) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "query",
    [
        "after=not-a-cursor",
        "after=%21%21%21",
        "after=" + base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
        "after=" + _cursor({"a": 1}),
        "after=" + _cursor([1, 2, 3]),
        "after=" + _cursor(["2025-01-01T00:00:00+00:00", "7"]),
        "after=" + _cursor(["2025-01-01T00:00:00", 7]),
        "after=" + _cursor(["0001-01-01T00:00:00+14:00", 7]),
        "after=" + _cursor(["2025-01-01T00:00:00+00:00", -1]),
        "after=" + _cursor(["2025-01-01T00:00:00+00:00", 10**30]),
        "sort=corroborated&after=" + _cursor([10**30, 7]),
        "sort=corroborated&after=" + _cursor(["many", 7]),
        "sort=risk&after=" + _cursor(["sNaN", 7]),
        "sort=risk&after=" + _cursor(["NaN", 7]),
        "sort=risk&after=" + _cursor(["1e999999", 7]),
        "sort=risk&after=" + _cursor([[1], 7]),
        "kind=rumour",
        "outcome=stolen",
        "status=deleted",
        "sort=author_id",
        "sort=created_at;drop table posts",
        "team=abc",
        "team=-1",
        "team=1.5",
        "region=%C2%B2",
        "account=%D9%A3%D9%A3",
        "author=1%20OR%201=1",
        "author=99999999999",
    ],
)
@pytest.mark.parametrize("base", ["/posts/", "/api/posts"])
def test_a_damaged_cursor_or_unknown_filter_is_400(client, login, base, query, sixty):
    login("rep")
    response = client.get(f"{base}?{query}")
    assert response.status_code == 400
