"""The resources of /api/v1 follow the same services, policy table, workflow and shielding as
the pages: a refused write changes nothing, a stale move is a 409 saying what changed."""

import json
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import Comment, Post, PostKind
from forum.fixes import creation
from forum.fixes.models import Fix, FixEvent
from tests import factories
from tests.api.conftest import bearer, error_of
from tests.conftest import Who

AUTHOR = "Sally Shielded"


@dataclass
class World:
    author: Who
    other_rep: Who
    owner_ops: Who
    other_ops: Who
    leader: Who
    shielded: int
    plain: int
    fix: int


def _who(user: User) -> Who:
    return Who(user.id, user.email, user.role, user.team_id)


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        region = factories.team("sales")
        author = factories.user("rep", team_obj=region, display_name=AUTHOR)
        other_rep = factories.user("rep", team_obj=region)
        ops_team = factories.team("operations")
        owner_ops = factories.user("ops", team_obj=ops_team)
        other_ops = factories.user("ops")
        leader = factories.user("leader")
        factories.named_account("Acme")  # reports pick existing accounts (forum.accounts)
        shielded = posts.create_post(
            author,
            posts.PostInput(
                kind=PostKind.FIELD_FEEDBACK, title="Pricing scares", body="b", shielded=True
            ),
        )
        posts.add_comment(shielded, author, "More on this from me.")
        plain = posts.create_post(
            author, posts.PostInput(kind=PostKind.FIELD_FEEDBACK, title="Invoices", body="b")
        )
        fix = creation.create_fix(
            title="Pricing page",
            problem="It scares buyers.",
            owner_team_id=ops_team.id,
            priority="P3",
            actor=leader,
            posts=[shielded],
        )
        db.session.commit()
        return World(
            *(map(_who, (author, other_rep, owner_ops, other_ops, leader))),
            shielded=shielded.id,
            plain=plain.id,
            fix=fix.id,
        )


@pytest.fixture
def as_(client, make_token):
    """``as_(who)``: headers carrying a fresh write token of ``who``."""
    return lambda who, scope="write": bearer(make_token(who, scope))


def _fix(app, fix_id: int) -> tuple[str, int, int]:
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        events = db.session.scalar(
            sa.select(sa.func.count(FixEvent.id)).where(FixEvent.fix_id == fix_id)
        )
        return str(fix.status), fix.version, events


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner_ops", 200), ("leader", 200), ("other_ops", 403), ("author", 403), ("other_rep", 403)],
)
def test_a_fix_moves_only_for_whom_the_workflow_table_allows(app, client, world, as_, who, status):
    before = _fix(app, world.fix)
    response = client.post(
        f"/api/v1/fixes/{world.fix}/transitions",
        json={"to": "acknowledged", "version": before[1]},
        headers=as_(getattr(world, who)),
    )
    assert response.status_code == status, response.get_json()
    after = _fix(app, world.fix)
    if status == 200:
        assert response.get_json()["status"] == "acknowledged"
        assert after == ("acknowledged", before[1] + 1, before[2] + 1)
    else:
        assert error_of(response)["code"] == "forbidden"
        assert after == before


def test_a_move_based_on_an_old_version_is_a_409_saying_what_changed(app, client, world, as_):
    _, version, _ = _fix(app, world.fix)
    headers = as_(world.owner_ops)
    url = f"/api/v1/fixes/{world.fix}/transitions"
    assert (
        client.post(
            url, json={"to": "acknowledged", "version": version}, headers=headers
        ).status_code
        == 200
    )
    stale = client.post(url, json={"to": "acknowledged", "version": version}, headers=headers)
    assert stale.status_code == 409
    error = error_of(stale)
    assert error["code"] == "conflict"
    assert "open→acknowledged" in error["message"]
    assert error["details"] == {"version": version + 1, "status": "acknowledged"}


def test_a_move_that_needs_a_reason_is_refused_without_one(app, client, world, as_):
    before = _fix(app, world.fix)
    response = client.post(
        f"/api/v1/fixes/{world.fix}/transitions",
        json={"to": "wont_fix", "version": before[1]},
        headers=as_(world.leader),
    )
    assert response.status_code == 400
    assert _fix(app, world.fix) == before


def test_the_history_says_whether_its_chain_holds(client, world, as_):
    data = client.get(f"/api/v1/fixes/{world.fix}/history", headers=as_(world.leader)).get_json()
    assert data["chain"] == {"intact": True, "entries": 1}
    assert [e["kind"] for e in data["entries"]] == ["created"]


@pytest.mark.parametrize("who", ["other_rep", "owner_ops", "leader"])
def test_a_shielded_author_is_hidden_in_every_answer(client, world, as_, who):
    headers = as_(getattr(world, who))
    answers = [
        client.get(f"/api/v1/posts/{world.shielded}", headers=headers).get_data(as_text=True),
        json.dumps(
            next(
                p
                for p in client.get("/api/v1/posts", headers=headers).get_json()["posts"]
                if p["id"] == world.shielded
            )
        ),
        client.get(f"/api/v1/posts/{world.shielded}/comments", headers=headers).get_data(
            as_text=True
        ),
        client.get(f"/api/v1/fixes/{world.fix}/history", headers=headers).get_data(as_text=True),
    ]
    for text in answers:
        assert AUTHOR not in text
    one = client.get(f"/api/v1/posts/{world.shielded}", headers=headers).get_json()
    assert one["author"]["id"] is None and one["author"]["label"].startswith("A verified rep")


