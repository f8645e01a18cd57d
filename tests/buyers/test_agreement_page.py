"""The agreement page and its CSV: what a leader reads once a buyer answered."""

import csv
import io

from tests.buyers.helpers import ANSWERS, deal, link


def _answer(client, path, **changes):
    client.refresh_csrf(path)
    assert client.post(path, data=ANSWERS | changes).status_code == 302


def test_the_leader_sees_the_buyers_reason_beside_the_reps(app, client, login):
    d = deal(app)
    _, first = link(app, d, name="One")
    _answer(client, first, main_reason=str(d.trust))
    login(who=d.leader)
    html = client.get("/board/win-loss/agreement?period=year").get_data(as_text=True)
    assert 'id="match-rate">0%' in html
    assert "Price and terms: cited by reps 1×, by buyers 0×" in html
    assert "Delivery / operations: cited by reps 0×, by buyers 1×" in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/board/export/agreement.csv?period=year").get_data(as_text=True)
            )
        )
    )
    assert ["matrix", "Price too high", "Did not trust delivery dates", "1", "", ""] in rows


def test_a_second_answer_on_the_same_deal_does_not_change_the_figures(app, client, login):
    d = deal(app)
    _, first = link(app, d, name="One")
    _, second = link(app, d, name="Two")
    _answer(client, first, main_reason=str(d.trust))
    _answer(client, second, main_reason=str(d.price))
    login(who=d.leader)
    html = client.get("/board/win-loss/agreement?period=year").get_data(as_text=True)
    assert 'id="match-rate">0%' in html and "0 of 1 deals" in html
    by_rep = html.split("By rep", 1)[1]
    assert "Rita Rep" in by_rep and "100%" in by_rep  # two links, two answers


def test_reps_and_ops_cannot_read_the_agreement(app, client, login):
    for role in ("rep", "ops"):
        login(role)
        assert client.get("/board/win-loss/agreement").status_code == 403
        assert client.get("/board/export/agreement.csv").status_code == 403
