"""The rule table of who hears of what (forum/notify/events.py), row by row: each kind of event,
made to happen, tells exactly the people its row names — no one else, never the one who caused
it — and a shielded reporter is told without being named to others. Doing what a notification
asked (verifying, acknowledging, answering) marks it read.

A new kind of event fails ``test_every_kind_of_event_has_a_scenario`` until it gets one here.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app

from forum.core import settings
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import PostKind
from forum.fixes import escalations
from forum.fixes import services as fixes
from forum.notify import digests
from forum.notify.events import EVENTS
from forum.taxonomy.models import ReasonBranch, TaxonomyKind
from forum.triage import services as triage
from forum.webhooks import services as webhooks
from tests import factories
from tests.notify.conftest import (
    corroborate,
    file_post,
    mails,
    make_fix,
    move,
    notes,
    person,
    recipients,
    resolve,
)


def broken_promise(org, author_id: int, *, impact: int, shielded: bool = False):
    post = posts.create_post(
        person(author_id),
        posts.PostInput(
            kind=PostKind.BROKEN_PROMISE,
            title="The carrier lost the pallets",
            body="Three pallets never arrived.",
            account=factories.named_account("Acme GmbH"),
            promised="Delivery in five days",
            revenue_at_risk=Decimal("40000"),
            currency="EUR",
            impact=impact,
            team_id=org.shipping,
            shielded=shielded,
        ),
    )
    db.session.commit()
    return post


def reported_fix(org):
    post = file_post(org.author)
    corroborate(post, org.corroborator)
    return make_fix(org, post)


# --- one scenario per row: make the event happen, return who must have been told ------------


def s_post_linked(org):
    reported_fix(org)
    return {org.author, org.corroborator}


def s_post_needs_info(org):
    post = file_post(org.author)
    corroborate(post, org.corroborator)
    triage.ask_for_info(post, actor=person(org.leader), question="Which carrier?")
    db.session.commit()
    return {org.author, org.corroborator}


def s_post_declined(org):
    post = file_post(org.author)
    triage.decline(post, actor=person(org.leader), reason="Not a delivery problem")
    db.session.commit()
    return {org.author}


def s_post_duplicate(org):
    original = file_post(org.bystander, title="Pallets late")
    copy = file_post(org.author)
    corroborate(copy, org.corroborator)
    triage.mark_duplicate(copy, original, actor=person(org.leader))
    db.session.commit()
    return {org.author, org.corroborator}


def s_post_noted(org):
    post = file_post(org.author)
    triage.note(post, actor=person(org.leader), remark="Known; the new carrier starts Monday")
    db.session.commit()
    return {org.author}


def s_post_me_too(org):
    post = file_post(org.author)
    posts.corroborate(post, person(org.corroborator))
    posts.corroborate(post, person(org.bystander))
    db.session.commit()
    [note] = notes(org.author, "post_me_too")  # two "me too"s, one notification
    assert note.title == "2 more reps say “me too” on your report “Delivery took three weeks”"
    return {org.author}


def s_fix_resolved(org):
    resolve(org, reported_fix(org))
    return {org.author, org.corroborator}


def s_fix_status(org):
    fix = reported_fix(org)
    move(fix, "acknowledged", org.ops)
    return {org.author, org.corroborator}


def s_customer_to_tell(org):
    promise = broken_promise(org, org.author, impact=2)  # the author of the broken promise
    corroborate(promise, org.corroborator)
    fix = make_fix(org, promise, file_post(org.bystander))  # field feedback: no customer step
    resolve(org, fix)
    move(fix, "verified", org.corroborator)
    return {org.author}


def s_deal_to_reengage(org):
    promise = broken_promise(org, org.author, impact=2)
    fix = make_fix(org, promise)
    reason = factories.term(TaxonomyKind.REASON, branch=ReasonBranch.DELIVERY)
    for rep, outcome in ((org.bystander, "lost"), (org.corroborator, "won")):
        posts.create_post(
            person(rep),
            posts.PostInput(
                kind=PostKind.WIN_LOSS,
                title="Lost Acme to a rival",
                body="They went elsewhere after the late pallets.",
                outcome=outcome,
                primary_reason_id=reason.id,
                cause_post_id=promise.id,
            ),
        )
    db.session.commit()
    resolve(org, fix)
    move(fix, "verified", org.leader, now=fix.resolved_at + timedelta(days=30))
    return {org.bystander}  # the rep of the lost deal; the won deal's rep is not asked


def s_mention(org):
    post = file_post(org.author)
    posts.add_comment(post, person(org.leader), "@betty what did your customer see?")
    fix = make_fix(org, file_post(org.author, title="Labels"))
    fixes.add_comment(fix, person(org.ops), "@carl can you confirm the address?")
    db.session.commit()
    return {org.bystander, org.corroborator}


def s_comment(org):
    post = file_post(org.author)
    posts.set_following(person(org.bystander), post, True)
    posts.add_comment(post, person(org.leader), "We are on it.")
    db.session.commit()
    return {org.author, org.bystander}  # the author follows their own report


def s_fix_comment(org):
    fix = reported_fix(org)
    fixes.assign(fix, org.ops, actor=person(org.ops_lead), version=fix.version)
    fixes.add_comment(fix, person(org.billing_ops), "Billing saw the same carrier issue.")
    fixes.add_comment(fix, person(org.author), "Still late this week.")
    db.session.commit()
    # the creator, the assignee, the earlier commenter, the reporters (each not for their own)
    return {org.leader, org.ops, org.billing_ops, org.corroborator, org.author}


def s_fix_new(org):
    reported_fix(org)
    return {org.ops, org.ops_lead}


def s_fix_assigned(org):
    fix = reported_fix(org)
    fixes.assign(fix, org.ops, actor=person(org.leader), version=fix.version)
    fixes.assign(fix, org.ops_lead, actor=person(org.ops_lead), version=fix.version)  # self
    db.session.commit()
    return {org.ops}


def s_fix_reopened(org):
    fix = reported_fix(org)
    fixes.assign(fix, org.ops, actor=person(org.leader), version=fix.version)
    db.session.commit()
    resolve(org, fix)
    move(fix, "reopened", org.author, note="Still three weeks late")
    [note] = notes(org.ops_lead, "fix_reopened")
    assert "Still three weeks late" in note.body
    return {org.ops_lead, org.ops}  # the owner team (the assignee is in it) but not its mover


def s_fix_blocked(org):
    fix = reported_fix(org)
    move(fix, "acknowledged", org.ops)
    move(fix, "in_progress", org.ops)
    move(fix, "blocked", org.ops, note="Waiting for the carrier's contract")
    move(fix, "in_progress", org.ops)
    titles = [n.title for n in notes(org.leader, "fix_blocked")]
    assert [t.rsplit(" is ", 1)[1] for t in titles] == ["blocked", "unblocked: now in progress"]
    return {org.leader}


def s_post_high_impact(org):
    broken_promise(org, org.author, impact=4)
    broken_promise(org, org.author, impact=2)  # below the threshold of 3: nobody
    broken_promise(org, org.leader, impact=3)  # the leader who filed it is not told
    assert len(notes(org.leader, "post_high_impact")) == 1
    return {org.leader, org.other_leader, org.admin}


def s_escalation(org):
    fix = reported_fix(org)
    escalations.escalate_overdue(now=fix.due_at + timedelta(days=2))
    db.session.commit()
    return {org.ops_lead}


def s_weekly_digest(org):
    fix = reported_fix(org)
    digests.send_weekly(now=fix.due_at + timedelta(days=2))
    db.session.commit()
    return {org.leader, org.other_leader}  # sales leaders (not the admin)


def s_webhook_disabled(org):
    endpoint = factories.webhook()
    for _ in range(current_app.config["WEBHOOK_DISABLE_AFTER"]):
        webhooks.attempt_failed(endpoint, "Answered 500.")
    db.session.commit()
    assert not endpoint.active
    return {org.admin}


SCENARIOS = {name[2:]: fn for name, fn in globals().items() if name.startswith("s_")}


def test_every_kind_of_event_has_a_scenario():
    assert set(SCENARIOS) == set(EVENTS)


@pytest.mark.parametrize("event", sorted(SCENARIOS))
def test_each_kind_of_event_tells_exactly_the_people_its_row_names(org, event):
    expected = SCENARIOS[event](org)
    if event == "weekly_digest":
        told = {m.user_id for m in mails(event="weekly_digest")}
    else:
        told = recipients(event)
    assert told == expected
    for user_id in told:
        assert EVENTS[event].reaches(person(user_id).role)


def test_a_new_report_of_high_impact_names_a_shielded_author_by_the_shield_only(org):
    broken_promise(org, org.author, impact=4, shielded=True)
    for user_id in (org.leader, org.other_leader, org.admin):
        [note] = notes(user_id, "post_high_impact")
        assert "Zelda" not in note.title + note.body
        assert "A verified rep" in note.body
    assert all("Zelda" not in m.text_body for m in mails(event="post_high_impact"))


def test_a_shielded_reporter_commenting_on_a_fix_is_named_by_the_shield(org):
    post = broken_promise(org, org.author, impact=1, shielded=True)
    corroborate(post, org.corroborator)
    fix = make_fix(org, post)
    fixes.add_comment(fix, person(org.author), "It is still happening.")
    db.session.commit()
    for user_id in (org.leader, org.corroborator):
        [note] = notes(user_id, "fix_comment")
        assert note.title.startswith("A verified rep")
        assert "Zelda" not in note.title + note.body


def test_the_impact_threshold_is_the_admins_setting(org):
    settings.put("alert_min_impact", 5)  # never
    db.session.commit()
    broken_promise(org, org.author, impact=4)
    assert recipients("post_high_impact") == set()


def test_a_me_too_after_the_author_read_the_first_one_is_a_new_notification(org):
    post = file_post(org.author)
    posts.corroborate(post, person(org.corroborator))
    db.session.commit()
    [first] = notes(org.author, "post_me_too")
    first.read_at = first.created_at
    posts.corroborate(post, person(org.bystander))
    db.session.commit()
    assert [n.title.split(" “")[0] for n in notes(org.author, "post_me_too")] == [
        "Another rep says",
        "Another rep says",
    ]


# --- read state follows use ------------------------------------------------------------------


def unread(user_id: int) -> list[str]:
    return [n.event for n in notes(user_id) if n.read_at is None]


def test_verifying_a_fix_reads_what_asked_for_it_and_nothing_else(org):
    fix = reported_fix(org)
    other = file_post(org.author, title="Invoices in EUR")
    triage.ask_for_info(other, actor=person(org.leader), question="Which customer?")
    db.session.commit()
    resolve(org, fix)
    assert set(unread(org.author)) >= {"post_linked", "fix_status", "fix_resolved"}

    move(fix, "verified", org.author)
    assert unread(org.author) == ["post_needs_info"]  # about another report
    assert "fix_resolved" in unread(org.corroborator)  # someone else's notifications stay


def test_answering_a_question_on_a_report_reads_the_question(org):
    post = file_post(org.author)
    triage.ask_for_info(post, actor=person(org.leader), question="Which carrier?")
    db.session.commit()
    assert unread(org.author) == ["post_needs_info"]
    posts.add_comment(post, person(org.author), "DHL, twice.")
    db.session.commit()
    assert unread(org.author) == []


def test_acknowledging_a_fix_or_its_escalation_reads_what_asked_for_it(org):
    fix = reported_fix(org)
    [escalation] = escalations.escalate_overdue(now=fix.due_at + timedelta(days=2))
    db.session.commit()
    assert unread(org.ops_lead) == ["fix_new", "escalation"]
    escalations.acknowledge_escalation(escalation, actor=person(org.ops_lead))
    db.session.commit()
    assert unread(org.ops_lead) == []
    assert unread(org.ops) == ["fix_new"]
    move(fix, "acknowledged", org.ops)
    assert unread(org.ops) == []
