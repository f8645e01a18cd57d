"""Filters: presets, custom ranges, buckets, and bad values answered with 400/404, never 500."""

from datetime import UTC, date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from forum.auth.models import TeamKind
from forum.board import filters
from forum.board.filters import BadFilter, TeamRef
from forum.extensions import db
from tests import factories

TODAY = date(2026, 5, 20)
TEAMS = [TeamRef(1, "Shipping", "operations"), TeamRef(2, "EMEA", "sales")]


def parse(**args):
    return filters.parse(MultiDict(args), TEAMS, TODAY)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("month", date(2026, 5, 1), date(2026, 5, 31)),
        ("quarter", date(2026, 4, 1), date(2026, 6, 30)),
        ("half", date(2026, 1, 1), date(2026, 6, 30)),
        ("year", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_a_preset_is_the_calendar_period_containing_today(period, start, end):
    f = parse(period=period)
    assert (f.start, f.end) == (start, end)


def test_a_preset_can_be_anchored_on_another_day():
    f = parse(period="quarter", on="2025-11-30")
    assert (f.start, f.end, f.label) == (date(2025, 10, 1), date(2025, 12, 31), "Q4 2025")


def test_the_period_is_a_half_open_range_of_utc_midnights():
    f = parse(period="month", on="2026-02-10")
    assert (f.start_at, f.end_at) == (
        datetime(2026, 2, 1, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
    )


def test_custom_dates_make_a_custom_period_that_includes_both_days():
    f = parse(**{"from": "2026-01-15", "to": "2026-01-15"})
    assert (f.period, f.start_at, f.end_at) == (
        "custom",
        datetime(2026, 1, 15, tzinfo=UTC),
        datetime(2026, 1, 16, tzinfo=UTC),
    )


def test_the_filter_writes_back_the_arguments_that_rebuild_it():
    f = parse(period="half", on="2025-08-01", region="2", team="1", segment="smb")
    again = filters.parse(MultiDict({k: str(v) for k, v in f.args().items()}), TEAMS, TODAY)
    assert again == f


def test_the_previous_quarter_of_q1_is_q4_of_the_year_before():
    f = parse(period="quarter", on="2026-02-01")
    assert f.shifted(-1) == {"on": "2025-10-01"}


def test_period_buckets_are_months_for_a_year_and_weeks_for_a_month():
    assert len(filters.period_buckets(parse(period="year"))) == 12
    weeks = filters.period_buckets(parse(period="month", on="2026-06-10"))
    assert weeks[0].start == datetime(2026, 6, 1, tzinfo=UTC)  # clipped to the period
    assert weeks[-1].end == datetime(2026, 7, 1, tzinfo=UTC)


def test_twelve_weeks_end_with_the_week_of_the_last_day():
    weeks = filters.weeks_ending(date(2026, 6, 17))
    assert (weeks[-1].first_day, weeks[-1].last_day, len(weeks)) == (
        date(2026, 6, 15),
        date(2026, 6, 21),
        12,
    )


@pytest.mark.parametrize(
    "args",
    [
        {"period": "fortnight"},
        {"period": "all"},
        {"period": "custom"},
        {"from": "2026-01-01"},
        {"from": "2026-03-01", "to": "2026-02-01"},
        {"from": "1999-12-31", "to": "2026-02-01"},
        {"from": "2026-01-01", "to": "2999-01-01"},
        {"from": "2000-01-01", "to": "2026-01-01"},
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "20260101", "to": "20260301"},
        {"on": "yesterday"},
        {"region": "abc"},
        {"team": "-1"},
        {"team": "99999999999999999999"},
        {"segment": "galactic"},
    ],
)
def test_bad_filters_are_refused_with_400(args):
    with pytest.raises(BadFilter) as caught:
        parse(**args)
    assert caught.value.status == 400


@pytest.mark.parametrize("args", [{"team": "2"}, {"region": "1"}, {"team": "77"}])
def test_a_team_of_the_wrong_kind_or_none_at_all_is_not_found(args):
    with pytest.raises(BadFilter) as caught:
        parse(**args)
    assert caught.value.status == 404


@pytest.fixture
def leader(login):
    return login("leader")


PAGES = [
    "/board/",
    "/board/win-loss",
    "/board/review",
    "/board/fixes",
    "/board/posts",
    "/board/export/posts.csv",
    "/board/export/fixes.csv",
    "/board/export/history.csv",
]


@pytest.mark.parametrize(
    "query",
    [
        "period=decade",
        "from=2026-05-01&to=2026-04-01",
        "from=0001-01-01&to=9999-12-31",
        "on=2026-13-01",
        "segment=%3Cscript%3E",
        "region=1e9",
    ],
)
def test_a_bad_filter_in_the_url_answers_400(client, leader, query):
    assert client.get(f"/board/?{query}").status_code == 400


@pytest.mark.parametrize("page", PAGES)
def test_every_page_and_export_answers_400_to_an_inverted_period(client, leader, page):
    assert client.get(f"{page}?from=2026-05-01&to=2026-04-01").status_code == 400


@pytest.mark.parametrize("page", PAGES)
def test_a_sales_team_given_as_operations_team_answers_404(app, client, leader, page):
    with app.app_context():
        region = factories.team(TeamKind.SALES, name="EMEA").id
        db.session.commit()
    assert client.get(f"{page}?team={region}").status_code == 404


def test_the_scorecard_of_a_sales_team_is_not_found(app, client, leader):
    with app.app_context():
        region = factories.team(TeamKind.SALES, name="EMEA").id
        db.session.commit()
    assert client.get(f"/board/teams/{region}").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["list=everything", "priority=P9", "list=lost&reason=abc", "list=won&competitor=1.5"],
)
def test_unknown_list_arguments_answer_400(client, leader, query):
    page = "/board/posts" if "reason" in query or "competitor" in query else "/board/fixes"
    assert client.get(f"{page}?{query}").status_code == 400


def test_a_nul_byte_in_a_filter_answers_400(client, leader):
    assert client.get("/board/?segment=%00").status_code == 400


def test_the_error_page_says_what_is_wrong_with_the_filter(client, leader):
    response = client.get("/board/?from=2026-05-01&to=2026-04-01")
    assert "The period starts after it ends." in response.text
