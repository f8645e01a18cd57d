"""The operations queue: a team's open fixes by due date then priority, bulk acknowledge."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import queries, services
from forum.fixes.models import Fix, FixEvent
from tests.fixes import builders

ROW_RE = re.compile(
    r'<tr( class="overdue")?>\s*<td[^>]*>.*?</td>\s*<td[^>]*><a href="/fixes/(\d+)"', re.S
)


def _queue(app):
    """Four open fixes of one team (one overdue) and one of another team."""
    now = utcnow()
    with app.app_context():
        org = builders.org()
        overdue = builders.open_fix(org, now=now - timedelta(days=40), priority="P3", title="Late")
        later = builders.open_fix(org, now=now, priority="P4", title="Later")
        same_day_p3 = builders.open_fix(org, now=now - timedelta(days=20), priority="P3")
        # Due the same moment as same_day_p3, but more urgent.
        same_day_p2 = builders.open_fix(org, now=now, priority="P2")
        services.set_due(
            same_day_p2,
            same_day_p3.due_at,
            actor=org.user("leader"),
            version=same_day_p2.version,
            reason="Ship with the P3 fix",
        )
        other = builders.open_fix(org, now=now, team_id=org.other_team_id, title="Billing run")
        db.session.commit()
        ids = {
            "overdue": overdue.id,
            "later": later.id,
            "p3": same_day_p3.id,
            "p2": same_day_p2.id,
            "other": other.id,
        }
        return org, ids


def _sign_in(app, login, org, key):
    with app.app_context():
        who = org.who(key)
    login(who=who)


def _versions(app, ids):
    with app.app_context():
        return {k: db.session.get(Fix, i).version for k, i in ids.items()}


def test_the_queue_lists_the_teams_open_fixes_by_due_date_then_priority(app, client, login):
    org, ids = _queue(app)
    _sign_in(app, login, org, "ops_owner")
    page = client.get("/fixes/queue")
    assert page.status_code == 200
    order = [int(fix_id) for _, fix_id in ROW_RE.findall(page.text)]
    assert order == [ids["overdue"], ids["p2"], ids["p3"], ids["later"]]


def test_the_queue_marks_overdue_fixes(app, client, login):
    org, ids = _queue(app)
    _sign_in(app, login, org, "ops_owner")
    rows = {
        int(fix_id): bool(mark) for mark, fix_id in ROW_RE.findall(client.get("/fixes/queue").text)
    }
    assert rows == {ids["overdue"]: True, ids["p2"]: False, ids["p3"]: False, ids["later"]: False}


def test_ops_only_see_their_own_teams_queue(app, client, login):
    org, ids = _queue(app)
    _sign_in(app, login, org, "ops_other")
    page = client.get(f"/fixes/queue?team={org.ops_team_id}")
    order = [int(fix_id) for _, fix_id in ROW_RE.findall(page.text)]
    assert order == [ids["other"]]


def test_reps_cannot_open_the_queue(client, login):
    login("rep")
    assert client.get("/fixes/queue").status_code == 403


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("status", {"to": "acknowledged"}),
        ("status", {"to": "wont_fix", "note": "Not ours to fix anyway"}),
        ("assign", {"assignee_id": ""}),
    ],
)
def test_ops_of_another_team_cannot_act_on_a_fix(app, client, login, path, fields):
    org, ids = _queue(app)
    _sign_in(app, login, org, "ops_other")
    before = _versions(app, ids)
    response = client.post(
        f"/fixes/{ids['overdue']}/{path}", data={"version": before["overdue"], **fields}
    )
    assert response.status_code == 403
    assert _versions(app, ids) == before


def test_bulk_acknowledge_acknowledges_each_ticked_fix_with_one_entry(app, client, login):
    org, ids = _queue(app)
    _sign_in(app, login, org, "ops_owner")
    versions = _versions(app, ids)
    ticked = ["overdue", "p3"]
    response = client.post(
        "/fixes/queue/acknowledge",
        data={"fix": [f"{ids[k]}:{versions[k]}" for k in ticked]},
    )
    assert response.status_code == 302
    with app.app_context():
        for key, fix_id in ids.items():
            fix = db.session.get(Fix, fix_id)
            acks = db.session.scalars(
                sa.select(FixEvent).where(
                    FixEvent.fix_id == fix_id, FixEvent.to_value == "acknowledged"
                )
            ).all()
            assert (fix.status, len(acks)) == (
                ("acknowledged", 1) if key in ticked else ("open", 0)
            ), key


def test_bulk_acknowledge_reports_a_stale_fix_and_acknowledges_the_rest(app, client, login):
    org, ids = _queue(app)
    versions = _versions(app, ids)
    with app.app_context():
        fix = db.session.get(Fix, ids["p3"])
        services.set_priority(fix, "P1", actor=org.user("leader"), version=fix.version)
        db.session.commit()
    _sign_in(app, login, org, "ops_owner")
    response = client.post(
        "/fixes/queue/acknowledge",
        data={"fix": [f"{ids[k]}:{versions[k]}" for k in ("overdue", "p3")]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f"Fix #{ids['p3']}: Someone changed this fix" in response.text
    assert "1 fix acknowledged." in response.text
    with app.app_context():
        assert db.session.get(Fix, ids["overdue"]).status == "acknowledged"
        assert db.session.get(Fix, ids["p3"]).status == "open"


def test_bulk_acknowledge_of_another_teams_fix_changes_nothing(app, client, login):
    org, ids = _queue(app)
    _sign_in(app, login, org, "ops_other")
    before = _versions(app, ids)
    response = client.post(
        "/fixes/queue/acknowledge",
        data={"fix": [f"{ids['overdue']}:{before['overdue']}"]},
        follow_redirects=True,
    )
    assert f"Fix #{ids['overdue']}: You cannot move this fix" in response.text
    assert _versions(app, ids) == before


@pytest.mark.parametrize(
    ("who", "chooses"), [("leader", True), ("admin", True), ("ops_owner", False)]
)
def test_leaders_choose_the_team_of_the_queue_and_ops_do_not(app, client, login, who, chooses):
    org, _ = _queue(app)
    _sign_in(app, login, org, who)
    page = client.get("/fixes/queue")
    assert page.status_code == 200
    assert ('aria-label="Choose a team"' in page.text) is chooses


def test_the_queue_groups_overdue_then_due_today_then_later():
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    due = {
        "overdue": now - timedelta(minutes=1),
        "tonight": datetime(2026, 12, 3, 23, 59, 59, tzinfo=UTC),
        "now": now,
        "midnight": datetime(2026, 12, 4, 0, 0, tzinfo=UTC),
    }
    fixes = [SimpleNamespace(name=k, due_at=v) for k, v in sorted(due.items(), key=lambda i: i[1])]
    data = queries.Queue(team=None, teams=[], fixes=fixes, awaiting=[], can_ack=set(), now=now)
    assert [(name, [f.name for f in group]) for name, group in data.groups] == [
        ("Overdue", ["overdue"]),
        ("Due today", ["now", "tonight"]),
        ("Due later", ["midnight"]),
    ]
    nothing_today = [f for f in fixes if f.name in {"overdue", "midnight"}]
    data = queries.Queue(None, [], nothing_today, [], set(), now=now)
    assert [name for name, _ in data.groups] == ["Overdue", "Due later"]  # no empty group


def test_the_queue_page_says_how_many_are_overdue_and_heads_each_group(app, client, login):
    org, ids = _queue(app)
    _sign_in(app, login, org, "ops_owner")
    page = client.get("/fixes/queue").text
    summary = re.search(r'<p class="queue-summary"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", summary).startswith("1 overdue · ")
    heads = re.findall(r'<th scope="colgroup" colspan="6">([^<]+)</th>', page)
    assert heads[0] == "Overdue (1)" and heads[-1].startswith("Due later (")
