"""The board's pages: accessible server-side charts, what they show, escaping, shielding, and a
fixed number of SQL statements whatever the amount of data."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from forum.auth.models import Team
from forum.extensions import db
from tests.board import world as generator

CHART_PAGES = ["/board/?period=year", "/board/teams/{team}", "/board/win-loss?period=year"]


@pytest.fixture(scope="module")
def world(module_app):
    """One organisation for the module; each test's own changes are rolled back."""
    with module_app.app_context():
        built = generator.build(31, now=datetime.now(UTC))
        db.session.commit()
        return built


@pytest.fixture
def leader(login):
    return login("leader")


def _get(client, url, world):
    response = client.get(url.format(team=world.ops_teams[0], account=next(iter(world.accounts))))
    assert response.status_code == 200, response.text[:500]
    return response.text


@pytest.mark.parametrize("url", CHART_PAGES)
def test_every_chart_is_an_image_with_a_title_and_a_description(client, world, leader, url):
    html = _get(client, url, world)
    charts = re.findall(r"<svg\b[^>]*>.*?</svg>", html, re.S)
    assert charts
    for svg in charts:
        ident = re.search(r'aria-labelledby="([\w-]+)-title \1-desc"', svg).group(1)
        assert 'role="img"' in svg
        assert re.search(rf'<title id="{ident}-title">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{ident}-desc">[^<]+</desc>', svg)


@pytest.mark.parametrize("url", CHART_PAGES)
def test_the_charts_come_with_their_numbers_in_tables(client, world, leader, url):
    html = _get(client, url, world)
    assert '<table class="chart-data">' in html


@pytest.mark.parametrize(
    "url",
    [
        *CHART_PAGES,
        "/board/review?period=year",
        "/board/fixes?list=open",
        "/board/posts?list=promises&period=year",
        "/board/accounts/{account}",
    ],
)
def test_no_page_carries_inline_styles_or_inline_scripts(client, world, leader, url):
    html = _get(client, url, world)
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_board_shows_each_operations_team_with_a_link_to_its_scorecard(client, world, leader):
    html = _get(client, "/board/", world)
    for team_id in world.ops_teams:
        assert f'href="/board/teams/{team_id}"' in html


def test_the_heat_map_cells_link_to_the_overdue_fixes_of_that_team_and_priority(
    client, world, leader
):
    html = _get(client, "/board/", world)
    team = world.ops_teams[0]
    assert f"/board/fixes?list=overdue&amp;team={team}&amp;priority=P1" in html


def test_a_filter_is_kept_in_the_links_of_the_page(client, world, leader):
    region = world.regions[0]
    html = _get(client, f"/board/?period=half&region={region}", world)
    assert f"/board/fixes?period=half&amp;region={region}&amp;list=open" in html


def test_team_names_are_escaped_in_tables_and_charts(app, client, world, leader):
    with app.app_context():
        db.session.get(Team, world.ops_teams[0]).name = '<script>alert("x")</script>'
        db.session.commit()
    html = _get(client, "/board/", world)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_the_reports_behind_a_figure_show_a_shielded_author_as_a_verified_rep(
    client, world, leader
):
    html = _get(client, "/board/posts?list=reported&from=2025-01-01&to=2026-12-31", world)
    assert "A verified rep (" in html


def test_the_promise_ledger_names_no_author(app, client, world, leader):
    from forum.auth.models import User

    with app.app_context():
        names = [db.session.get(User, r).display_name for r in world.reps]
    for account in world.accounts:
        html = _get(client, f"/board/accounts/{account}", world)
        assert not any(name in html for name in names)


def test_the_scorecard_lists_the_teams_stale_catalog_entries(client, world, leader):
    html = _get(client, "/board/teams/{team}", world)
    assert "Ships in 5 days" in html
    assert "Support hours" not in html


