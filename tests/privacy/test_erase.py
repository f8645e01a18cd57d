"""Erasing a person: their name and address go everywhere, what they wrote stays, the shield
and every fix history stay valid, and the refusals change nothing."""

import csv
import io
import json

import pytest
import sqlalchemy as sa

from forum.auth.models import AuthToken, Team, User
from forum.core.audit import AuditEntry
from forum.core.errors import DomainError
from forum.core.outbox import OutboxMessage
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Attachment, Comment, Corroboration, Follow, Post
from forum.fixes import history
from forum.fixes import services as fixes
from forum.fixes.history import verify_all
from forum.fixes.models import Fix, FixEvent
from forum.notify.models import Notification, NotificationPreference
from forum.privacy import erasure
from tests import factories
from tests.privacy.conftest import (
    COINCIDENCE,
    OSCAR,
    OSCAR_EMAIL,
    OSCARS_NOTE,
    PUBLIC,
    RITA,
    RITA_EMAIL,
    RITAS_COMMENT,
    SHIELDED,
)

FORMER_REP, FORMER_USER = "A former rep", "A former user"


def erase(client, user_id: int, confirm: str):
    return client.post(f"/admin/users/{user_id}/erase", data={"confirm": confirm})


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def person(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def admin(login):
    return login("admin", display_name="Ada Admin")


@pytest.fixture
def erased_rita(client, admin, world):
    response = erase(client, world.ids["rita"], RITA_EMAIL)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    return world


# what erasing does to the person's row


def test_the_row_stays_but_names_nobody(app, erased_rita):
    rita = person(app, erased_rita.ids["rita"])
    assert rita.display_name == FORMER_REP
    assert rita.email == f"erased-{rita.id}@invalid"
    assert (rita.password_hash, rita.active, rita.last_login_at) == (None, False, None)
    assert rita.is_erased


def test_a_person_who_was_not_a_rep_becomes_a_former_user(app, client, admin, world):
    erase(client, world.ids["oscar"], OSCAR_EMAIL)
    assert person(app, world.ids["oscar"]).display_name == FORMER_USER


def test_an_erased_person_cannot_sign_in(app, erased_rita):
    client = app.test_client()
    client.refresh_csrf("/login")
    for email in (RITA_EMAIL, f"erased-{erased_rita.ids['rita']}@invalid"):
        response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 200
        assert "Invalid e-mail or password." in response.get_data(as_text=True)


def test_erasing_signs_the_person_out_everywhere(app, client, world, login):
    theirs = app.test_client()
    theirs.sign_in(world.people["rita"])
    assert theirs.get("/posts/").status_code == 200
    login("admin")
    erase(client, world.ids["rita"], RITA_EMAIL)
    assert theirs.get("/posts/").status_code == 302


def test_what_only_served_the_person_is_deleted(app, erased_rita):
    rita = erased_rita.ids["rita"]
    assert count(app, AuthToken, AuthToken.user_id == rita) == 0
    assert count(app, Notification, Notification.user_id == rita) == 0
    assert count(app, NotificationPreference, NotificationPreference.user_id == rita) == 0
    assert count(app, Follow, Follow.user_id == rita) == 0
    assert count(app, OutboxMessage, OutboxMessage.to_address == RITA_EMAIL) == 0
    assert count(app, OutboxMessage, OutboxMessage.user_id == rita) == 0


def test_what_they_wrote_stays(app, erased_rita):
    rita = erased_rita.ids["rita"]
    assert count(app, Post, Post.author_id == rita) == 2
    assert count(app, Comment, Comment.author_id == rita) == 1
    assert count(app, Corroboration, Corroboration.user_id == rita) == 1


def test_their_files_stay_under_a_neutral_name(app, erased_rita):
    ids = erased_rita.ids
    with app.app_context():
        evidence = db.session.get(Attachment, ids["evidence"])
        assert evidence.original_name == f"evidence-{ids['public']}-{ids['evidence']}.png"
        assert evidence.post_id == ids["public"]


def test_a_shielded_report_stays_shielded(app, client, login, erased_rita):
    with app.app_context():
        assert db.session.get(Post, erased_rita.ids["shielded"]).shielded
    login("leader")
    page = text(client, f"/posts/{erased_rita.ids['shielded']}")
    assert SHIELDED in page and "A verified rep" in page
    assert FORMER_REP not in page and RITA not in page
    api = client.get(f"/api/posts/{erased_rita.ids['shielded']}").get_json()
    assert api["author"]["label"].startswith("A verified rep")
    assert api["author"]["id"] is None


def test_they_no_longer_lead_a_team(app, client, admin, world):
    erase(client, world.ids["oscar"], OSCAR_EMAIL)
    with app.app_context():
        assert db.session.get(Team, world.ids["shipping"]).lead_id is None


# the name and address are gone from every page


@pytest.mark.parametrize(
    "url",
    [
        "/posts/{public}",
        "/posts/{olgas}",
        "/fixes/{fix}",
        "/posts/",
        "/search/?q=invoices",
        "/board/posts?list=reported&period=year",
        "/board/reps/{rita}",
        "/admin/users",
        "/admin/users/{rita}",
        "/admin/audit",
        "/admin/audit.csv",
        "/notifications/outbox",
    ],
)
def test_the_name_and_address_are_gone_from_the_pages(client, erased_rita, url):
    body = text(client, url.format_map(erased_rita.ids))
    assert RITA not in body and RITA_EMAIL not in body


def test_the_reports_are_signed_as_a_former_rep(client, erased_rita):
    assert f"{PUBLIC}" in text(client, "/posts/")
    page = text(client, f"/posts/{erased_rita.ids['public']}")
    assert FORMER_REP in page
    assert FORMER_REP in text(client, f"/posts/{erased_rita.ids['olgas']}")  # her comment
    assert RITAS_COMMENT in text(client, f"/posts/{erased_rita.ids['olgas']}")
    assert FORMER_REP in text(client, f"/fixes/{erased_rita.ids['fix']}")


def test_searching_for_the_old_name_finds_nothing(client, admin, world):
    link = f'href="/posts/{world.ids["public"]}"'
    assert link in text(client, "/search/?q=Rita")
    erase(client, world.ids["rita"], RITA_EMAIL)
    assert "Nothing matches" in text(client, "/search/?q=Rita")
    assert link in text(client, "/search/?q=invoices")


def test_other_peoples_notifications_and_mails_use_the_new_name(app, client, login, erased_rita):
    with app.app_context():
        olga = erased_rita.ids["olga"]
        titles = db.session.scalars(
            sa.select(Notification.title).where(Notification.user_id == olga)
        )
        assert any(t.startswith(f"{FORMER_REP} commented on") for t in titles)
        mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.user_id == olga))
        assert RITA not in mail.subject + mail.text_body + mail.html_body
        assert mail.text_body.startswith(f"{FORMER_REP} mentioned you on")
        assert mail.html_body.startswith(f"<p>{FORMER_REP} mentioned you on")
        assert mail.subject.startswith(f"{FORMER_REP} mentioned you on")
    login(who=erased_rita.people["olga"])
    page = text(client, "/notifications/").replace(COINCIDENCE, "")
    assert RITA not in page and FORMER_REP in page


