"""Each event reaches exactly the people it concerns, once, and nobody else."""

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.feedback import services as posts
from forum.fixes import escalations
from forum.triage import services as triage
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


@pytest.fixture
def reported(org):
    """A report by the author, corroborated once."""
    post = file_post(org.author)
    corroborate(post, org.corroborator)
    return post


def test_linking_a_report_to_a_fix_tells_its_author_and_corroborator(org, reported):
    make_fix(org, reported)
    assert recipients("post_linked") == {org.author, org.corroborator}


def test_the_author_of_a_linked_report_gets_an_email_at_once(org, reported):
    fix = make_fix(org, reported)
    [mail] = mails(org.author, "post_linked")
    assert mail.subject == (
        f"Your report “Delivery took three weeks” is linked to fix #{fix.id}: Shipping lead times"
    )
    assert f"http://localhost/fixes/{fix.id}" in mail.text_body


def test_a_corroborator_is_told_in_their_own_words(org, reported):
    make_fix(org, reported)
    [note] = notes(org.corroborator, "post_linked")
    assert note.title.startswith("A report you corroborated, “Delivery took three weeks”,")


def test_the_leader_who_triages_is_not_told_of_their_own_action(org, reported):
    make_fix(org, reported)
    assert notes(org.leader) == []


def test_a_new_fix_tells_every_member_of_its_owner_team_and_nobody_else(org, reported):
    make_fix(org, reported)
    assert recipients("fix_new") == {org.ops, org.ops_lead}


def test_people_unrelated_to_a_report_hear_nothing_of_its_triage(org, reported):
    make_fix(org, reported)
    for user_id in (org.bystander, org.other_leader, org.billing_ops, org.admin):
        assert notes(user_id) == [], user_id
        assert mails(user_id) == [], user_id


def test_a_declined_report_tells_its_reporters_the_reason(org, reported):
    triage.decline(reported, actor=person(org.leader), reason="Not a delivery problem")
    db.session.commit()
    assert recipients("post_declined") == {org.author, org.corroborator}
    assert "Not a delivery problem" in notes(org.author, "post_declined")[0].body


def test_a_question_from_triage_reaches_the_reporters_with_the_question(org, reported):
    triage.ask_for_info(reported, actor=person(org.leader), question="Which carrier was it?")
    db.session.commit()
    assert recipients("post_needs_info") == {org.author, org.corroborator}
    [note] = notes(org.author, "post_needs_info")
    assert "Which carrier was it?" in note.body
    assert note.url == f"/posts/{reported.id}#comments-h"


def test_a_merged_report_tells_its_own_reporters_not_the_originals(org, reported):
    original = file_post(org.bystander, title="Three-week delivery again")
    triage.mark_duplicate(reported, original, actor=person(org.leader))
    db.session.commit()
    assert recipients("post_duplicate") == {org.author, org.corroborator}
    [note] = notes(org.author, "post_duplicate")
    assert note.url == f"/posts/{original.id}"


def test_a_noted_report_waits_for_the_daily_digest_by_default(org, reported):
    triage.note(reported, actor=person(org.leader), remark="Known and accepted")
    db.session.commit()
    [note] = notes(org.author, "post_noted")
    assert note.email_mode == "daily"
    assert "Known and accepted" in note.body
    assert mails(org.author, "post_noted") == []


def test_a_fix_status_change_tells_every_reporter_in_the_app(org, reported):
    fix = make_fix(org, reported)
    move(fix, "acknowledged", org.ops)
    assert recipients("fix_status") == {org.author, org.corroborator}
    assert notes(org.author, "fix_status")[0].title.endswith("is now acknowledged")


def test_a_fix_status_change_is_not_emailed_at_once_by_default(org, reported):
    fix = make_fix(org, reported)
    move(fix, "acknowledged", org.ops)
    assert mails(event="fix_status") == []


def test_a_resolved_fix_asks_each_reporter_to_verify_it_by_email(org, reported):
    fix = make_fix(org, reported)
    resolve(org, fix)
    assert recipients("fix_resolved") == {org.author, org.corroborator}
    [mail] = mails(org.corroborator, "fix_resolved")
    assert mail.subject == f"Fix #{fix.id} “Shipping lead times” is resolved: did it hold?"
    assert f"http://localhost/fixes/{fix.id}#verify-h" in mail.text_body


def test_reporters_of_every_post_of_a_fix_hear_of_its_resolution(org, reported):
    second = file_post(org.bystander, title="Late pallets")
    fix = make_fix(org, reported, second)
    resolve(org, fix)
    assert recipients("fix_resolved") == {org.author, org.corroborator, org.bystander}