def test_the_period_review_has_its_five_parts(client, world, leader):
    html = _get(client, "/board/review?period=half&on=2026-03-01", world)
    for part in (
        "What was reported",
        "What got fixed",
        "Still open and overdue",
        "What we learned",
        "Deals",
    ):
        assert part in html
    assert "Period review: H1 2026" in html


def test_the_period_review_print_button_waits_for_its_script(client, world, leader):
    html = _get(client, "/board/review", world)
    assert re.search(r"<button[^>]*data-print[^>]*hidden", html)
    assert "/static/js/board.js" in html


def test_the_board_runs_a_handful_of_statements(client, world, leader, count_queries):
    with count_queries() as statements:
        client.get("/board/")
    # the signed-in user and their unread count, the teams, the reporting currency and rates,
    # the open fixes' amounts, the figures (4, one of them the won't-fix amounts), the weekly
    # counts, the ARR behind the open fixes and the top fixes, the promises made good in three
    # stages, and the organisation's time zone (the leader has none of their own)
    assert len(statements) <= 15


def test_every_drill_down_of_a_scorecard_keeps_its_team(client, world, leader):
    """Open now, overdue, due this week, created, resolved, late, on time, by priority, month
    by month: each list behind a scorecard figure is the team's, not every team's."""
    team = world.ops_teams[0]
    html = _get(client, "/board/teams/{team}?period=year", world)
    links = re.findall(r'href="(/board/(?:fixes|posts)\?[^"]*)"', html)
    assert len(links) > 20
    for link in links:
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert query.get("team") == [str(team)], link


def test_win_loss_says_the_team_filter_does_not_apply_to_deals(client, world, leader):
    team_id = world.ops_teams[0]
    with_team = _get(client, f"/board/win-loss?period=year&team={team_id}", world)
    without = _get(client, "/board/win-loss?period=year", world)
    assert 'id="f-team"' not in with_team and 'id="f-region"' in with_team
    assert "these figures cover every deal, whatever the team" in with_team
    assert "these figures cover every deal" not in without
    assert "team=" not in "".join(re.findall(r'href="(/board/posts\?[^"]*)"', with_team))
    figures = re.compile(r'<ul class="figures">.*?</ul>', re.S)
    assert figures.search(with_team).group() == figures.search(without).group()


def _top_rows(html: str) -> list[str]:
    table = re.search(r'<table class="top-fixes">.*?</table>', html, re.S).group()
    return re.findall(r'href="/fixes/(\d+)"', table)


def test_the_top_fixes_can_be_ranked_by_arr_with_a_link_that_keeps_the_filter(
    client, world, leader
):
    by_revenue = _get(client, "/board/?period=year", world)
    assert "Open fixes with the most revenue at risk" in by_revenue
    link = re.search(r'<a href="([^"]*rank=arr[^"]*)">ARR of the accounts touched</a>', by_revenue)
    assert link and "period=year" in link.group(1)
    by_arr = _get(client, link.group(1).replace("&amp;", "&"), world)
    assert "Open fixes with the most ARR of the accounts touched" in by_arr
    assert re.search(r'aria-current="true">ARR of the accounts touched</a>', by_arr)
    assert 'name="rank" value="arr"' in by_arr  # the filter form keeps the ranking
    assert 'aria-sort="descending">ARR of the accounts touched</th>' in by_arr
    assert _top_rows(by_arr) and _top_rows(by_arr) != _top_rows(by_revenue)


def test_an_unknown_ranking_is_a_bad_request(client, world, leader):
    assert client.get("/board/?rank=size").status_code == 400


def test_win_loss_shows_revenue_lost_in_the_reporting_currency_with_its_breakdown(
    client, world, leader
):
    html = _get(client, "/board/win-loss?period=year", world)
    assert "Revenue lost by reason (USD)" in html
    assert re.search(r"<th scope=\"row\">In USD <span class=\"muted\">\(rates of \d{4}-\d\d", html)
    assert "<summary>By currency" in html
    assert "Lost EUR" not in html  # no column per currency any more: one figure, its breakdown
