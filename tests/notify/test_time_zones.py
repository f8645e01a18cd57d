"""E-mails and notifications give times in the recipient's zone, named; due dates are the
organisation's days, the same for every recipient."""

from datetime import UTC, date, datetime

from forum.core import zones
from forum.core.templating import fmt_datetime
from forum.extensions import db
from forum.notify import digests
from tests.notify.conftest import file_post, mails, make_fix, notes, person

NB = "\u202f"  # CLDR's narrow no-break space before AM and PM


def _zones(org, **by_person) -> None:
    for name, zone in by_person.items():
        person(getattr(org, name)).time_zone = zone
    db.session.commit()


def test_a_new_fixs_deadline_to_acknowledge_is_in_each_recipients_zone(org):
    _zones(org, ops="Asia/Tokyo", ops_lead="America/New_York")
    fix = make_fix(org, file_post(org.author))
    ack = fix.ack_due_at
    for user_id, zone in ((org.ops, "Asia/Tokyo"), (org.ops_lead, "America/New_York")):
        with zones.in_zone_of(person(user_id)):
            expected = fmt_datetime(ack)
        assert expected.endswith(f" {zone}")
        [note] = notes(user_id, "fix_new")
        assert f"acknowledge by {expected};" in note.body
        assert f"acknowledge by {expected};" in mails(user_id, "fix_new")[0].text_body


def test_the_weekly_digest_gives_the_due_date_and_its_deadline_in_the_readers_zone(org):
    zones.set_org_zone("Europe/Berlin")
    _zones(org, leader="Asia/Tokyo", other_leader="America/New_York")
    fix = make_fix(org, file_post(org.bystander, title="Late"), title="Late")
    fix.due_at = zones.end_of_org_day(date(2026, 11, 20))  # 22:59:59 UTC
    db.session.commit()
    queued = digests.send_weekly(now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    text = {m.user_id: m.text_body for m in queued}
    assert f"due Nov 20, 2026 (by Nov 21, 2026, 7:59{NB}AM Asia/Tokyo)" in text[org.leader]
    assert (
        f"due Nov 20, 2026 (by Nov 20, 2026, 5:59{NB}PM America/New_York)" in text[org.other_leader]
    )
