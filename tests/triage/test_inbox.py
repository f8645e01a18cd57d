"""The triage inbox: untriaged reports only, newest first unless sorted otherwise, filtered and
paginated, with their facts, flags and age against the target, in a fixed number of statements."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from forum.auth.models import TeamKind, User
from forum.core import rates
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.services import recompute_totals
from forum.taxonomy.models import TaxonomyKind
from forum.triage import queries, services
from tests import factories
from tests.fixes import builders

ROW_RE = re.compile(r'<input type="checkbox" name="post" value="(\d+)"')


def _reports(app):
    """Four reports filed at different times; one noted, one waiting for the reporter."""
    now = utcnow()
    with app.app_context():
        org = builders.org()
        rep, leader = org.user("rep_reporter"), org.user("leader")
        filed = {
            name: builders.report(rep, team_id=org.ops_team_id, title=title, at=now - age)
            for name, title, age in [
                ("middle", "Invoice sent twice", timedelta(hours=30)),
                ("newest", "Support line closed at noon", timedelta(hours=1)),
                ("oldest", "Install took a month", timedelta(days=5)),
                ("noted", "Brochure typo", timedelta(days=6)),
                ("asked", "Pallets damaged", timedelta(days=7)),
            ]
        }
        services.note(filed["noted"], actor=leader)
        services.ask_for_info(filed["asked"], actor=leader, question="Which warehouse?")
        db.session.commit()
        return org, {k: p.id for k, p in filed.items()}


def test_the_inbox_holds_only_untriaged_reports_oldest_first(app):
    _, ids = _reports(app)
    with app.app_context():
        assert [p.id for p in services.inbox()] == [ids["oldest"], ids["middle"], ids["newest"]]


def _listed(client, query: str = "") -> list[int]:
    page = client.get(f"/triage/{query}")
    assert page.status_code == 200, page.text[:300]
    return [int(i) for i in ROW_RE.findall(page.text)]


def _as_leader(app, login, org):
    with app.app_context():
        who = org.who("leader")
    login(who=who)


def test_the_inbox_page_lists_reports_newest_first(app, client, login):
    org, ids = _reports(app)
    _as_leader(app, login, org)
    assert _listed(client) == [ids["newest"], ids["middle"], ids["oldest"]]


def test_the_inbox_can_be_sorted_oldest_first(app, client, login):
    org, ids = _reports(app)
    _as_leader(app, login, org)
    assert _listed(client, "?sort=oldest") == [ids["oldest"], ids["middle"], ids["newest"]]


def test_reports_waiting_for_the_reporter_are_listed_apart(app, client, login):
    org, ids = _reports(app)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    page = client.get("/triage/").text
    waiting = page.split("Waiting for the reporter's answer", 1)[1]
    assert f"/triage/posts/{ids['asked']}" in waiting
    assert "Which warehouse?" in waiting
    assert f"/triage/posts/{ids['noted']}" not in page


def test_reports_older_than_the_triage_target_are_marked(app, client, login):
    org, ids = _reports(app)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    rows = client.get("/triage/").text.split("<tr")[2:]
    past = {int(ROW_RE.search(r).group(1)) for r in rows if "Past target" in r}
    assert past == {ids["oldest"]}  # 48 hours by default


def _varied(app):
    """Three untriaged reports that differ in kind, impact, revenue, "me too"s and competitor."""
    now = utcnow()
    with app.app_context():
        region = factories.team(TeamKind.SALES)
        other_region = factories.team(TeamKind.SALES)
        ops = factories.team(TeamKind.OPERATIONS)
        rep = factories.user("rep", team_obj=region)
        acme = factories.account(name="Acme")
        rival = factories.term(TaxonomyKind.COMPETITOR, "Rival Corp")
        big = factories.post(
            "broken_promise",
            author=rep,
            team=ops,
            account=acme,
            impact=4,
            revenue_at_risk=Decimal("90000"),
            currency="EUR",
            title="Pallets three weeks late",
            created_at=now - timedelta(days=10),
        )
        small = factories.post(
            "broken_promise",
            author=rep,
            impact=1,
            revenue_at_risk=Decimal("1000"),
            currency="EUR",
            title="Invoice printed twice",
            created_at=now - timedelta(hours=2),
        )
        lost = factories.post(
            "win_loss",
            author=factories.user("rep", team_obj=other_region),
            competitor=rival,
            title="Lost the Globex deal on price",
            created_at=now - timedelta(hours=1),
        )
        for _ in range(2):
            factories.corroboration(small)
        recompute_totals(small)
        rates.store_rates(
            [rates.RateInput(rates.month_of(now), "EUR", "USD", Decimal("1.08"))], actor_id=None
        )
        db.session.commit()
        return {
            "big": big.id,
            "small": small.id,
            "lost": lost.id,
            "ops": ops.id,
            "region": region.id,
            "acme": acme.id,
        }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?sort=revenue", ["big", "small", "lost"]),
        ("?sort=impact", ["big", "small", "lost"]),
        ("?sort=metoo", ["small", "lost", "big"]),
        ("?kind=win_loss", ["lost"]),
        ("?team={ops}", ["big"]),
        ("?region={region}", ["small", "big"]),
        ("?account={acme}", ["big"]),
        ("?impact=3", ["big"]),
        ("?age=week", ["big"]),
        ("?age=within", ["lost", "small"]),
        ("?revenue=1", ["small", "big"]),
        ("?competitor=1", ["lost"]),
        ("?revenue=1&sort=oldest&region={region}", ["big", "small"]),
    ],
)
def test_the_inbox_filters_and_sorts(app, client, login, query, expected):
    ids = _varied(app)
    login("leader")
    assert _listed(client, query.format(**ids)) == [ids[k] for k in expected]


def test_the_revenue_sort_orders_by_the_amount_in_the_reporting_currency_not_the_raw_number(
    app, client, login
):
    """JPY 5,000,000 is about USD 33,500: less than USD 40,000, though the number is larger;
    an amount in a currency without a rate (BRL) does not rank."""
    now = utcnow()
    with app.app_context():
        yen = factories.post("broken_promise", revenue_at_risk=Decimal(5_000_000), currency="JPY")
        dollars = factories.post("broken_promise", revenue_at_risk=Decimal(40_000))
        reais = factories.post("broken_promise", revenue_at_risk=Decimal(9_000_000), currency="BRL")
        pounds = factories.post("broken_promise", revenue_at_risk=Decimal(30_000), currency="GBP")
        rates.store_rates(
            [
                rates.RateInput(rates.month_of(now), "JPY", "USD", Decimal("0.0067")),
                rates.RateInput(rates.month_of(now), "GBP", "USD", Decimal("1.27")),
            ],
            actor_id=None,
        )
        db.session.commit()
        want = [dollars.id, pounds.id, yen.id, reais.id]  # 40,000; 38,100; 33,500; no rate
    login("leader")
    assert _listed(client, "?sort=revenue") == want


def test_a_row_shows_impact_revenue_and_me_toos(app, client, login):
    ids = _varied(app)
    login("leader")
    page = client.get("/triage/?sort=metoo").text
    row = next(r for r in page.split("<tr")[2:] if f'value="{ids["small"]}"' in r)
    cells = [
        re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert " ".join(cells[2]).endswith("1 of 4")
    assert "in this report" in " ".join(cells[3])
    assert cells[4][-1] == "2"


@pytest.mark.parametrize(
    "query",
    ["?kind=nope", "?team=abc", "?team=%C2%B2", "?impact=5", "?age=old", "?flags=x", "?sort=id"],
)
def test_a_bad_filter_is_a_400(client, login, query):
    login("leader")
    assert client.get(f"/triage/{query}").status_code == 400


def test_the_inbox_is_paginated(app, client, login):
    with app.app_context():
        rep = factories.user("rep")
        ids = [factories.post(author=rep, title=f"Report number {n}").id for n in range(30)]
        db.session.commit()
    login("leader")
    first, second = _listed(client), _listed(client, "?page=2")
    assert first == ids[::-1][: queries.PAGE_SIZE]
    assert second == ids[::-1][queries.PAGE_SIZE :]
    assert client.get("/triage/?page=3").status_code == 404


def _similar_world(app, n: int, now):
    """``n`` reports about late pallets (each similar to the others), a fix about them verified
    a month ago, and one report unlike anything."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(
            org, "verified", start=now - timedelta(days=30), title="Pallets delivered late"
        )
        rep = org.user("rep_unrelated")
        alone = builders.report(rep, team_id=org.ops_team_id, title="Brochure has a typo")
        for i in range(n):
            builders.report(
                rep,
                team_id=org.ops_team_id,
                title=f"Pallets delivered late to depot {i}",
                at=now - timedelta(days=20, minutes=i),
            )
        db.session.commit()
        return org, fix.id, alone.id


