"""A long discussion comes in pages: the newest page first, older ones by plain links, a link
to one comment opens the page that holds it, and the page stays small whatever the length."""

import re

import pytest

from forum.extensions import db
from forum.feedback.models import Post
from forum.feedback.queries import COMMENTS_PER_PAGE
from tests import factories

TOTAL = COMMENTS_PER_PAGE * 2 + 5


@pytest.fixture
def thread(app, make_post):
    """A post with TOTAL comments, "Comment 1" the oldest; returns (post id, comment ids)."""
    post_id = make_post()
    with app.app_context():
        post = db.session.get(Post, post_id)
        author = factories.user("rep")
        ids = [
            factories.comment(post, author=author, body=f"Comment {n}").id
            for n in range(1, TOTAL + 1)
        ]
        db.session.commit()
    return post_id, ids


def _shown(response) -> list[int]:
    return [int(n) for n in re.findall(r"<p>Comment (\d+)</p>", response.get_data(as_text=True))]


def test_the_post_page_shows_the_newest_comments_oldest_first(client, login, thread):
    login("rep")
    post_id, _ = thread
    response = client.get(f"/posts/{post_id}")
    assert _shown(response) == list(range(TOTAL - 4, TOTAL + 1))  # the last, partial page
    assert f"Discussion ({TOTAL})" in response.get_data(as_text=True)


def test_older_comments_are_reached_by_links_without_javascript(client, login, thread):
    login("rep")
    post_id, _ = thread
    seen, url = [], f"/posts/{post_id}"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen = _shown(response) + seen
        older = re.search(r'<a rel="prev" href="([^"]+)"', response.get_data(as_text=True))
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == list(range(1, TOTAL + 1))


def test_a_link_to_a_comment_opens_the_page_that_holds_it(client, login, thread):
    login("rep")
    post_id, ids = thread
    response = client.get(f"/posts/{post_id}?comment={ids[2]}")
    assert f'id="comment-{ids[2]}"' in response.get_data(as_text=True)
    assert _shown(response) == list(range(1, COMMENTS_PER_PAGE + 1))


def test_a_new_comment_is_visible_on_the_next_request(client, login, thread):
    login("rep")
    post_id, _ = thread
    response = client.post(f"/posts/{post_id}/comments", data={"body": "Comment 999"})
    assert response.status_code == 302
    assert "comment=" in response.headers["Location"]
    assert 999 in _shown(client.get(response.headers["Location"]))
    assert f"Discussion ({TOTAL + 1})" in client.get(f"/posts/{post_id}").get_data(as_text=True)


def test_a_page_past_the_end_of_the_discussion_is_not_found(client, login, thread):
    login("rep")
    post_id, _ = thread
    assert client.get(f"/posts/{post_id}?page=4").status_code == 404
    assert client.get(f"/posts/{post_id}?page=x").status_code == 400


def test_the_post_page_stays_under_60_kb_however_long_the_thread(app, client, login, thread):
    login("rep")
    post_id, _ = thread
    with app.app_context():
        post = db.session.get(Post, post_id)
        author = factories.user("rep")
        for _ in range(200):
            factories.comment(post, author=author, body="A longer comment. " * 20)
        db.session.commit()
    assert len(client.get(f"/posts/{post_id}").get_data()) < 60_000
