"""A rep's follow-ups after a verified fix in the privacy tools: exported with their history,
and the message they saved for a customer (signed with their name) goes when they are erased."""

import json

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.fixes import services as fixes
from forum.loop import drafts, services
from forum.loop.models import FollowUp, FollowUpState
from forum.privacy import erasure, export
from tests.fixes import builders

MESSAGE = "Dear Ana, the pallets now ship on the day we promised. Best, the rep"


@pytest.fixture
def told(app):
    """A verified fix whose reporter saved a message and marked the customer informed."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "resolved")
        rep = org.user("rep_reporter")
        fixes.transition(fix, "verified", actor=rep, version=fix.version)
        [follow_up] = db.session.scalars(sa.select(FollowUp)).all()
        services.save_message(follow_up, MESSAGE, actor=rep)
        services.move(follow_up, FollowUpState.INFORMED.value, actor=rep, note="phoned too")
        db.session.commit()
        yield org, follow_up.id


def _exported(user_id: int) -> dict:
    return json.loads("".join(export.document(user_id)))


def test_the_export_holds_the_follow_ups_they_owe_with_what_was_marked(told):
    org, follow_up_id = told
    [row] = _exported(org.users["rep_reporter"])["follow_ups"]
    assert (row["id"], row["state"], row["message"]) == (follow_up_id, "informed", MESSAGE)
    marks = [(h["kind"], h["to"], h["actor_id"], h["note"]) for h in row["history"]]
    assert ("state", "informed", org.users["rep_reporter"], "phoned too") in marks
    assert _exported(org.users["rep_unrelated"])["follow_ups"] == []


def test_erasing_the_rep_removes_their_saved_message_and_the_draft_takes_the_new_name(told):
    org, follow_up_id = told
    rep = org.user("rep_reporter")
    old_name = rep.display_name
    done = erasure.erase(rep, actor=org.user("admin"), confirm=rep.email)
    db.session.commit()
    follow_up = db.session.get(FollowUp, follow_up_id)
    assert done.removed["customer_messages"] == 1
    assert follow_up.message == ""
    assert follow_up.state == FollowUpState.INFORMED  # what happened stays
    text = drafts.compose(follow_up)
    assert old_name not in text
    assert "A former rep" in text