def test_the_shielded_author_sees_their_own_name(client, world, as_):
    one = client.get(f"/api/v1/posts/{world.shielded}", headers=as_(world.author)).get_json()
    assert (one["author"]["label"], one["author"]["id"]) == (AUTHOR, world.author.id)


def test_a_rep_cannot_write_an_internal_note_and_nothing_is_stored(app, client, world, as_):
    url = f"/api/v1/posts/{world.plain}/comments"
    refused = client.post(
        url, json={"body": "secret", "internal": True}, headers=as_(world.other_rep)
    )
    assert refused.status_code == 403
    note = client.post(
        url, json={"body": "Known limit", "internal": True}, headers=as_(world.owner_ops)
    )
    assert note.status_code == 201
    seen_by_rep = client.get(url, headers=as_(world.other_rep)).get_json()["comments"]
    seen_by_ops = client.get(url, headers=as_(world.other_ops)).get_json()["comments"]
    assert "Known limit" not in [c["body"] for c in seen_by_rep]
    assert "Known limit" in [c["body"] for c in seen_by_ops]
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.body == "secret"))
            == 0
        )


def test_only_the_author_edits_with_the_version_and_a_stale_edit_is_a_409(app, client, world, as_):
    url = f"/api/v1/posts/{world.plain}"
    body = {"title": "Invoices in EUR", "body": "Edited.", "version": 1}
    assert client.put(url, json=body, headers=as_(world.other_rep)).status_code == 403
    edited = client.put(url, json=body, headers=as_(world.author))
    assert edited.status_code == 200 and edited.get_json()["version"] == 2
    stale = client.put(url, json=body | {"title": "Again"}, headers=as_(world.author))
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"
    with app.app_context():
        assert db.session.get(Post, world.plain).title == "Invoices in EUR"


def test_me_too_once_and_never_on_ones_own_report(client, world, as_):
    url = f"/api/v1/posts/{world.plain}/corroborations"
    assert client.post(url, json={}, headers=as_(world.author)).status_code == 403
    headers = as_(world.other_rep)
    first = client.post(url, json={"amount": "1200.50", "currency": "EUR"}, headers=headers)
    assert first.status_code == 201 and first.get_json()["corroborations"] == 1
    again = client.post(url, json={}, headers=headers)
    assert again.status_code == 409
    assert client.delete(url, headers=headers).get_json()["corroborations"] == 0


def test_ops_cannot_file_a_report(app, client, world, as_):
    response = client.post(
        "/api/v1/posts",
        json={"kind": "field_feedback", "title": "t", "body": "b"},
        headers=as_(world.owner_ops),
    )
    assert response.status_code == 403


def test_a_broken_promise_report_is_filed_with_its_fields(client, world, as_):
    response = client.post(
        "/api/v1/posts",
        json={
            "kind": "broken_promise",
            "title": "Pallets late",
            "body": "Two weeks late.",
            "account": "Acme",
            "team_id": world.owner_ops.team_id,
            "promised": "Delivery in 5 days",
            "impact": 3,
            "revenue_at_risk": "25000",
            "currency": "EUR",
        },
        headers=as_(world.other_rep),
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["kind"], data["impact"], data["account"]["name"]) == ("broken_promise", 3, "Acme")
    assert data["at_risk_by_currency"] == {"EUR": "25000.00"}


def test_a_report_naming_no_existing_account_is_refused_naming_the_field(client, world, as_):
    body = {"kind": "win_loss", "title": "Lost", "body": "b", "account": "Acme Typo"}
    response = client.post("/api/v1/posts", json=body, headers=as_(world.other_rep))
    assert response.status_code == 400
    assert error_of(response)["details"] == {"field": "account"}
    with client.application.app_context():
        assert db.session.scalar(sa.select(Post).where(Post.title == "Lost")) is None


def test_following_and_notifications(client, world, as_):
    headers = as_(world.other_rep)
    assert client.put(f"/api/v1/posts/{world.plain}/follow", headers=headers).get_json() == {
        "following": True
    }
    listed = client.get("/api/v1/notifications", headers=headers)
    assert listed.status_code == 200 and "unread" in listed.get_json()
    missing = client.post("/api/v1/notifications/999999/read", headers=headers, csrf=False)
    assert missing.status_code == 404


def test_a_leader_triages_through_the_same_service_and_others_change_nothing(
    app, client, world, as_
):
    url = f"/api/v1/triage/posts/{world.plain}"
    refused = client.post(url, json={"action": "note"}, headers=as_(world.owner_ops))
    assert refused.status_code == 403
    no_reason = client.post(url, json={"action": "decline"}, headers=as_(world.leader))
    assert no_reason.status_code == 400
    with app.app_context():
        assert db.session.get(Post, world.plain).status == "new"
    declined = client.post(
        url, json={"action": "decline", "text": "Out of scope"}, headers=as_(world.leader)
    )
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    again = client.post(url, json={"action": "note"}, headers=as_(world.leader))
    assert again.status_code == 400 and "already been triaged" in error_of(again)["message"]


def test_the_board_figures_are_for_leaders_and_count_the_open_fix(client, world, as_):
    assert client.get("/api/v1/board", headers=as_(world.other_rep)).status_code == 403
    board = client.get("/api/v1/board?period=year", headers=as_(world.leader)).get_json()
    assert board["period"] == "year"
    team = next(r for r in board["teams"] if r["team"]["id"] == world.owner_ops.team_id)
    assert team["counts"]["open"] == 1
    assert board["total"]["team"] is None
    bad = client.get("/api/v1/board?from=2026-13-40", headers=as_(world.leader))
    assert bad.status_code == 400 and error_of(bad)["code"] == "bad_request"
