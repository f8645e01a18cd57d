"""The follow-up pages: one's own only (anyone else's answers like a missing one), marking
through the form, the mailto link, and the leaders' list of customers not yet told, which names
a shielded report's author by the shield only."""

from datetime import timedelta

import sqlalchemy as sa

from forum.core import settings
from forum.core.time import utcnow
from forum.extensions import db
from forum.loop.models import FollowUp, FollowUpState
from tests.conftest import Who
from tests.fixes import builders


def _world(app, *, shielded=False):
    with app.app_context():
        org = builders.org()
        rep = org.user("rep_reporter")
        rep.display_name = "Rita Reporter"
        fix = builders.fix_in(org, "verified", shielded=shielded)
        follow_up = db.session.scalar(sa.select(FollowUp).where(FollowUp.fix_id == fix.id))
        db.session.commit()
        return org, follow_up.id, fix.id


def _who(org, key) -> Who:
    return org.who(key)


def test_the_rep_sees_their_follow_up_and_others_get_404(app, client):
    org, fid, _ = _world(app)
    with app.app_context():
        rep, other, leader = (_who(org, k) for k in ("rep_reporter", "rep_unrelated", "leader"))
    client.sign_in(rep)
    page = client.get(f"/follow-ups/{fid}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tell the customer" in text and 'href="mailto:?subject=' in text
    for who in (other, leader):
        client.sign_in(who)
        assert client.get(f"/follow-ups/{fid}").status_code == 404
        assert client.post(f"/follow-ups/{fid}/mark", data={"to": "informed"}).status_code in {
            400,
            403,
            404,
        }
    with app.app_context():
        assert db.session.get(FollowUp, fid).state == FollowUpState.TO_TELL


def test_the_rep_marks_the_customer_informed_then_trust_restored(app, client):
    org, fid, _ = _world(app)
    with app.app_context():
        rep = _who(org, "rep_reporter")
    client.sign_in(rep)
    today = utcnow().date().isoformat()
    answer = client.post(
        f"/follow-ups/{fid}/mark", data={"to": "informed", "state": "to_tell", "on": today}
    )
    assert answer.status_code == 302
    again = client.post(f"/follow-ups/{fid}/mark", data={"to": "informed", "state": "to_tell"})
    assert again.status_code == 409
    client.post(f"/follow-ups/{fid}/mark", data={"to": "trust_restored", "state": "informed"})
    with app.app_context():
        f = db.session.get(FollowUp, fid)
        assert (f.state, f.informed_on.isoformat()) == (FollowUpState.TRUST_RESTORED, today)
    home = client.get("/").get_data(as_text=True)
    assert "Tell your customers" not in home


def test_an_edited_message_is_what_the_mail_link_carries(app, client):
    org, fid, _ = _world(app)
    with app.app_context():
        rep = _who(org, "rep_reporter")
    client.sign_in(rep)
    client.post(f"/follow-ups/{fid}/message", data={"message": "Dear Anna, all fixed."})
    text = client.get(f"/follow-ups/{fid}").get_data(as_text=True)
    assert "body=Dear%20Anna%2C%20all%20fixed." in text


def test_reps_find_their_pending_steps_on_the_home_page_and_their_record(app, client):
    org, fid, _ = _world(app)
    with app.app_context():
        rep = _who(org, "rep_reporter")
    client.sign_in(rep)
    home = client.get("/").get_data(as_text=True)
    assert "Tell your customers" in home and f"/follow-ups/{fid}" in home
    record = client.get("/board/reps/me").get_data(as_text=True)
    assert "customer" in record and "/follow-ups/" in record


def test_leaders_see_customers_not_yet_told_after_the_setting_shielded_by_the_label(app, client):
    org, fid, fix_id = _world(app, shielded=True)
    with app.app_context():
        leader = _who(org, "leader")
        settings.put("customer_told_days", 30)  # the fix was verified some 20 days ago
        db.session.commit()
    client.sign_in(leader)
    text = client.get("/follow-ups/waiting").get_data(as_text=True)
    assert f"/fixes/{fix_id}" not in text
    with app.app_context():
        settings.put("customer_told_days", 7)
        db.session.commit()
    text = client.get("/follow-ups/waiting").get_data(as_text=True)
    assert f"/fixes/{fix_id}" in text
    assert "A verified rep" in text and "Rita Reporter" not in text
    with app.app_context():
        rep = _who(org, "rep_reporter")
    client.sign_in(rep)
    assert client.get("/follow-ups/waiting").status_code == 403


def test_a_fix_verified_long_ago_counts_as_waiting(app):
    org, fid, fix_id = _world(app)
    from forum.fixes.models import Fix
    from forum.loop import queries

    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        now = fix.verified_at + timedelta(days=settings.get("customer_told_days"))
        assert queries.not_yet_told_count(now) == 1
        assert queries.not_yet_told_count(now - timedelta(seconds=1)) == 0