def test_words_that_only_look_like_the_name_stay_as_written(app, erased_rita):
    with app.app_context():
        titles = db.session.scalars(
            sa.select(Notification.title).where(Notification.user_id == erased_rita.ids["olga"])
        ).all()
        assert COINCIDENCE in titles


def test_erasing_an_ops_person_renames_them_on_the_fix_and_its_export(client, admin, world):
    erase(client, world.ids["oscar"], OSCAR_EMAIL)
    page = text(client, f"/fixes/{world.ids['fix']}")
    assert f"assigned it to {FORMER_USER}" in page
    assert f"escalated it to {FORMER_USER}" in page
    assert OSCAR not in page
    assert OSCARS_NOTE in text(client, f"/posts/{world.ids['public']}")
    history = text(client, "/board/export/history.csv?period=year")
    assert OSCAR not in history and FORMER_USER in history


# the fix histories stay valid


def test_every_fix_history_still_verifies_after_erasures(app, client, admin, world):
    with app.app_context():
        before = db.session.execute(sa.select(FixEvent.id, FixEvent.hash)).all()
    erase(client, world.ids["rita"], RITA_EMAIL)
    erase(client, world.ids["oscar"], OSCAR_EMAIL)
    result = app.test_cli_runner().invoke(args=["history", "verify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert all(report.intact for report in verify_all())
        assert db.session.execute(sa.select(FixEvent.id, FixEvent.hash)).all() == before
    assert '<span class="badge ok">Intact</span>' in text(client, f"/fixes/{world.ids['fix']}")


def test_older_entries_that_sealed_the_name_are_counted_not_changed(app, client, admin, world):
    """Entries written before the history named people by id only held the name in their
    hashed text: they stay (the chain holds), pages do not show the name, the audit counts
    them."""
    with app.app_context():
        fix = db.session.get(Fix, world.ids["fix"])
        for kind, fields in [
            (
                "assigned",
                dict(to_value=OSCAR, details={"from_id": None, "to_id": world.ids["oscar"]}),
            ),
            (
                "escalated",
                dict(
                    to_value="1",
                    note=f"Overdue by 2 days: escalated to {OSCAR} (team lead).",
                    details={"to_user_id": world.ids["oscar"], "level": 1},
                ),
            ),
        ]:
            fixes.claim(fix, fix.version, utcnow())
            history.append(fix, kind, **fields)
        db.session.commit()
    erase(client, world.ids["oscar"], OSCAR_EMAIL)
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.erase"))
        assert entry.details["sealed_history_entries"] == 2
        assert history.verify_fix(world.ids["fix"]).intact
    page = text(client, f"/fixes/{world.ids['fix']}")
    assert OSCAR not in page and "Overdue by 2 days" in page


# the audit log


def test_the_erasure_is_audited_without_the_old_name_or_address(app, admin, erased_rita):
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.erase"))
        assert (entry.actor_id, entry.target_type, entry.target_id) == (
            admin.id,
            "user",
            erased_rita.ids["rita"],
        )
        assert entry.details["sign_in_links"] == 1 and entry.details["mails"] == 1
        written = json.dumps([entry.details, entry.reason])
        assert RITA not in written and RITA_EMAIL not in written


def test_older_audit_entries_lose_the_old_address(client, erased_rita):
    rows = csv.DictReader(io.StringIO(text(client, "/admin/audit.csv?action=user.create")))
    [created] = [r for r in rows if r["target_id"] == str(erased_rita.ids["rita"])]
    assert json.loads(created["details"]) == {"email": "[erased]", "role": "rep"}


# refusals change nothing


def test_a_wrong_confirmation_is_refused_and_changes_nothing(app, client, admin, world):
    response = erase(client, world.ids["rita"], "rita@example.com")
    assert response.status_code == 200
    assert "Type the person&#39;s e-mail address exactly to confirm." in response.get_data(
        as_text=True
    )
    assert person(app, world.ids["rita"]).display_name == RITA
    assert count(app, AuditEntry, AuditEntry.action == "user.erase") == 0


def test_the_confirmation_ignores_case_and_surrounding_spaces(app, client, admin, world):
    erase(client, world.ids["rita"], "  Rita@Example.TEST ")
    assert person(app, world.ids["rita"]).is_erased


def test_an_admin_cannot_erase_themselves(app, client, admin):
    response = erase(client, admin.id, admin.email)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{admin.id}"
    assert "You cannot erase yourself" in text(client, f"/admin/users/{admin.id}")
    assert not person(app, admin.id).is_erased


def test_erasing_someone_twice_is_refused(app, client, erased_rita):
    rita = erased_rita.ids["rita"]
    response = erase(client, rita, f"erased-{rita}@invalid")
    assert response.status_code == 302
    assert count(app, AuditEntry, AuditEntry.action == "user.erase") == 1
    assert "This person is already erased." in text(client, f"/admin/users/{rita}/erase")


def test_the_last_active_admin_cannot_be_erased(app):
    """On the site the one who erases is another active admin; this guards other callers
    (a command, say) against leaving nobody to run the app."""
    with app.app_context():
        only = factories.user("admin", email="only.admin@example.test")
        caller = User(id=None, email="caller@example.test", role="admin", active=True)
        with pytest.raises(DomainError, match="last active admin"):
            erasure.erase(only, actor=caller, confirm="only.admin@example.test")


def test_an_erased_account_cannot_be_renamed_reinvited_or_reactivated(app, client, erased_rita):
    rita = erased_rita.ids["rita"]
    client.post(f"/admin/users/{rita}", data={"display_name": RITA, "role": "rep"})
    client.post(f"/admin/users/{rita}/reinvite")
    client.post(f"/admin/users/{rita}/active", data={"active": "1"})
    after = person(app, rita)
    assert (after.display_name, after.active) == (FORMER_REP, False)
    assert count(app, AuthToken, AuthToken.user_id == rita) == 0


# who may


@pytest.mark.parametrize("role", ["rep", "ops", "leader"])
def test_only_admins_may_erase(app, client, login, world, role):
    login(role)
    assert client.get(f"/admin/users/{world.ids['rita']}/erase").status_code == 403
    assert erase(client, world.ids["rita"], RITA_EMAIL).status_code == 403
    assert person(app, world.ids["rita"]).display_name == RITA


def test_a_signed_out_visitor_is_sent_to_sign_in(client, world):
    client.refresh_csrf("/login")
    for response in (
        client.get(f"/admin/users/{world.ids['rita']}/erase"),
        erase(client, world.ids["rita"], RITA_EMAIL),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_the_confirmation_page_says_what_erasing_does(client, admin, world):
    page = text(client, f"/admin/users/{world.ids['rita']}/erase")
    assert "<h1>Erase Rita Example</h1>" in page
    assert '<label for="confirm">Their e-mail address, to confirm</label>' in page
    assert f"Type {RITA_EMAIL} exactly." in page
    assert "“A former rep”" in page


def test_the_user_page_offers_the_export_and_the_erasure(client, admin, world):
    page = text(client, f"/admin/users/{world.ids['rita']}")
    assert f'action="/admin/users/{world.ids["rita"]}/export"' in page
    assert f'href="/admin/users/{world.ids["rita"]}/erase"' in page


def test_nobody_can_be_invited_with_an_address_kept_for_erased_people(app, client, admin):
    response = client.post(
        "/admin/users/invite",
        data={"email": "erased-999999@invalid", "display_name": "Sneaky", "role": "leader"},
    )
    assert response.status_code == 200
    assert "That is not a valid e-mail address." in response.get_data(as_text=True)
    assert count(app, User, User.email == "erased-999999@invalid") == 0


def test_their_remembered_filters_and_named_views_are_deleted(app, client, admin, world):
    theirs = app.test_client()
    theirs.sign_in(world.people["rita"])
    assert theirs.get(f"/posts/?author={world.ids['rita']}").status_code == 200
    saved = theirs.post("/lists/feed/views", data={"name": "Mine", "query": "kind=win_loss"})
    assert saved.status_code == 302
    assert set(person(app, world.ids["rita"]).list_filters) == {"last", "views"}
    erase(client, world.ids["rita"], RITA_EMAIL)
    assert person(app, world.ids["rita"]).list_filters == {}
