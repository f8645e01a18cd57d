"""Preferences per user and kind of event: immediate, daily digest or off; sensible defaults;
the preferences page; the unsubscribe link that works without signing in."""

import re

import pytest
import sqlalchemy as sa

from forum.core.errors import DomainError
from forum.extensions import db
from forum.notify import services
from forum.notify.events import EVENTS, Delivery
from forum.notify.models import NotificationPreference
from tests.notify.conftest import corroborate, file_post, mails, make_fix, notes, person, resolve


def test_verification_requests_are_immediate_by_default(org):
    assert services.preferences(person(org.author))["fix_resolved"] == Delivery.IMMEDIATE


def test_comments_on_followed_posts_wait_for_the_daily_digest_by_default(org):
    assert services.preferences(person(org.author))["comment"] == Delivery.DAILY


def test_a_rep_is_offered_no_operations_or_leadership_events(org):
    kinds = set(services.preferences(person(org.author)))
    assert "fix_new" not in kinds and "weekly_digest" not in kinds


def test_operations_are_offered_new_fixes_and_escalations_but_no_report_events(org):
    kinds = set(services.preferences(person(org.ops)))
    assert {"fix_new", "escalation", "mention", "comment"} <= kinds
    assert "post_linked" not in kinds


def test_an_event_switched_off_makes_no_notification_at_all(org):
    services.set_preference(person(org.author), "post_linked", "off")
    db.session.commit()
    make_fix(org, file_post(org.author))
    assert notes(org.author, "post_linked") == []
    assert mails(org.author, "post_linked") == []


def test_an_event_set_to_daily_is_in_the_app_but_not_emailed_at_once(org):
    services.set_preference(person(org.author), "post_linked", "daily")
    db.session.commit()
    make_fix(org, file_post(org.author))
    [note] = notes(org.author, "post_linked")
    assert note.email_mode == "daily"
    assert mails(org.author, "post_linked") == []


def test_an_event_set_to_immediate_is_emailed_at_once(org):
    services.set_preference(person(org.author), "fix_status", "immediate")
    db.session.commit()
    fix = make_fix(org, file_post(org.author))
    resolve(org, fix)
    assert len(mails(org.author, "fix_status")) == 2  # acknowledged, in progress


def test_one_users_choice_does_not_change_anothers(org):
    post = file_post(org.author)
    corroborate(post, org.corroborator)
    services.set_preference(person(org.author), "post_linked", "off")
    db.session.commit()
    make_fix(org, post)
    assert len(notes(org.corroborator, "post_linked")) == 1


def test_a_choice_not_offered_for_an_event_is_refused(org):
    with pytest.raises(DomainError):
        services.set_preference(person(org.leader), "weekly_digest", "daily")


def test_an_event_a_role_cannot_receive_is_refused(org):
    with pytest.raises(DomainError):
        services.set_preference(person(org.author), "fix_new", "off")


# --- the page ---------------------------------------------------------------------------------


def _checked(page: str, name: str) -> list[str]:
    """The values of the checked radio buttons called ``name``."""
    inputs = re.findall(r"<input [^>]*>", page)
    return [
        re.search(r'value="([^"]*)"', i).group(1)
        for i in inputs
        if f'name="{name}"' in i and " checked" in i
    ]


def test_the_preferences_page_shows_each_kind_with_its_current_choice(client, login):
    login("rep")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert EVENTS["fix_resolved"].label in page
    assert _checked(page, "fix_resolved") == ["immediate"]
    assert _checked(page, "comment") == ["daily"]


def test_saving_the_preferences_page_stores_every_choice(app, client, login):
    who = login("rep")
    form = {t.key: t.default.value for t in EVENTS.values() if "rep" in t.roles}
    form["comment"] = "off"
    response = client.post("/notifications/preferences", data=form)
    assert response.status_code == 303
    with app.app_context():
        assert services.preferences(person(who.id))["comment"] == Delivery.OFF


def test_an_unknown_choice_on_the_preferences_page_is_a_400_and_saves_nothing(app, client, login):
    who = login("rep")
    form = {t.key: t.default.value for t in EVENTS.values() if "rep" in t.roles}
    form["comment"] = "hourly"
    response = client.post("/notifications/preferences", data=form)
    assert response.status_code == 400
    with app.app_context():
        stored = db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == who.id)
        ).all()
        assert stored == []


# --- unsubscribe ------------------------------------------------------------------------------


def _unsubscribe_path(mail) -> str:
    return re.search(r"http://localhost(/notifications/unsubscribe/\S+)", mail.text_body).group(1)


@pytest.fixture
def linked_mail(app, org):
    make_fix(org, file_post(org.author))
    [mail] = mails(org.author, "post_linked")
    return mail


def test_the_unsubscribe_link_asks_before_it_changes_anything(app, client, org, linked_mail):
    response = client.get(_unsubscribe_path(linked_mail))
    assert response.status_code == 200
    assert "Stop these notifications" in response.get_data(as_text=True)
    with app.app_context():
        assert services.preference(person(org.author), "post_linked") == Delivery.IMMEDIATE


def test_the_unsubscribe_button_switches_that_event_off_without_signing_in(
    app, client, org, linked_mail
):
    response = client.post(_unsubscribe_path(linked_mail), csrf=False)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    with app.app_context():
        prefs = services.preferences(person(org.author))
        assert prefs["post_linked"] == Delivery.OFF
        assert prefs["fix_resolved"] == Delivery.IMMEDIATE  # only that kind


def test_a_mail_clients_one_click_unsubscribe_works(app, client, org, linked_mail):
    response = client.post(
        _unsubscribe_path(linked_mail), data={"List-Unsubscribe": "One-Click"}, csrf=False
    )
    assert response.status_code == 200
    with app.app_context():
        assert services.preference(person(org.author), "post_linked") == Delivery.OFF


def test_a_tampered_unsubscribe_link_is_a_404_and_changes_nothing(app, client, org, linked_mail):
    path = _unsubscribe_path(linked_mail)
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.post(forged, csrf=False).status_code == 404
    assert client.get("/notifications/unsubscribe/not-a-token").status_code == 404
    with app.app_context():
        assert services.preference(person(org.author), "post_linked") == Delivery.IMMEDIATE


def test_a_token_signed_for_another_purpose_does_not_unsubscribe(app, client, org):
    from itsdangerous import URLSafeSerializer

    token = URLSafeSerializer("test-secret", salt="other").dumps([org.author, "post_linked"])
    assert client.post(f"/notifications/unsubscribe/{token}", csrf=False).status_code == 404


def test_the_daily_digest_link_turns_off_every_kind_it_carries(app, client, org):
    token = services.unsubscribe_token(org.author, "daily_digest")
    assert client.post(f"/notifications/unsubscribe/{token}", csrf=False).status_code == 200
    with app.app_context():
        prefs = services.preferences(person(org.author))
        assert prefs["comment"] == prefs["fix_status"] == prefs["post_noted"] == Delivery.OFF
        assert prefs["fix_resolved"] == Delivery.IMMEDIATE
