"""The search box on every page and the results page: filters, paging and bad input."""

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import Post, PostKind
from tests import factories

SEARCH_BOX = re.compile(
    r'<form class="site-search" role="search"[^>]*action="/search/">\s*'
    r'<label for="site-search-q"[^>]*>[^<]+</label>\s*<input id="site-search-q"'
)


def _results(page) -> list[str]:
    return re.findall(r'<h2 class="post-title"><a href="(/[a-z]+/\d+)">', page.text)


def _url(corpus, key) -> str:
    target, ident = corpus.ids[key]
    return f"/{'posts' if target == 'post' else 'fixes'}/{ident}"


@pytest.mark.parametrize("path", ["/", "/posts/", "/posts/new", "/fixes/", "/accounts/"])
def test_every_page_has_a_labelled_search_box_in_its_header(client, login, path):
    login("rep")
    page = client.get(path)
    assert page.status_code == 200
    assert SEARCH_BOX.search(page.text)


def test_the_sign_in_page_has_no_search_box(client):
    assert "site-search" not in client.get("/login").text


def test_signed_out_visitors_are_asked_to_sign_in(client):
    response = client.get("/search/?q=late")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_header_box_keeps_the_words_on_the_results_page(client, login):
    login("rep")
    assert 'value="late pallets"' in client.get("/search/?q=late+pallets").text


def test_results_mark_the_matches_and_escape_what_users_wrote(app, client, login):
    who = login("rep")
    with app.app_context():
        rep = db.session.get(factories.User, who.id)
        services.create_post(
            rep,
            services.PostInput(
                kind=PostKind.FIELD_FEEDBACK,
                title="<script>alert(1)</script> pallets {{7*7}}",
                body="The <b>pallets</b> were late.",
            ),
        )
        db.session.commit()
    page = client.get("/search/?q=pallets").text
    assert "<script>alert" not in page and "<b>pallets" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>pallets</mark> {{7*7}}" in page
    assert "&lt;b&gt;<mark>pallets</mark>&lt;/b&gt;" in page


def test_an_empty_query_shows_how_to_search(client, login):
    login("rep")
    page = client.get("/search/")
    assert page.status_code == 200
    assert "Type one or more words" in page.text


def test_a_query_matching_nothing_says_so(client, login, corpus):
    login(who=corpus.users["rep"])
    page = client.get("/search/?q=unicorns")
    assert page.status_code == 200
    assert "Nothing matches" in page.text


def test_results_come_best_first_with_their_count(client, login, corpus):
    login(who=corpus.users["rep"])
    page = client.get("/search/?q=acme")
    assert "2 results" in page.text
    assert sorted(_results(page)) == sorted([_url(corpus, "late"), _url(corpus, "carrier")])


def test_the_kind_filter_keeps_fixes_only(client, login, corpus):
    login(who=corpus.users["rep"])
    assert _results(client.get("/search/?q=acme&kind=fix")) == [_url(corpus, "carrier")]


def test_the_kind_filter_keeps_one_kind_of_report(client, login, corpus):
    login(who=corpus.users["rep"])
    page = client.get("/search/?q=acme&kind=field_feedback")
    assert _results(page) == [_url(corpus, "late")]
    assert _results(client.get("/search/?q=acme&kind=win_loss")) == []


def test_a_report_status_keeps_reports_and_a_fix_status_keeps_fixes(client, login, corpus):
    login(who=corpus.users["rep"])
    assert _results(client.get("/search/?q=acme&status=new")) == [_url(corpus, "late")]
    assert _results(client.get("/search/?q=acme&status=open")) == [_url(corpus, "carrier")]
    assert _results(client.get("/search/?q=acme&status=declined")) == []


def test_the_team_filter_keeps_that_teams_reports_and_fixes(client, login, corpus):
    login(who=corpus.users["rep"])
    page = client.get(f"/search/?q=acme&team={corpus.team_id}")
    assert sorted(_results(page)) == sorted([_url(corpus, "late"), _url(corpus, "carrier")])
    assert _results(client.get(f"/search/?q=acme&team={corpus.team_id + 1000}")) == []


def test_the_account_filter_keeps_that_accounts_reports(client, login, corpus):
    login(who=corpus.users["rep"])
    page = client.get(f"/search/?q=late&account={corpus.account_id}")
    assert _results(page) == [_url(corpus, "late")]
    assert "Acme GmbH" in page.text
    assert _results(client.get(f"/search/?q=late&account={corpus.account_id + 1000}")) == []


def test_the_period_filter_leaves_out_older_posts(app, client, login, corpus):
    login(who=corpus.users["rep"])
    with app.app_context():
        post = db.session.get(Post, corpus.ids["late"][1])
        post.created_at = utcnow() - timedelta(days=100)
        db.session.commit()
    assert _results(client.get("/search/?q=three+weeks&period=30d")) == []
    assert _results(client.get("/search/?q=three+weeks&period=365d")) == [_url(corpus, "late")]


def test_results_are_paged(app, client, login):
    who = login("rep")
    with app.app_context():
        rep = db.session.get(factories.User, who.id)
        for n in range(23):
            services.create_post(
                rep,
                services.PostInput(
                    kind=PostKind.FIELD_FEEDBACK, title=f"Pallets late, case {n}", body="Late."
                ),
            )
        db.session.commit()
    first = client.get("/search/?q=pallets")
    assert len(_results(first)) == 20
    assert "Page 1 of 2" in first.text
    second = client.get("/search/?q=pallets&page=2")
    assert len(_results(second)) == 3
    assert set(_results(first)).isdisjoint(_results(second))
    assert client.get("/search/?q=pallets&page=3").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "q=late&kind=poem",
        "q=late&status=lost",
        "q=late&team=abc",
        "q=late&account=-1",
        "q=late&period=forever",
        "q=late&page=x",
        "q=late%00",
        "q=late&kind=%00",
    ],
)
def test_a_filter_or_page_that_cannot_be_understood_is_a_400(client, login, query):
    login("rep")
    assert client.get(f"/search/?{query}").status_code == 400


def test_invalid_utf8_in_the_query_is_searched_as_text(client, login):
    login("rep")
    assert client.get("/search/?q=%ff%fe%c3late").status_code == 200


def test_an_absurd_page_number_is_a_404(client, login):
    login("rep")
    assert client.get("/search/?q=late&page=999999999").status_code == 404


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=TEXT)
def test_any_text_typed_in_the_search_box_gets_a_page_never_an_error(client, login, typed):
    if client.csrf_token is None:
        login("leader")
    response = client.get("/search/", query_string={"q": typed})
    assert response.status_code == (400 if "\x00" in typed else 200)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    args=st.dictionaries(
        st.sampled_from(["q", "kind", "status", "team", "account", "period", "page"]),
        TEXT,
        max_size=7,
    )
)
def test_any_combination_of_parameters_gets_a_clear_answer(client, login, args):
    if client.csrf_token is None:
        login("rep")
    assert client.get("/search/", query_string=args).status_code in {200, 400, 404}
