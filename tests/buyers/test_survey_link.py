"""The survey link: made by the deal's rep or a leader, single use, expiring, bound to its deal
and contact, stored as a hash; every unusable link gets one neutral page; the public page
shows only the company and the product area and says who reads the answers."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.buyers.models import BuyerResponse, BuyerSurvey
from forum.buyers.services import token_hash
from forum.core.outbox import SCRUBBED, OutboxMessage
from forum.core.time import utcnow
from forum.extensions import db
from tests.buyers.helpers import ANSWERS, deal, link
from tests.pagecheck import page_problems, without_tokens


def _token(path: str) -> str:
    return path.rsplit("/", 1)[1]


def test_only_a_hash_of_the_token_is_stored(app):
    d = deal(app)
    survey_id, path = link(app, d)
    token = _token(path)
    with app.app_context():
        survey = db.session.get(BuyerSurvey, survey_id)
        assert survey.token_hash == token_hash(token) and token not in survey.token_hash
        assert len(token) >= 43


def test_a_buyer_answers_once_without_an_account_and_the_answer_joins_that_deal(app, client):
    d = deal(app)
    survey_id, path = link(app, d)
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert page_problems(html) == []
    client.refresh_csrf(path)
    done = client.post(path, data=ANSWERS | {"main_reason": str(d.trust), "consent_to_quote": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/survey/thanks")
    with app.app_context():
        [response] = db.session.scalars(sa.select(BuyerResponse)).all()
        assert (response.post_id, response.survey_id) == (d.post_id, survey_id)
        assert response.main_reason_id == d.trust and response.drivers == ["trust", "price"]
        assert response.consent_to_quote is True
        assert db.session.get(BuyerSurvey, survey_id).answered_at is not None
    thanks = client.get("/survey/thanks").get_data(as_text=True)
    assert "Thank you" in thanks and "href=" not in thanks.split("<body", 1)[1]


def test_the_page_shows_the_company_and_product_area_and_nothing_internal(app, client):
    d = deal(app)
    _, path = link(app, d, area="Warehouse robots")
    html = client.get(path).get_data(as_text=True)
    assert "Acme Parts" in html and "Warehouse robots" in html
    for secret in ("INTERNAL", "haggled", "50,000", "50000", "Rita Rep", "Bob Buyer"):
        assert secret not in html
    assert "Price too high" in html  # offered among the buyer's reasons, not as the rep's
    assert "sales leadership and the salesperson" in html  # who reads the answers
    assert "<script" not in html and 'href="/' not in html.split("<body", 1)[1]


def test_a_used_link_shows_the_neutral_page_and_a_replay_changes_nothing(app, client):
    d = deal(app)
    _, path = link(app, d)
    client.refresh_csrf(path)
    assert client.post(path, data=ANSWERS).status_code == 302
    replay = client.post(path, data=ANSWERS | {"free_text": "Changed my mind"})
    assert replay.status_code == 404
    assert client.get(path).status_code == 404
    with app.app_context():
        [response] = db.session.scalars(sa.select(BuyerResponse)).all()
        assert response.free_text == ANSWERS["free_text"]


def test_every_unusable_link_gets_one_and_the_same_neutral_page(app, client):
    d = deal(app)
    _, used = link(app, d, name="Used")
    client.refresh_csrf(used)
    client.post(used, data=ANSWERS)
    _, expired = link(app, d, name="Old", now=utcnow() - timedelta(days=31))
    _, good = link(app, d, name="Good")
    token = _token(good)
    tampered = "/survey/" + token[:-1] + ("A" if token[-1] != "A" else "B")
    cases = {
        "used": used,
        "expired": expired,
        "tampered": tampered,
        "truncated": "/survey/" + token[:20],
        "guessed": "/survey/" + "x" * 43,
        "unicode": "/survey/" + "٣" * 43,
        "long": "/survey/" + "a" * 5000,
        "superscript": "/survey/" + "a" * 42 + "%C2%B2",
        "encoded slash": "/survey/" + "a" * 21 + "%2F" + "a" * 21,
        "empty": "/survey/%20",
    }
    pages = {name: client.get(path) for name, path in cases.items()}
    assert {r.status_code for r in pages.values()} == {404}
    bodies = {without_tokens(r) for r in pages.values()}
    assert len(bodies) == 1
    [body] = bodies
    assert "This link cannot be used" in body and "Acme" not in body
    for path in cases.values():  # posting to them records nothing either
        assert client.post(path, data=ANSWERS).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BuyerResponse.id))) == 1  # the used one
    assert client.get(good).status_code == 200  # the good one still works


def test_a_nul_in_the_link_is_refused_before_any_lookup(app, client):
    # The app refuses NUL bytes in every URL (forum.core.web): 400, nothing about any deal.
    page = client.get("/survey/" + "a" * 42 + "%00")
    assert page.status_code == 400 and "survey" not in page.get_data(as_text=True).casefold()


def test_a_link_expires(app, client):
    d = deal(app)
    survey_id, path = link(app, d)
    with app.app_context():
        db.session.get(BuyerSurvey, survey_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 404


def test_answers_are_length_limited_and_cleaned(app, client):
    d = deal(app)
    _, path = link(app, d)
    client.refresh_csrf(path)
    too_long = client.post(path, data=ANSWERS | {"free_text": "x" * 2001})
    assert too_long.status_code == 400
    ok = client.post(
        path,
        data=ANSWERS
        | {"free_text": "  <script>alert(1)</script>\x00\u202e{{7*7}} ", "main_reason": "999999"},
    )
    assert ok.status_code == 400  # a reason not in the list
    ok = client.post(path, data=ANSWERS | {"free_text": "<b>late</b>\u202e{{7*7}}\x07"})
    assert ok.status_code == 302
    with app.app_context():
        [response] = db.session.scalars(sa.select(BuyerResponse)).all()
        assert response.free_text == "<b>late</b>{{7*7}}"


def test_the_survey_needs_its_csrf_token(app, client):
    d = deal(app)
    _, path = link(app, d)
    client.get(path)
    assert client.post(path, data=ANSWERS, csrf=False).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BuyerResponse.id))) == 0


def test_posts_to_one_link_are_rate_limited(app, client):
    app.config["BUYER_LIMIT_PER_TOKEN"] = "3 per hour"
    d = deal(app)
    _, path = link(app, d)
    client.refresh_csrf(path)
    statuses = [client.post(path, data=ANSWERS | {"outcome": ""}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_one_address_is_rate_limited_across_links(app, client):
    app.config["BUYER_LIMIT_PER_ADDRESS"] = "3 per hour"
    statuses = [client.get("/survey/" + f"{n:043d}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_sending_queues_the_link_in_the_outbox_and_it_is_scrubbed_once_sent(
    app, client, login, outbox
):
    d = deal(app)
    login(who=d.rep)
    page = client.get(f"/buyers/deals/{d.post_id}")
    assert page.status_code == 200
    made = client.post(
        f"/buyers/deals/{d.post_id}/surveys",
        data={
            "contact_name": "Bob Buyer",
            "contact_email": "bob@buyer.example",
            "product_area": "Robots",
            "send": "y",
        },
    )
    assert made.status_code == 200
    [message] = outbox.messages
    assert outbox.to(message) == "bob@buyer.example"
    path = outbox.link(message)
    assert path.startswith("/survey/")
    with app.app_context():
        [row] = db.session.scalars(sa.select(OutboxMessage)).all()
        assert row.text_body == SCRUBBED  # no live link kept in the outbox
    client.get("/logout")
    assert client.get(path).status_code == 200


def test_the_link_to_copy_is_shown_once(app, client, login):
    d = deal(app)
    login(who=d.rep)
    made = client.post(
        f"/buyers/deals/{d.post_id}/surveys", data={"contact_name": "Bob Buyer", "product_area": ""}
    )
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and "http://localhost/survey/" in html
    again = client.get(f"/buyers/deals/{d.post_id}").get_data(as_text=True)
    assert "/survey/" not in again and "Bob Buyer" in again


@pytest.mark.parametrize(
    "form",
    [
        {"contact_name": "", "contact_email": ""},
        {"contact_name": "Bob", "contact_email": "not an address"},
        {"contact_name": "Bob", "contact_email": "", "send": "y"},
        {"contact_name": "B" * 121},
    ],
    ids=["no name", "bad address", "send without address", "long name"],
)
def test_a_bad_survey_form_makes_no_link(app, client, login, form):
    d = deal(app)
    login(who=d.rep)
    assert client.post(f"/buyers/deals/{d.post_id}/surveys", data=form).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BuyerSurvey.id))) == 0


def test_the_survey_pages_are_never_cached_nor_referred(app, client):
    d = deal(app)
    _, path = link(app, d)
    for url in (path, "/survey/" + "x" * 43, "/survey/thanks"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
