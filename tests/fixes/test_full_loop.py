"""The whole loop through the HTML routes: report, triage, work, resolve, verify or reopen."""

import re

import sqlalchemy as sa

from forum.extensions import db
from forum.feedback.models import Post, PostStatus
from forum.fixes.history import verify_fix
from forum.fixes.models import Fix, FixEvent, FixStatus
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm
from tests import factories


def _setup(app):
    with app.app_context():
        ops_team = factories.team("operations", name="Shipping")
        region = factories.team("sales", name="EMEA")
        cause = TaxonomyTerm(kind=TaxonomyKind.ROOT_CAUSE, name="Capacity", name_key="capacity")
        db.session.add(cause)
        factories.account("Acme GmbH")  # the report picks it
        db.session.commit()
        return ops_team.id, region.id, cause.id


def _file_broken_promise(client, ops_team_id):
    page = client.get("/posts/new/broken-promise")
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/posts/new/broken-promise",
        data={
            "submission_key": key,
            "title": "Five-day delivery took three weeks",
            "promised": "Delivery in 5 working days",
            "account": "Acme GmbH",
            "team_id": ops_team_id,
            "body": "The pallets arrived 15 days late.",
            "revenue_at_risk": "50000",
            "currency": "EUR",
        },
    )
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _run_to_resolved(app, client, login, make_user, ops_team_id, region_id, cause_id):
    rep = make_user("rep", team_obj=None) if False else None  # noqa: F841 - placeholder
    with app.app_context():
        from forum.auth.models import Team

        region = db.session.get(Team, region_id)
        rep_user = factories.user("rep", team_obj=region)
        ops_team = db.session.get(Team, ops_team_id)
        ops_user = factories.user("ops", team_obj=ops_team)
        leader = factories.user("leader")
        db.session.commit()
        ids = {"rep": rep_user.email, "ops": ops_user.email, "leader": leader.email}

    def sign_in(email):
        client.post("/logout")
        client.refresh_csrf("/login")
        assert (
            client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code
            == 302
        )
        client.refresh_csrf("/")

    sign_in(ids["rep"])
    post_id = _file_broken_promise(client, ops_team_id)

    sign_in(ids["leader"])
    assert b"Five-day delivery took three weeks" in client.get("/triage/").data
    response = client.post(
        "/triage/fix",
        data={
            "post": post_id,
            "title": "Shipping lead times",
            "problem": "Promised 5 days, took 21.",
            "owner_team_id": ops_team_id,
            "priority": "P2",
        },
    )
    assert response.status_code == 302, response.text
    fix_id = int(response.headers["Location"].rsplit("/", 1)[1])

    sign_in(ids["ops"])
    for to in ("acknowledged", "in_progress"):
        with app.app_context():
            version = db.session.get(Fix, fix_id).version
        response = client.post(f"/fixes/{fix_id}/status", data={"to": to, "version": version})
        assert response.status_code == 302, response.text
    with app.app_context():
        version = db.session.get(Fix, fix_id).version
    response = client.post(
        f"/fixes/{fix_id}/status",
        data={
            "to": "resolved",
            "version": version,
            "resolution_note": "Second carrier contracted",
            "root_cause_id": cause_id,
            "prevention": "Weekly capacity review",
        },
    )
    assert response.status_code == 302, response.text
    sign_in(ids["rep"])
    return post_id, fix_id


def test_a_reported_broken_promise_is_fixed_and_verified_by_its_reporter(
    app, client, login, make_user
):
    ops_team_id, region_id, cause_id = _setup(app)
    post_id, fix_id = _run_to_resolved(
        app, client, login, make_user, ops_team_id, region_id, cause_id
    )
    page = client.get(f"/fixes/{fix_id}")
    assert b"Did this fix hold?" in page.data
    with app.app_context():
        version = db.session.get(Fix, fix_id).version
    response = client.post(f"/fixes/{fix_id}/status", data={"to": "verified", "version": version})
    assert response.status_code == 302, response.text
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert fix.status == FixStatus.VERIFIED
        assert db.session.get(Post, post_id).status == PostStatus.LINKED
        kinds = db.session.scalars(
            sa.select(FixEvent.to_value)
            .where(FixEvent.fix_id == fix_id, FixEvent.kind == "status")
            .order_by(FixEvent.seq)
        ).all()
        assert kinds == ["acknowledged", "in_progress", "resolved", "verified"]
        assert verify_fix(fix_id).intact


def test_a_reporter_reopens_a_fix_that_did_not_hold(app, client, login, make_user):
    ops_team_id, region_id, cause_id = _setup(app)
    post_id, fix_id = _run_to_resolved(
        app, client, login, make_user, ops_team_id, region_id, cause_id
    )
    with app.app_context():
        version = db.session.get(Fix, fix_id).version
    missing = client.post(f"/fixes/{fix_id}/status", data={"to": "reopened", "version": version})
    assert missing.status_code == 400
    response = client.post(
        f"/fixes/{fix_id}/status",
        data={"to": "reopened", "version": version, "note": "Still late last week"},
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        assert fix.status == FixStatus.REOPENED
        assert fix.reopen_count == 1
        assert verify_fix(fix_id).intact
