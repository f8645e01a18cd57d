"""Retention: past ``buyer_retention_months`` a buyer's name and address go, the answers stay
(anonymised) and still count; running it again changes nothing; a person's export lists the
links they made without the buyer's data."""

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from forum.auth.models import User
from forum.buyers import retention, services
from forum.buyers.models import BuyerResponse, BuyerSurvey
from forum.buyers.services import Answers
from forum.core import settings
from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from tests.buyers.helpers import ANSWERS, deal, link


def test_months_before_keeps_the_day_or_takes_the_months_last():
    at = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert retention.months_before(at, 1) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert retention.months_before(at, 12) == datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
    assert retention.months_before(at, 15) == datetime(2024, 12, 31, 12, 0, tzinfo=UTC)


def test_old_buyers_lose_their_names_and_keep_their_answers(app, client):
    d = deal(app)
    old = utcnow() - timedelta(days=400)
    old_id, old_path = link(app, d, name="Old Olga", email="olga@buyer.example", now=old)
    new_id, _ = link(app, d, name="New Nina", email="nina@buyer.example")
    with app.app_context():
        survey = db.session.get(BuyerSurvey, old_id)
        survey.expires_at = utcnow() + timedelta(days=1)  # still answerable, to have an answer
        db.session.commit()
    client.refresh_csrf(old_path)
    assert client.post(old_path, data=ANSWERS | {"main_reason": str(d.trust)}).status_code == 302
    with app.app_context():
        post = db.session.get(Post, d.post_id)
        leader = db.session.get(User, d.leader.id)
        services.record_interview(
            post, Answers(outcome="bought"), actor=leader, contact_name="Ivan Interviewed", now=old
        )
        db.session.add(
            OutboxMessage(
                event="buyer_survey",
                to_address="olga@buyer.example",
                subject="s",
                text_body="link",
                message_id="<m1@x>",
                status=OutboxStatus.SENT,
                created_at=old,
            )
        )
        settings.put("buyer_retention_months", 12)
        done = retention.purge()
        db.session.commit()
        assert (done.surveys, done.interviews, done.messages) == (1, 1, 1)
        olga, nina = db.session.get(BuyerSurvey, old_id), db.session.get(BuyerSurvey, new_id)
        assert (olga.contact_name, olga.contact_email) == (None, None) and olga.anonymised_at
        assert (nina.contact_name, nina.contact_email) == ("New Nina", "nina@buyer.example")
        answers = db.session.scalars(sa.select(BuyerResponse).order_by(BuyerResponse.id)).all()
        assert [a.buyer_name for a in answers] == [None, None]
        assert answers[0].main_reason_id == d.trust and answers[0].free_text
        dump = json.dumps([str(r) for r in db.session.execute(sa.select(OutboxMessage)).all()])
        assert "olga@" not in dump
        again = retention.purge()
        assert (again.surveys, again.interviews, again.messages) == (0, 0, 0)


def test_the_purge_command_runs_once_and_says_what_it_did(app):
    d = deal(app)
    link(app, d, now=utcnow() - timedelta(days=800))
    result = app.test_cli_runner().invoke(args=["buyers", "purge"])
    assert result.exit_code == 0 and "Anonymised 1 survey contact(s)" in result.output
    result = app.test_cli_runner().invoke(args=["buyers", "purge"])
    assert "Anonymised 0 survey contact(s)" in result.output


def test_the_anonymised_buyer_shows_as_such_to_the_rep(app, client, login):
    d = deal(app)
    _, path = link(app, d, name="Old Olga", now=utcnow() - timedelta(days=10))
    client.refresh_csrf(path)
    client.post(path, data=ANSWERS)
    with app.app_context():
        settings.put("buyer_retention_months", 1)
        db.session.execute(sa.update(BuyerSurvey).values(created_at=utcnow() - timedelta(days=40)))
        retention.purge()
        db.session.commit()
    login(who=d.rep)
    html = client.get(f"/buyers/deals/{d.post_id}").get_data(as_text=True)
    assert "Old Olga" not in html and "A buyer (anonymised)" in html


def test_a_persons_export_lists_their_links_without_the_buyers_data(app, client, login):
    d = deal(app)
    link(app, d, name="Bob Buyer", email="bob@buyer.example", area="Robots")
    login("admin")
    body = client.post(f"/admin/users/{d.rep.id}/export").get_data(as_text=True)
    data = json.loads(body)
    [row] = data["buyer_requests"]
    assert row["kind"] == "survey_link" and row["product_area"] == "Robots"
    assert "Bob Buyer" not in body and "bob@buyer.example" not in body
