"""Every e-mail goes through the outbox; the file transport keeps each one, and no header can be
added through a subject."""

from datetime import UTC, datetime

from forum.core import outbox as mail_outbox
from forum.core.outbox import enqueue
from forum.extensions import db


def test_two_messages_of_the_same_instant_are_both_kept(app, outbox, monkeypatch):
    instant = datetime(2025, 1, 1, tzinfo=UTC)
    monkeypatch.setattr(mail_outbox, "utcnow", lambda: instant)
    with app.app_context():
        enqueue("a@example.test", "First", "one")
        enqueue("b@example.test", "Second", "two")
        db.session.commit()
    assert sorted(m["Subject"] for m in outbox.messages) == ["First", "Second"]


def test_newlines_in_a_subject_cannot_add_headers(app, outbox):
    with app.app_context():
        enqueue("a@example.test", "Hi\nBcc: evil@example.test", "text")
        db.session.commit()
    [message] = outbox.messages
    assert message["Bcc"] is None


def test_a_queued_message_waits_in_the_outbox_until_it_is_delivered(app, outbox):
    with app.app_context():
        enqueue("a@example.test", "Later", "text")
        db.session.commit()
    assert [row.subject for row in outbox.queued] == ["Later"]
    assert not outbox.folder.exists() or not list(outbox.folder.glob("*.eml"))
    [message] = outbox.messages
    assert message["Subject"] == "Later"
    assert outbox.queued == []
