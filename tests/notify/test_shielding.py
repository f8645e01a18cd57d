"""A shielded author is told everything about their report, and nobody else learns who they are:
not from an in-app notification, an e-mail's subject, text, HTML or headers, nor the outbox page."""

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.core.outbox import OutboxMessage
from forum.extensions import db
from forum.feedback import services as posts
from forum.fixes import escalations
from forum.notify import delivery, digests
from forum.notify.models import Notification
from forum.triage import services as triage
from tests import factories
from tests.notify.conftest import (
    build_org,
    corroborate,
    file_post,
    make_fix,
    move,
    notes,
    person,
    resolve,
)

SECRETS = ("Zelda", "Whistleblower", "zelda.w")


def _run_every_event(org):
    """A shielded report goes through everything that notifies anyone; returns the post."""
    post = file_post(org.author, title="Pallets arrive weeks late", shielded=True)
    corroborate(post, org.corroborator)
    posts.set_following(person(org.bystander), post, True)
    posts.set_following(person(org.ops), post, True)
    db.session.commit()
    posts.add_comment(post, person(org.author), "It happened again at Acme. @oscar, any news?")
    db.session.commit()
    triage.ask_for_info(post, actor=person(org.leader), question="Which carrier?")
    db.session.commit()
    posts.add_comment(post, person(org.author), "The usual one.")
    posts.add_comment(post, person(org.corroborator), "Same for my account.")
    db.session.commit()
    fix = make_fix(org, post)
    resolve(org, fix)
    move(fix, "reopened", org.author, note="Still late for my customer")
    move(fix, "in_progress", org.ops)
    move(
        fix,
        "resolved",
        org.ops,
        resolution_note="Carrier replaced",
        root_cause_id=org.cause,
        prevention="Quarterly review",
    )
    move(fix, "verified", org.corroborator)
    fix2 = make_fix(org, file_post(org.bystander, title="Another late delivery"))
    escalations.escalate_overdue(now=fix2.due_at + timedelta(days=3))
    db.session.commit()
    digests.send_daily()
    digests.send_weekly()
    db.session.commit()
    return post


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in (text or "").lower()]


@pytest.fixture
def shielded_run(app):
    with app.app_context():
        org = build_org()
        post = _run_every_event(org)
        yield org, post


def test_no_notification_to_anyone_else_names_the_shielded_author(shielded_run):
    org, _ = shielded_run
    others = db.session.scalars(
        sa.select(Notification).where(Notification.user_id != org.author)
    ).all()
    assert len(others) > 10  # the scenario did reach many people
    for n in others:
        assert _leaks(n.title + " " + n.body + " " + n.url) == [], (n.user_id, n.title)


def test_no_email_to_anyone_else_names_the_shielded_author(shielded_run):
    org, _ = shielded_run
    others = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.user_id != org.author)
    ).all()
    assert len(others) > 5
    for m in others:
        text = " ".join(
            [m.subject, m.text_body, m.html_body, m.to_address, m.to_name, str(m.headers)]
        )
        assert _leaks(text) == [], (m.user_id, m.subject)


def test_followers_see_the_shield_label_where_the_author_commented(shielded_run):
    org, _ = shielded_run
    titles = [n.title for n in notes(org.bystander, "comment")]
    assert "A verified rep (EMEA) commented on “Pallets arrive weeks late”" in titles


def test_a_mention_by_a_shielded_author_wears_the_shield(shielded_run):
    org, _ = shielded_run
    [note] = notes(org.ops, "mention")
    assert note.title == "A verified rep (EMEA) mentioned you on “Pallets arrive weeks late”"


def test_the_shielded_author_is_still_told_everything_about_their_report(shielded_run):
    org, _ = shielded_run
    events = {n.event for n in notes(org.author)}
    assert {"post_needs_info", "post_linked", "fix_resolved", "fix_status", "comment"} <= events


def test_everything_that_tells_the_author_about_their_report_is_marked_shielded(shielded_run):
    org, _ = shielded_run
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.user_id == org.author)
    ).all()
    assert rows and all(m.shielded for m in rows)


def test_no_delivered_email_file_to_anyone_else_names_the_shielded_author(app, shielded_run):
    org, _ = shielded_run
    delivery.deliver_due(limit=1000)
    files = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert len(files) > 5
    for path in files:
        raw = path.read_text(errors="replace")
        if "zelda.w@example.test" in raw.split("\n\n", 1)[0]:
            continue  # addressed to the author herself
        assert _leaks(raw) == [], path.name


def test_the_outbox_page_shows_an_admin_nothing_that_names_the_shielded_author(
    app, client, shielded_run
):
    org, _ = shielded_run
    delivery.deliver_due(limit=1000)
    admin = person(org.admin)
    client.refresh_csrf("/login")
    response = client.post("/login", data={"email": admin.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    page = client.get("/notifications/outbox?page=1").get_data(as_text=True)
    assert "Hidden: about a shielded report" in page
    assert _leaks(page) == []
