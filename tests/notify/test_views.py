"""The in-app side: the header's unread count, the notification list with links to the items,
marking read, and the admin's outbox page with the development mail folder."""

import re

import pytest
import sqlalchemy as sa

from forum.core.outbox import OutboxMessage
from forum.extensions import db
from forum.notify import delivery
from forum.notify.models import Notification
from forum.notify.services import Message, notify
from tests import factories
from tests.notify.conftest import build_org, file_post, make_fix, person


def _tell(app, user_id: int, count: int = 1, **fields) -> list[int]:
    """Give ``user_id`` ``count`` notifications; returns their ids."""
    with app.app_context():
        user = person(user_id)
        made = []
        for i in range(count):
            made += notify(
                [user],
                lambda u, i=i: Message(
                    event="mention",
                    title=fields.get("title", f"Something happened {i}"),
                    body=fields.get("body", ""),
                    url=fields.get("url", "/fixes/"),
                ),
            )
        db.session.commit()
        return [n.id for n in made]


def _header(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'<a class="notify-link"[^>]*>.*?</a>', page, re.DOTALL).group(0)


def test_the_header_shows_the_unread_count_with_words_for_screen_readers(app, client, login):
    who = login("rep")
    _tell(app, who.id, 3)
    link = _header(client)
    assert 'href="/notifications/"' in link
    assert '<span class="notify-count">3<span class="visually-hidden"> unread</span></span>' in link


def test_the_header_shows_no_count_when_nothing_is_unread(client, login):
    login("rep")
    assert _header(client) == '<a class="notify-link" href="/notifications/">Notifications</a>'


def test_the_list_shows_my_notifications_with_links_to_their_items(app, client, login):
    who = login("rep")
    [n] = _tell(app, who.id, title="Fix #4 is resolved: did it hold?", url="/fixes/4#verify-h")
    page = client.get("/notifications/").get_data(as_text=True)
    # Unread: opening it is a form, which marks it read on the way to the fix.
    assert f'action="/notifications/{n}/open"' in page
    assert ">Fix #4 is resolved: did it hold?</button>" in page
    assert "<h1>Notifications</h1>" in page
    client.post(f"/notifications/{n}/read")
    page = client.get("/notifications/").get_data(as_text=True)
    assert '<a href="/fixes/4#verify-h">Fix #4 is resolved: did it hold?</a>' in page


def test_opening_a_notification_marks_it_read_and_leads_to_its_item(app, client, login):
    who = login("rep")
    first, _ = _tell(app, who.id, 2, url="/fixes/4#verify-h")
    response = client.post(f"/notifications/{first}/open")
    assert (response.status_code, response.headers["Location"]) == (303, "/fixes/4#verify-h")
    assert '"notify-count">1<span' in _header(client)


def test_opening_someone_elses_notification_is_a_404_and_reads_nothing(
    app, client, login, make_user
):
    other = make_user("rep")
    [theirs] = _tell(app, other.id)
    login("rep")
    assert client.post(f"/notifications/{theirs}/open").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, theirs).read_at is None


def test_the_list_never_shows_someone_elses_notifications(app, client, login, make_user):
    other = make_user("rep")
    _tell(app, other.id, title="For someone else")
    login("rep")
    assert "For someone else" not in client.get("/notifications/").get_data(as_text=True)


def test_text_in_a_notification_is_escaped(app, client, login):
    who = login("rep")
    _tell(app, who.id, title="<b>bold</b> {{7*7}}", body="<script>x</script>")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt; {{7*7}}" in page
    assert "<script>x</script>" not in page


def test_marking_one_notification_read_lowers_the_count(app, client, login):
    who = login("rep")
    first, _ = _tell(app, who.id, 2)
    response = client.post(f"/notifications/{first}/read")
    assert response.status_code == 303
    assert '"notify-count">1<span' in _header(client)


def test_marking_all_read_clears_the_count(app, client, login):
    who = login("rep")
    _tell(app, who.id, 3)
    assert client.post("/notifications/read-all").status_code == 303
    assert "notify-count" not in _header(client)


