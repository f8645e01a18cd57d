"""The report's triage page: all its facts, defaults that never suggest a newer report as the
original or preselect a fix, and a fix created with an assignee of the owner team."""

import re
from datetime import timedelta

import sqlalchemy as sa

from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.services import corroborate
from forum.fixes.models import Fix
from tests.fixes import builders


def _org(app):
    with app.app_context():
        org = builders.org()
        db.session.commit()
        return org


def _as(app, login, org, key="leader"):
    with app.app_context():
        who = org.who(key)
    login(who=who)


def _similar_pair(app, org):
    now = utcnow()
    with app.app_context():
        rep = org.user("rep_reporter")
        older = builders.report(
            rep, team_id=org.ops_team_id, title="Pallets delivered late", at=now - timedelta(days=3)
        )
        newer = builders.report(
            rep, team_id=org.ops_team_id, title="Pallets delivered late again", at=now
        )
        db.session.commit()
        return older.id, newer.id


def _original_value(page: str) -> str:
    field = re.search(r'<input[^>]*name="original_id"[^>]*>', page).group(0)
    found = re.search(r'value="([^"]*)"', field)
    return found.group(1) if found else ""


def test_the_triage_page_shows_impact_revenue_and_me_toos(app, client, login):
    org = _org(app)
    with app.app_context():
        post = builders.report(org.user("rep_reporter"), team_id=org.ops_team_id, amount="12000")
        corroborate(post, org.user("rep_corroborator"))
        db.session.commit()
        post_id = post.id
    _as(app, login, org)
    page = client.get(f"/triage/posts/{post_id}").text
    facts = re.sub(r"<[^>]+>", " ", page.split('class="facts', 1)[1].split("</dl>", 1)[0])
    words = " ".join(facts.split())
    assert "Impact 3 of 4" in words
    assert re.search(r"Revenue at risk in this report \S*\s?12,000", words)
    assert "“Me too”s 1" in words


def test_a_newer_report_is_never_suggested_as_the_original(app, client, login):
    org = _org(app)
    older, newer = _similar_pair(app, org)
    _as(app, login, org)
    older_page = client.get(f"/triage/posts/{older}").text
    assert f"#{newer}" in older_page  # listed as similar
    assert _original_value(older_page) == ""
    assert _original_value(client.get(f"/triage/posts/{newer}").text) == str(older)


def test_no_fix_is_preselected_as_the_attach_target(app, client, login):
    org = _org(app)
    older, _ = _similar_pair(app, org)
    with app.app_context():
        builders.fix_in(org, "open")
        builders.fix_in(org, "in_progress")
        db.session.commit()
    _as(app, login, org)
    page = client.get(f"/triage/posts/{older}").text
    select = page.split('id="attach-fix"', 1)[1].split("</select>", 1)[0]
    assert "selected" not in select
    assert re.search(r'<option value="">', select)


def test_attaching_without_choosing_a_fix_changes_nothing(app, client, login):
    org = _org(app)
    older, _ = _similar_pair(app, org)
    _as(app, login, org)
    response = client.post(f"/triage/posts/{older}/attach", data={"fix_id": ""})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Fix)) == 0


def _create(client, org, post_id, assignee):
    return client.post(
        "/triage/fix",
        data={
            "post": [post_id],
            "title": "Delivery lead times",
            "problem": "Late pallets.",
            "owner_team_id": org.ops_team_id,
            "priority": "P2",
            "assignee_id": assignee,
        },
    )


def test_the_create_fix_form_offers_operations_people_as_assignees(app, client, login):
    org = _org(app)
    older, _ = _similar_pair(app, org)
    _as(app, login, org)
    page = client.get("/triage/fix", query_string={"post": older}).text
    select = page.split('name="assignee_id"', 1)[1].split("</select>", 1)[0]
    assert f'value="{org.users["ops_owner"]}"' in select
    assert f'value="{org.users["ops_other"]}"' in select  # another team's, in its own group
    assert f'value="{org.users["rep_reporter"]}"' not in select


def test_a_fix_can_be_created_with_an_assignee_of_the_owner_team(app, client, login):
    org = _org(app)
    older, _ = _similar_pair(app, org)
    _as(app, login, org)
    response = _create(client, org, older, org.users["ops_owner"])
    assert response.status_code == 302
    fix_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(Fix, fix_id).assignee_id == org.users["ops_owner"]


def test_an_assignee_outside_the_owner_team_is_refused(app, client, login):
    org = _org(app)
    older, _ = _similar_pair(app, org)
    _as(app, login, org)
    for outsider in (org.users["ops_other"], org.users["rep_reporter"]):
        response = _create(client, org, older, outsider)
        assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Fix)) == 0