def test_every_listed_report_gets_its_flags_even_past_the_fiftieth(app, client, login):
    now = utcnow()
    org, fix_id, alone = _similar_world(app, 60, now)
    _as_leader(app, login, org)
    page = client.get("/triage/?page=3").text
    rows = page.split("<tr")[2:]
    assert len(rows) == 60 + 1 - 2 * queries.PAGE_SIZE
    assert all(f"Possible recurrence of fix #{fix_id}" in r for r in rows)
    assert all("3 similar reports" in r for r in rows)


def test_the_flags_filter_keeps_only_flagged_reports_across_pages(app, client, login):
    now = utcnow()
    org, fix_id, alone = _similar_world(app, 3, now)
    _as_leader(app, login, org)
    assert _listed(client, "?flags=none") == [alone]
    assert alone not in _listed(client, "?flags=recurrence")
    assert len(_listed(client, "?flags=duplicate")) == 3


def test_the_inbox_runs_the_same_statements_for_few_and_many_reports(
    app, client, login, count_queries
):
    now = utcnow()
    org, _, _ = _similar_world(app, 2, now)
    _as_leader(app, login, org)
    for query in ("", "?flags=any&sort=revenue"):
        # The first visit with new filters also remembers them (one UPDATE of the viewer's row,
        # tests/auth/test_list_memory.py); what is counted here is the reading.
        client.get(f"/triage/{query}")
        with count_queries() as few:
            assert client.get(f"/triage/{query}").status_code == 200
        with app.app_context():
            rep = db.session.get(User, org.users["rep_reporter"])
            for i in range(40):
                builders.report(
                    rep, team_id=org.ops_team_id, title=f"Pallets delivered late again {i}"
                )
            db.session.commit()
        with count_queries() as many:
            assert client.get(f"/triage/{query}").status_code == 200
        assert len(many) == len(few), "\n".join(many)
        # the revenue order reads the reporting currency and this month's rates: two more; and
        # the organisation's time zone is read once for a leader without their own: one more
        assert len(many) <= (13 if "revenue" in query else 11), "\n".join(many)


def test_the_revenue_filter_finds_a_report_whose_only_amounts_are_its_me_toos(app, client, login):
    """A report filed without an amount, corroborated with EUR 20,000 by another rep's account,
    has revenue at risk: the filter finds it, in whatever currency the amounts are, converted or
    not (BRL has no rate). A report with no amount anywhere is left out."""
    with app.app_context():
        bare = factories.post("broken_promise", title="Filed without an amount")
        corroborated = factories.post("broken_promise", title="Only the me-toos put money on it")
        factories.corroboration(
            corroborated, account=factories.account(), amount=Decimal(20_000), currency="EUR"
        )
        unrated = factories.post("broken_promise", title="Me-toos in a currency without a rate")
        factories.corroboration(
            unrated, account=factories.account(), amount=Decimal(9_000), currency="BRL"
        )
        db.session.commit()
        assert corroborated.total_at_risk == 0  # nothing in the report's own currency
        ids = {"bare": bare.id, "corroborated": corroborated.id, "unrated": unrated.id}
    login("leader")
    listed = _listed(client, "?revenue=1")
    assert ids["corroborated"] in listed and ids["unrated"] in listed
    assert ids["bare"] not in listed
