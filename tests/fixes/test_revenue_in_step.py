"""A fix's revenue at risk is one definition, derived from its linked reports and their "me too"s,
so every page moves with every input: each test changes one input and checks the fix page, the
team's board row, the headline, the top fixes' order and ``fixes.csv``."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from forum.board import filters, queries
from forum.core import rates
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import Post
from forum.fixes import services as fix_services
from forum.fixes.models import Fix
from forum.triage import services as triage
from tests import factories
from tests.fixes import builders


@dataclass
class Setup:
    org: builders.Org
    small: int  # fix id: Acme EUR 10,000
    big: int  # fix id: Globex EUR 20,000
    small_post: int
    big_post: int


@pytest.fixture
def setup(app, login) -> Setup:
    """Two open fixes of one team: the small one ranks second. Reporting currency EUR, a GBP
    rate for this month (1 GBP = 1.2 EUR)."""
    with app.app_context():
        org = builders.org()
        rates.set_reporting_currency("EUR", actor_id=None)
        rates.store_rates(
            [rates.RateInput(rates.month_of(utcnow()), "GBP", "EUR", Decimal("1.2"))],
            actor_id=None,
        )
        rep = org.user("rep_reporter")
        small_post = builders.report(
            rep, team_id=org.ops_team_id, account=factories.named_account("Acme"), amount="10000"
        )
        big_post = builders.report(
            rep, team_id=org.ops_team_id, account=factories.named_account("Globex"), amount="20000"
        )
        small = builders.open_fix(org, [small_post], title="Small")
        big = builders.open_fix(org, [big_post], title="Big")
        db.session.commit()
        out = Setup(org, small.id, big.id, small_post.id, big_post.id)
        who = org.who("leader")
    login(who=who)
    return out


def figures(app, client, s: Setup, fix_id: int | None = None) -> dict:
    """What every page says of the small fix (or ``fix_id``; in EUR), the team, the headline
    and the order."""
    fix_id = fix_id or s.small
    with app.app_context():
        teams = queries.teams()
        f = filters.parse(MultiDict(), teams, utcnow().date(), allow_all=True)
        board = queries.board(f, teams, utcnow())
        row = next(r for r in board.rows if r.team and r.team.id == s.org.ops_team_id)
        page = client.get(f"/fixes/{fix_id}").get_data(as_text=True)
        shown = re.search(
            r"Revenue at risk \(each account once\)</dt><dd>.*?EUR ([\d,]+)", page, re.S
        )
        exported = {
            int(r["id"]): r
            for r in csv.DictReader(io.StringIO(client.get("/board/export/fixes.csv").text))
        }
        return {
            "page": Decimal(shown.group(1).replace(",", "")),
            "team": row.revenue_open.total.amount,
            "headline": board.total.revenue_open.total.amount,
            "top": [fix.id for fix in board.top],
            "csv": Decimal(exported[fix_id]["revenue_at_risk"]),
            "csv_currencies": exported[fix_id]["revenue_by_currency"],
        }


def test_before_any_change_each_page_shows_the_report_amounts(app, client, setup):
    got = figures(app, client, setup)
    assert (got["page"], got["team"], got["headline"]) == (10000, 30000, 30000)
    assert got["top"] == [setup.big, setup.small]
    assert (got["csv"], got["csv_currencies"]) == (10000, "EUR 10000.00")


def _moved(app, client, setup, small: int, team: int | None = None, first: bool = True):
    got = figures(app, client, setup)
    team = 20000 + small if team is None else team
    assert got["page"] == small
    assert got["csv"] == small
    assert (got["team"], got["headline"]) == (team, team)
    assert got["top"][0] == (setup.small if first else setup.big)
    return got


def test_linking_another_report_moves_every_page(app, client, setup):
    with app.app_context():
        rep = setup.org.user("rep_corroborator")
        extra = builders.report(
            rep,
            team_id=setup.org.ops_team_id,
            account=factories.named_account("Initech"),
            amount="30000",
        )
        fix = db.session.get(Fix, setup.small)
        triage.attach_to_fix(extra, fix, actor=setup.org.user("leader"))
        db.session.commit()
    _moved(app, client, setup, small=40000)


def test_merging_a_duplicate_moves_every_page(app, client, setup):
    with app.app_context():
        rep = setup.org.user("rep_corroborator")
        dup = builders.report(
            rep,
            team_id=setup.org.ops_team_id,
            account=factories.named_account("Hooli"),
            amount="30000",
        )
        original = db.session.get(Post, setup.small_post)
        triage.mark_duplicate(dup, original, actor=setup.org.user("leader"))
        db.session.commit()
    _moved(app, client, setup, small=40000)


def test_a_me_too_given_after_triage_moves_every_page(app, client, setup):
    with app.app_context():
        post = db.session.get(Post, setup.small_post)
        posts.corroborate(
            post,
            setup.org.user("rep_corroborator"),
            account=factories.named_account("Hooli"),
            amount=Decimal("30000"),
        )
        db.session.commit()
    _moved(app, client, setup, small=40000)


def test_a_me_too_in_another_currency_is_converted_and_listed(app, client, setup):
    with app.app_context():
        post = db.session.get(Post, setup.small_post)
        posts.corroborate(
            post,
            setup.org.user("rep_corroborator"),
            account=factories.named_account("Hooli"),
            amount=Decimal("25000"),
            currency="GBP",
        )
        db.session.commit()
    got = _moved(app, client, setup, small=40000)
    assert got["csv_currencies"] == "EUR 10000.00; GBP 25000.00"


def test_withdrawing_a_me_too_moves_every_page_back(app, client, setup):
    with app.app_context():
        post = db.session.get(Post, setup.small_post)
        who = setup.org.user("rep_corroborator")
        posts.corroborate(
            post, who, account=factories.named_account("Hooli"), amount=Decimal("30000")
        )
        db.session.commit()
    _moved(app, client, setup, small=40000)
    with app.app_context():
        post = db.session.get(Post, setup.small_post)
        posts.withdraw_corroboration(post, setup.org.user("rep_corroborator"))
        db.session.commit()
    _moved(app, client, setup, small=10000, first=False)


def test_editing_a_reports_amount_moves_every_page(app, client, setup):
    with app.app_context():
        db.session.get(Post, setup.small_post).revenue_at_risk = Decimal("45000")
        db.session.commit()
    _moved(app, client, setup, small=45000)


def test_editing_a_reports_currency_moves_every_page(app, client, setup):
    with app.app_context():
        post = db.session.get(Post, setup.small_post)
        post.currency, post.revenue_at_risk = "GBP", Decimal("25000")
        db.session.commit()
    got = _moved(app, client, setup, small=30000)
    assert got["csv_currencies"] == "GBP 25000.00"


def test_closing_a_fix_as_won_t_fix_takes_it_off_the_board_but_not_its_page(app, client, setup):
    with app.app_context():
        fix = db.session.get(Fix, setup.small)
        fix_services.transition(
            fix, "wont_fix", actor=setup.org.user("leader"), version=fix.version, note="No."
        )
        db.session.commit()
    got = figures(app, client, setup)
    assert (got["page"], got["csv"]) == (10000, 10000)
    assert (got["team"], got["headline"]) == (20000, 20000)
    assert got["top"] == [setup.big]


def test_an_account_on_both_fixes_counts_once_in_the_team_row_and_headline(app, client, setup):
    with app.app_context():
        post = db.session.get(Post, setup.big_post)
        # A "me too" on the big fix for Acme, the small fix's account, larger than its amount.
        posts.corroborate(
            post,
            setup.org.user("rep_corroborator"),
            account=factories.named_account("Acme"),
            amount=15000,
        )
        db.session.commit()
    got = figures(app, client, setup)
    assert got["page"] == 10000  # each fix counts its own accounts
    assert (got["team"], got["headline"]) == (35000, 35000)  # Acme once, at 15,000
    assert got["top"] == [setup.big, setup.small]


def test_re_triaging_a_report_as_a_recurrence_puts_a_verified_fix_back_on_every_page(
    app, client, setup
):
    """A verified fix is off the board (its page still shows its amounts); a new report
    triaged as its recurrence reopens it, and its revenue, now with the new report's, is back
    in the team row, the headline, the top of the order and fixes.csv."""
    org = setup.org
    with app.app_context():
        start = utcnow() - timedelta(days=5)
        first = builders.report(
            org.user("rep_reporter"),
            team_id=org.ops_team_id,
            account=factories.named_account("Initech"),
            amount="50000",
            at=start - timedelta(hours=1),
        )
        fix = builders.open_fix(org, [first], now=start, title="Came back")
        builders.advance(fix, org, "verified", start=start)
        db.session.commit()
        back = fix.id
    got = figures(app, client, setup, back)
    assert (got["page"], got["csv"]) == (50000, 50000)
    assert (got["team"], got["headline"]) == (30000, 30000)
    assert back not in got["top"]
    with app.app_context():
        again = builders.report(
            org.user("rep_corroborator"),
            team_id=org.ops_team_id,
            account=factories.named_account("Hooli"),
            amount="5000",
        )
        triage.reopen_for_recurrence(again, db.session.get(Fix, back), actor=org.user("leader"))
        db.session.commit()
    got = figures(app, client, setup, back)
    assert (got["page"], got["csv"]) == (55000, 55000)
    assert (got["team"], got["headline"]) == (85000, 85000)
    assert got["top"] == [back, setup.big, setup.small]
