"""Results and snippets show exactly what the pages show: internal notes only to those who may
read them, and a shielded author's name to nobody but the author."""

import pytest

from forum.auth.models import User
from forum.extensions import db
from forum.finder import queries
from tests.search.conftest import build_corpus


@pytest.fixture(scope="module")
def corpus(module_app):
    """One corpus for the module: its tests only search it."""
    return build_corpus(module_app)


def _run(app, corpus, role, typed):
    with app.app_context():
        viewer = db.session.get(User, corpus.users[role].id)
        outcome = queries.run(queries.SearchFilter(q=typed), viewer)
        return [(r.target, r.item.id, r.author, str(r.snippet), r.found_in) for r in outcome.items]


def test_a_rep_never_finds_a_post_through_an_internal_note(app, corpus):
    assert _run(app, corpus, "rep", "staffing") == []


def test_a_rep_never_sees_an_internal_note_on_the_results_page(client, login, corpus):
    login(who=corpus.users["rep"])
    page = client.get("/search/?q=staffing+gap").text
    assert "Nothing matches" in page
    assert f'href="/posts/{corpus.ids["onboarding"][1]}"' not in page
    assert "Root cause" not in page and "internal note" not in page


@pytest.mark.parametrize("role", ["ops", "leader", "admin"])
def test_ops_leaders_and_admins_find_posts_through_internal_notes(app, corpus, role):
    [(target, post_id, _, snippet, found_in)] = _run(app, corpus, role, "staffing")
    assert (target, post_id) == corpus.ids["onboarding"]
    assert found_in == "an internal note"
    assert "<mark>staffing</mark>" in snippet


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_nobody_finds_a_shielded_post_by_its_authors_name(app, corpus, role):
    assert _run(app, corpus, role, "jordan blake") == []


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_a_shielded_post_shows_the_shield_in_results_to_everyone_else(app, corpus, role):
    [(_, _, author, snippet, _)] = _run(app, corpus, role, "support hours")
    assert author == "A verified rep (APAC)"
    assert "Jordan" not in snippet


def test_the_author_of_a_shielded_post_sees_their_own_name_in_results(app, corpus):
    [(_, _, author, _, _)] = _run(app, corpus, "shy", "support hours")
    assert author == "Jordan Blake"


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_the_results_page_never_names_a_shielded_author(client, login, corpus, role):
    login(who=corpus.users[role])
    for typed in ("support", "colleague", "apac", "jordan"):
        page = client.get("/search/", query_string={"q": typed})
        assert page.status_code == 200
        assert "Jordan" not in page.text
        assert "Blake" not in page.text


def test_a_comment_by_a_shielded_author_is_shown_without_their_name(app, corpus):
    [(target, post_id, author, snippet, found_in)] = _run(app, corpus, "leader", "colleague")
    assert (target, post_id) == corpus.ids["support"]
    assert found_in == "a comment"
    assert author == "A verified rep (APAC)"
    assert "Jordan" not in snippet
