"""Triage actions on a report: a fix from several reports, attach, duplicate, decline, ask, note."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from forum.core.errors import DomainError
from forum.extensions import db
from forum.feedback.models import Corroboration, Post, PostEvent
from forum.feedback.services import corroborate
from forum.fixes import revenue
from forum.fixes.models import Fix, FixEvent
from forum.triage import services
from tests import factories
from tests.fixes import builders


def _org(app):
    with app.app_context():
        org = builders.org()
        db.session.commit()
        return org


def _report(app, org, author="rep_reporter", **kwargs):
    with app.app_context():
        post = builders.report(org.user(author), team_id=org.ops_team_id, **kwargs)
        db.session.commit()
        return post.id


def _sign_in(app, login, org, key="leader"):
    with app.app_context():
        who = org.who(key)
    login(who=who)


def _post(app, post_id):
    with app.app_context():
        post = db.session.get(Post, post_id)
        db.session.expunge(post)
        return post


def test_a_fix_made_from_several_reports_links_them_all(app, client, login):
    org = _org(app)
    ids = [_report(app, org, title=f"Late delivery {n}") for n in range(3)]
    _sign_in(app, login, org)
    response = client.post(
        "/triage/fix",
        data={
            "post": ids,
            "title": "Delivery lead times",
            "problem": "Three accounts waited weeks.",
            "owner_team_id": org.ops_team_id,
            "priority": "P2",
        },
    )
    assert response.status_code == 302
    fix_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        posts = [db.session.get(Post, i) for i in ids]
        assert {(p.status, p.fix_id) for p in posts} == {("linked", fix_id)}
        assert all(p.triaged_at is not None for p in posts)
        [created] = db.session.get(Fix, fix_id).events
        assert created.details["posts"] == ids


def test_revenue_at_risk_counts_each_account_once_at_its_largest_amount(app):
    org = _org(app)
    with app.app_context():
        rep = org.user("rep_reporter")
        acme_a = builders.report(
            rep, team_id=org.ops_team_id, account=factories.named_account("Acme"), amount="50000"
        )
        acme_b = builders.report(
            rep, team_id=org.ops_team_id, account=factories.named_account("Acme"), amount="30000"
        )
        globex = builders.report(
            rep, team_id=org.ops_team_id, account=factories.named_account("Globex"), amount="20000"
        )
        corroborate(
            acme_b,
            org.user("rep_corroborator"),
            account=factories.named_account("Globex"),
            amount=Decimal("25000"),
        )
        fix = services.create_fix_from_posts(
            [acme_a, acme_b, globex],
            actor=org.user("leader"),
            title="Delivery lead times",
            problem="Late everywhere",
            owner_team_id=org.ops_team_id,
            priority="P2",
        )
        assert revenue.of_fix(fix).as_dict() == {"EUR": Decimal("75000")}


def test_a_report_is_attached_to_an_existing_fix(app, client, login):
    org = _org(app)
    with app.app_context():
        fix = builders.fix_in(org, "in_progress")
        db.session.commit()
        fix_id, version, before = fix.id, fix.version, revenue.of_fix(fix).get("EUR")
    post_id = _report(app, org, account="Initech", amount="12000")
    _sign_in(app, login, org)
    response = client.post(f"/triage/posts/{post_id}/attach", data={"fix_id": fix_id})
    assert response.status_code == 302
    with app.app_context():
        post, fix = db.session.get(Post, post_id), db.session.get(Fix, fix_id)
        assert (post.status, post.fix_id) == ("linked", fix_id)
        assert fix.version == version + 1
        assert revenue.of_fix(fix).get("EUR") == before + Decimal("12000")
        assert (fix.events[-1].kind, fix.events[-1].details) == ("linked", {"posts": [post_id]})


@pytest.mark.parametrize("status", ["verified", "wont_fix"])
def test_a_report_cannot_be_attached_to_a_closed_fix(app, status):
    org = _org(app)
    post_id = _report(app, org)
    with app.app_context():
        fix = builders.fix_in(org, status)
        with pytest.raises(DomainError, match="Reopen"):
            services.attach_to_fix(db.session.get(Post, post_id), fix, actor=org.user("leader"))


def test_a_duplicate_moves_its_reporter_and_corroborations_to_the_original(app, client, login):
    org = _org(app)
    with app.app_context():
        original = builders.report(org.user("rep_reporter"), team_id=org.ops_team_id)
        corroborate(original, org.user("rep_corroborator"))
        duplicate = builders.report(
            org.user("rep_unrelated"), team_id=org.ops_team_id, title="Delivery slow again"
        )
        corroborate(duplicate, org.user("rep_corroborator"))  # already on the original
        corroborate(duplicate, org.user("leader_reporter"))
        corroborate(duplicate, org.user("rep_reporter"))  # the original's own author
        db.session.commit()
        original_id, duplicate_id = original.id, duplicate.id
    _sign_in(app, login, org)
    response = client.post(
        f"/triage/posts/{duplicate_id}/duplicate", data={"original_id": original_id}
    )
    assert response.status_code == 302
    with app.app_context():
        on_original = db.session.scalars(
            sa.select(Corroboration.user_id).where(Corroboration.post_id == original_id)
        ).all()
        assert sorted(on_original) == sorted(
            [
                org.users["rep_corroborator"],
                org.users["leader_reporter"],
                org.users["rep_unrelated"],
            ]
        )
        left = db.session.scalar(
            sa.select(sa.func.count()).where(Corroboration.post_id == duplicate_id)
        )
        duplicate, original = db.session.get(Post, duplicate_id), db.session.get(Post, original_id)
        assert left == 0
        assert (duplicate.status, duplicate.duplicate_of_id) == ("duplicate", original_id)
        assert original.corroboration_count == 3


def test_a_duplicate_of_a_duplicate_lands_on_the_first_original(app):
    org = _org(app)
    with app.app_context():
        leader = org.user("leader")
        first = builders.report(org.user("rep_reporter"), team_id=org.ops_team_id)
        second = builders.report(org.user("rep_corroborator"), team_id=org.ops_team_id)
        third = builders.report(org.user("rep_unrelated"), team_id=org.ops_team_id)
        services.mark_duplicate(second, first, actor=leader)
        services.mark_duplicate(third, second, actor=leader)
        assert third.duplicate_of_id == first.id
        reporters = db.session.scalars(
            sa.select(Corroboration.user_id).where(Corroboration.post_id == first.id)
        ).all()
        assert sorted(reporters) == sorted(
            [org.users["rep_corroborator"], org.users["rep_unrelated"]]
        )


@pytest.mark.parametrize("reason", ["", "  ", "no"])
def test_declining_needs_a_reason(app, client, login, reason):
    org = _org(app)
    post_id = _report(app, org)
    _sign_in(app, login, org)
    response = client.post(f"/triage/posts/{post_id}/decline", data={"reason": reason})
    assert response.status_code == 303
    assert _post(app, post_id).status == "new"


def test_a_declined_report_keeps_the_reason(app, client, login):
    org = _org(app)
    post_id = _report(app, org)
    _sign_in(app, login, org)
    response = client.post(
        f"/triage/posts/{post_id}/decline", data={"reason": "The contract never promised it"}
    )
    assert response.status_code == 302
    post = _post(app, post_id)
    assert (post.status, post.status_reason) == ("declined", "The contract never promised it")


def test_the_reporters_answer_returns_a_report_to_the_inbox(app, client, login):
    org = _org(app)
    post_id = _report(app, org)
    _sign_in(app, login, org)
    response = client.post(
        f"/triage/posts/{post_id}/needs-info", data={"question": "Which warehouse shipped it?"}
    )
    assert response.status_code == 302
    assert _post(app, post_id).status == "needs_info"
    client.post("/logout")
    _sign_in(app, login, org, "rep_reporter")
    client.post(f"/posts/{post_id}/comments", data={"body": "Rotterdam, as usual."})
    assert _post(app, post_id).status == "new"
    with app.app_context():
        assert [p.id for p in services.inbox()] == [post_id]


def test_someone_elses_comment_does_not_answer_the_question(app, client, login):
    org = _org(app)
    post_id = _report(app, org)
    with app.app_context():
        services.ask_for_info(
            db.session.get(Post, post_id), actor=org.user("leader"), question="Which one?"
        )
        db.session.commit()
    _sign_in(app, login, org, "rep_corroborator")
    client.post(f"/posts/{post_id}/comments", data={"body": "Same here."})
    assert _post(app, post_id).status == "needs_info"


def test_a_noted_report_leaves_the_inbox_with_an_event(app, client, login):
    org = _org(app)
    post_id = _report(app, org)
    _sign_in(app, login, org)
    response = client.post(f"/triage/posts/{post_id}/note", data={"remark": "Known, on roadmap"})
    assert response.status_code == 302
    assert _post(app, post_id).status == "noted"
    with app.app_context():
        event = db.session.scalars(
            sa.select(PostEvent).where(PostEvent.post_id == post_id).order_by(PostEvent.id)
        ).all()[-1]
        assert (event.to_status, event.note) == ("noted", "Known, on roadmap")


ACTIONS = [
    ("decline", {"reason": "Not a promise we made"}),
    ("needs-info", {"question": "Which account?"}),
    ("note", {"remark": "Seen"}),
    ("duplicate", {"original_id": "{other}"}),
    ("attach", {"fix_id": "{fix}"}),
]


@pytest.mark.parametrize(("action", "fields"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_an_already_triaged_report_cannot_be_triaged_again(app, client, login, action, fields):
    org = _org(app)
    post_id, other_id = _report(app, org), _report(app, org, author="rep_corroborator")
    with app.app_context():
        post = db.session.get(Post, post_id)
        services.decline(post, actor=org.user("leader"), reason="Out of scope")
        fix = builders.fix_in(org, "open")
        db.session.commit()
        fix_id, fix_version = fix.id, fix.version
    _sign_in(app, login, org)
    data = {k: v.format(other=other_id, fix=fix_id) for k, v in fields.items()}
    response = client.post(f"/triage/posts/{post_id}/{action}", data=data)
    assert response.status_code == 303
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert (post.status, post.fix_id, post.duplicate_of_id) == ("declined", None, None)
        assert db.session.get(Fix, fix_id).version == fix_version
        events = db.session.scalar(sa.select(sa.func.count()).where(PostEvent.post_id == post_id))
        assert events == 1


def test_an_already_triaged_report_cannot_become_a_new_fix(app, client, login):
    org = _org(app)
    post_id = _report(app, org)
    with app.app_context():
        services.note(db.session.get(Post, post_id), actor=org.user("leader"))
        db.session.commit()
    _sign_in(app, login, org)
    response = client.post(
        "/triage/fix",
        data={
            "post": [post_id],
            "title": "Again",
            "problem": "Again",
            "owner_team_id": org.ops_team_id,
            "priority": "P3",
        },
    )
    assert response.status_code == 200
    assert "already been triaged" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Fix)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FixEvent)) == 0
