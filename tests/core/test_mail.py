"""The file transport keeps every message, even two written in the same instant."""

from datetime import UTC, datetime

from forum.core import mail


def test_two_messages_of_the_same_instant_are_both_kept(app, outbox, monkeypatch):
    instant = datetime(2026, 1, 1, tzinfo=UTC)
    monkeypatch.setattr(mail, "utcnow", lambda: instant)
    with app.app_context():
        mail.send(mail.build_message("a@example.test", "First", "one"))
        mail.send(mail.build_message("b@example.test", "Second", "two"))
    assert sorted(m["Subject"] for m in outbox.messages) == ["First", "Second"]


def test_newlines_in_a_subject_cannot_add_headers(app, outbox):
    with app.app_context():
        mail.send(mail.build_message("a@example.test", "Hi\nBcc: evil@example.test", "text"))
    [message] = outbox.messages
    assert message["Bcc"] is None
