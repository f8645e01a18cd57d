"""'Me too': one per user per post (the database says so, also under a race), and the revenue
at risk counts each affected account once."""

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from forum.core.errors import Conflict, DomainError
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import Corroboration, Post
from tests import factories
from tests.feedback.conftest import existing_account, text


def corroborations(session, post_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count(Corroboration.id)).where(Corroboration.post_id == post_id)
    )


def test_a_rep_says_me_too_on_another_reps_post(client, login, make_post, session):
    who = login("rep")
    post_id = make_post()
    response = client.post(f"/posts/{post_id}/corroborate", data={})
    assert response.status_code == 302
    with session() as s:
        post = s.get(Post, post_id)
        assert [c.user_id for c in post.corroborations] == [who.id]
        assert post.corroboration_count == 1


def test_a_second_me_too_gets_a_clear_message_and_still_one_row(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/corroborate", data={})
    second = client.post(f"/posts/{post_id}/corroborate", data={}, follow_redirects=True)
    assert "You have already said “me too” on this post." in text(second)
    with session() as s:
        assert corroborations(s, post_id) == 1
        assert s.get(Post, post_id).corroboration_count == 1


def test_the_service_refuses_a_second_me_too_with_a_conflict(app, make_post):
    post_id = make_post()
    with app.app_context():
        post, rep = db.session.get(Post, post_id), factories.user("rep")
        services.corroborate(post, rep)
        with pytest.raises(Conflict):
            services.corroborate(post, rep)
        db.session.rollback()


def test_the_service_refuses_a_me_too_on_ones_own_post(app, make_post):
    post_id = make_post()
    with app.app_context():
        post = db.session.get(Post, post_id)
        with pytest.raises(DomainError):
            services.corroborate(post, post.author)
        db.session.rollback()


def test_the_author_gets_no_me_too_button(client, login, make_post):
    who = login("rep")
    post_id = make_post(author=who)
    assert f"/posts/{post_id}/corroborate" not in text(client.get(f"/posts/{post_id}"))


@pytest.mark.committed  # two threads, two connections
def test_two_me_toos_at_once_leave_exactly_one_row(app, make_post, make_user):
    post_id = make_post()
    rep = make_user("rep")
    barrier = threading.Barrier(2)
    outcomes = []

    def say_me_too():
        with app.app_context():
            post, user = db.session.get(Post, post_id), db.session.get(factories.User, rep.id)
            barrier.wait()
            try:
                services.corroborate(post, user, amount=Decimal("100"))
                db.session.commit()
                outcomes.append("saved")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=say_me_too) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    with app.app_context():
        assert corroborations(db.session, post_id) == 1
        assert db.session.get(Post, post_id).corroboration_count == 1


@pytest.mark.committed  # two threads, two connections
def test_two_clients_saying_me_too_at_once_leave_one_row(app, make_post, make_user, sign_in):
    post_id = make_post()
    rep = make_user("rep")
    clients = [sign_in(rep), sign_in(rep)]
    barrier = threading.Barrier(2)
    statuses = []

    def post_me_too(client):
        barrier.wait()
        statuses.append(client.post(f"/posts/{post_id}/corroborate", data={}).status_code)

    threads = [threading.Thread(target=post_me_too, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) in ([302, 303], [302, 409])
    with app.app_context():
        assert corroborations(db.session, post_id) == 1


def test_a_me_too_may_name_another_account_and_amount(app, client, login, make_post, session):
    login("rep")
    post_id = make_post()
    existing_account(app, "Initech")
    client.post(
        f"/posts/{post_id}/corroborate",
        data={"account": "Initech", "amount": "1500", "note": "Same at Initech"},
    )
    with session() as s:
        (mine,) = s.get(Post, post_id).corroborations
        assert (mine.account.name, mine.amount, mine.note) == (
            "Initech",
            Decimal("1500.00"),
            "Same at Initech",
        )


@pytest.mark.parametrize("amount", ["-5", "1e30", "NaN", "sNaN", "lots"])
def test_a_me_too_with_a_bad_amount_is_refused(client, login, make_post, session, amount):
    login("rep")
    post_id = make_post()
    response = client.post(
        f"/posts/{post_id}/corroborate", data={"amount": amount}, follow_redirects=True
    )
    assert "Check the amount" in text(response)
    with session() as s:
        assert corroborations(s, post_id) == 0


def test_the_revenue_at_risk_counts_each_account_once_at_its_largest_amount(app, make_post):
    with app.app_context():
        acme, initech = factories.account("Acme"), factories.account("Initech")
        post = factories.post("broken_promise", account=acme, revenue_at_risk=Decimal("10000"))
        factories.corroboration(post, account=acme, amount=Decimal("25000"))
        factories.corroboration(post, account=initech, amount=Decimal("5000"))
        factories.corroboration(post, account=initech, amount=Decimal("7000"))
        factories.corroboration(post)
        assert post.total_at_risk == Decimal("32000")
        assert post.corroboration_count == 4
        db.session.rollback()


def test_a_me_too_with_an_amount_but_no_account_counts_for_the_posts_account(app):
    with app.app_context():
        acme = factories.account("Acme")
        post = factories.post("broken_promise", account=acme, revenue_at_risk=Decimal("10000"))
        factories.corroboration(post, amount=Decimal("4000"))
        factories.corroboration(post, account=acme, amount=Decimal("8000"))
        assert post.total_at_risk == Decimal("10000")
        db.session.rollback()


def test_the_post_page_shows_the_count_and_the_total_at_risk(client, login, app):
    login("rep")
    with app.app_context():
        post = factories.post("broken_promise", revenue_at_risk=Decimal("10000"))
        factories.corroboration(post, account=factories.account("Initech"), amount=Decimal("500"))
        db.session.commit()
        post_id = post.id
    page = text(client.get(f"/posts/{post_id}"))
    assert "“Me too” (1)" in page
    assert "USD 10,500" in page


def test_a_me_too_can_be_withdrawn(app, client, login, make_post, session):
    login("rep")
    post_id = make_post()
    existing_account(app, "Initech")
    client.post(f"/posts/{post_id}/corroborate", data={"account": "Initech", "amount": "900"})
    response = client.post(f"/posts/{post_id}/corroborate/withdraw")
    assert response.status_code == 302
    with session() as s:
        post = s.get(Post, post_id)
        assert corroborations(s, post_id) == 0
        assert (post.corroboration_count, post.total_at_risk) == (0, Decimal("0"))


def test_after_withdrawing_one_may_say_me_too_again(client, login, make_post, session):
    login("rep")
    post_id = make_post()
    client.post(f"/posts/{post_id}/corroborate", data={})
    client.post(f"/posts/{post_id}/corroborate/withdraw")
    client.post(f"/posts/{post_id}/corroborate", data={})
    with session() as s:
        assert corroborations(s, post_id) == 1


def test_a_duplicate_post_sends_corroborators_to_the_original(client, login, app, session):
    login("rep")
    with app.app_context():
        original = factories.post()
        duplicate = factories.post(status="duplicate", duplicate_of=original)
        db.session.commit()
        duplicate_id = duplicate.id
    response = client.post(f"/posts/{duplicate_id}/corroborate", data={})
    assert response.status_code == 400
    assert "corroborate the original" in text(response)
    with session() as s:
        assert corroborations(s, duplicate_id) == 0