def test_marking_someone_elses_notification_read_is_a_404_and_changes_nothing(
    app, client, login, make_user
):
    other = make_user("rep")
    [theirs] = _tell(app, other.id)
    login("rep")
    assert client.post(f"/notifications/{theirs}/read").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, theirs).read_at is None


def test_marking_read_returns_only_to_a_page_of_this_site(app, client, login):
    who = login("rep")
    [mine] = _tell(app, who.id)
    response = client.post(f"/notifications/{mine}/read", data={"next": "//evil.example"})
    assert response.headers["Location"] == "/notifications/"


def test_marking_read_needs_a_csrf_token(app, client, login):
    who = login("rep")
    [mine] = _tell(app, who.id)
    assert client.post(f"/notifications/{mine}/read", csrf=False).status_code == 400


def test_an_absurd_page_number_is_a_404(client, login):
    login("rep")
    assert client.get("/notifications/?page=999999").status_code == 404


def test_the_comment_form_explains_how_to_mention_someone(app, client, login):
    who = login("rep")
    with app.app_context():
        post = file_post(who.id)
        post_id = post.id
    page = client.get(f"/posts/{post_id}").get_data(as_text=True)
    assert "write @ and the part of their e-mail address before the @" in page


# --- the admin's outbox page -----------------------------------------------------------------


@pytest.fixture
def delivered(app):
    """One e-mail queued and written to the development mail folder."""
    with app.app_context():
        user = factories.user("rep", email="reader@example.test")
        notify(
            [user],
            lambda u: Message(event="mention", title="You were mentioned", url="/"),
        )
        db.session.commit()
        delivery.deliver_due()
        return next(app.config["MAIL_DIR"].glob("*.eml")).name


def test_the_outbox_page_lists_queued_emails_and_the_mail_folder(client, login, delivered):
    login("admin")
    page = client.get("/notifications/outbox").get_data(as_text=True)
    assert "reader@example.test" in page and "You were mentioned" in page
    assert f"Read {delivered}" in page


def test_an_admin_reads_one_written_email(client, login, delivered):
    login("admin")
    page = client.get(f"/notifications/outbox/mail/{delivered}").get_data(as_text=True)
    assert "<h1>You were mentioned</h1>" in page
    assert "Stop e-mails about" in page


@pytest.mark.parametrize("name", ["..%2Fsecret_key", "secret_key", ".hidden.eml", "x.txt"])
def test_only_email_files_of_the_mail_folder_can_be_read(client, login, delivered, name):
    login("admin")
    assert client.get(f"/notifications/outbox/mail/{name}").status_code == 404


def test_the_mail_folder_is_not_shown_in_production(make_app, delivered):
    app = make_app(APP_ENV="production", PROXY_FIX_X_FOR=0)
    client = app.test_client()
    with app.app_context():
        admin = factories.user("admin")
        db.session.commit()
        email = admin.email
    client.refresh_csrf("/login")
    client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert client.get(f"/notifications/outbox/mail/{delivered}").status_code == 404


def test_a_failed_email_can_be_queued_again(app, client, login):
    with app.app_context():
        user = factories.user("rep", email="bad address@example.test")
        notify([user], lambda u: Message(event="mention", title="Hi", url="/"))
        db.session.commit()
        delivery.deliver_due()
        user.email = "fixed@example.test"
        db.session.commit()
        row_id = db.session.scalar(sa.select(OutboxMessage.id))
    login("admin")
    assert client.post(f"/notifications/outbox/{row_id}/retry").status_code == 303
    with app.app_context():
        delivery.deliver_due()
        row = db.session.get(OutboxMessage, row_id)
        assert (row.status, row.to_address) == ("sent", "fixed@example.test")


def test_the_linked_report_notification_leads_to_the_fix_page(app, client, login):
    who = login("rep")
    with app.app_context():
        org = build_org()
        fix = make_fix(org, file_post(who.id))
        fix_id = fix.id
    page = client.get("/notifications/").get_data(as_text=True)
    opened = re.search(
        r'action="(/notifications/\d+/open)"[^>]*>\s*<input[^>]*>\s*<button[^>]*>Your report', page
    )
    response = client.post(opened.group(1))
    assert response.headers["Location"] == f"/fixes/{fix_id}"
    assert client.get(response.headers["Location"]).status_code == 200