def test_the_reporter_who_verifies_a_fix_is_not_told_but_the_others_are(org, reported):
    fix = make_fix(org, reported)
    resolve(org, fix)
    move(fix, "verified", org.corroborator)
    verified = [n for n in notes(org.author, "fix_status") if "verified" in n.title]
    assert len(verified) == 1
    assert not [n for n in notes(org.corroborator, "fix_status") if "verified" in n.title]


def test_a_reopened_fix_carries_the_reason(org, reported):
    fix = make_fix(org, reported)
    resolve(org, fix)
    move(fix, "reopened", org.corroborator, note="Still late last week")
    [note] = [n for n in notes(org.author, "fix_status") if "reopened" in n.title]
    assert "Still late last week" in note.body


def test_a_comment_tells_the_posts_followers_except_its_author(org, reported):
    posts.add_comment(reported, person(org.bystander), "Same at Acme.")
    db.session.commit()
    # The author follows their report, the corroborator followed by saying "me too".
    assert recipients("comment") == {org.author, org.corroborator}


def test_an_internal_note_reaches_no_rep_who_follows_the_post(org, reported):
    posts.set_following(person(org.ops), reported, True)
    db.session.commit()
    posts.add_comment(reported, person(org.leader), "Carrier contract ends", internal=True)
    db.session.commit()
    assert recipients("comment") == {org.ops}


def test_a_mention_tells_the_mentioned_person_once_by_email(org, reported):
    posts.add_comment(reported, person(org.bystander), "@oscar can you check the carrier?")
    db.session.commit()
    assert recipients("mention") == {org.ops}
    [mail] = mails(org.ops, "mention")
    assert mail.subject == "Betty Bystander mentioned you on “Delivery took three weeks”"


def test_a_mentioned_follower_gets_the_mention_instead_of_the_comment(org, reported):
    posts.add_comment(reported, person(org.bystander), "@CARL did you see this too?")
    db.session.commit()
    assert notes(org.corroborator, "mention") != []
    assert notes(org.corroborator, "comment") == []


def test_a_mention_of_nobody_notifies_nobody_and_stays_as_typed(org, reported):
    comment = posts.add_comment(reported, person(org.bystander), "Ask @nobody.here about it")
    db.session.commit()
    assert recipients("mention") == set()
    assert comment.body == "Ask @nobody.here about it"


def test_an_email_address_in_a_comment_is_not_a_mention(org, reported):
    posts.add_comment(reported, person(org.bystander), "Write to oscar@example.test")
    db.session.commit()
    assert recipients("mention") == set()


def test_a_mention_inside_code_is_not_a_mention(org, reported):
    posts.add_comment(reported, person(org.bystander), "Type `@oscar` in the field")
    db.session.commit()
    assert recipients("mention") == set()


def test_a_rep_mentioned_in_an_internal_note_is_not_told(org, reported):
    posts.add_comment(reported, person(org.leader), "Ask @betty quietly", internal=True)
    db.session.commit()
    assert notes(org.bystander) == []


def test_an_escalation_tells_the_person_it_goes_to_and_nobody_else(org, reported):
    fix = make_fix(org, reported)
    [escalation] = escalations.escalate_overdue(now=fix.due_at + timedelta(days=2))
    db.session.commit()
    assert escalation.to_user_id == org.ops_lead
    assert recipients("escalation") == {org.ops_lead}
    [mail] = mails(org.ops_lead, "escalation")
    assert "overdue by 2 days" in mail.text_body


def test_a_deactivated_reporter_hears_nothing(org, reported):
    person(org.corroborator).active = False
    db.session.commit()
    make_fix(org, reported)
    assert notes(org.corroborator) == []


def test_notifications_and_emails_are_saved_with_the_change_or_not_at_all(org, reported):
    triage.decline(reported, actor=person(org.leader), reason="Not a delivery problem")
    db.session.rollback()
    assert notes(org.author) == [] and mails(org.author) == []


def test_the_email_has_a_plain_text_and_an_html_part_and_an_unsubscribe_header(org, reported):
    make_fix(org, reported)
    [mail] = mails(org.author, "post_linked")
    assert "Stop e-mails about" in mail.text_body
    assert "<!DOCTYPE html>" in mail.html_body
    assert mail.headers["List-Unsubscribe"].startswith(
        "<http://localhost/notifications/unsubscribe/"
    )
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_titles_are_escaped_in_the_html_part(org):
    post = file_post(org.author, title="<script>alert(1)</script> & more")
    make_fix(org, post)
    [mail] = mails(org.author, "post_linked")
    assert "<script>" not in mail.html_body
    assert "&lt;script&gt;" in mail.html_body
