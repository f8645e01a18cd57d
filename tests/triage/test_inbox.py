"""The triage inbox: untriaged reports only, oldest first, with their age against the target."""

import re
from datetime import timedelta

from forum.core.time import utcnow
from forum.extensions import db
from forum.triage import services
from tests.fixes import builders

ROW_RE = re.compile(r'<input type="checkbox" name="post" value="(\d+)"')


def _reports(app):
    """Four reports filed at different times; one noted, one waiting for the reporter."""
    now = utcnow()
    with app.app_context():
        org = builders.org()
        rep, leader = org.user("rep_reporter"), org.user("leader")
        filed = {
            name: builders.report(rep, team_id=org.ops_team_id, title=title, at=now - age)
            for name, title, age in [
                ("middle", "Invoice sent twice", timedelta(hours=30)),
                ("newest", "Support line closed at noon", timedelta(hours=1)),
                ("oldest", "Install took a month", timedelta(days=5)),
                ("noted", "Brochure typo", timedelta(days=6)),
                ("asked", "Pallets damaged", timedelta(days=7)),
            ]
        }
        services.note(filed["noted"], actor=leader)
        services.ask_for_info(filed["asked"], actor=leader, question="Which warehouse?")
        db.session.commit()
        return org, {k: p.id for k, p in filed.items()}


def test_the_inbox_holds_only_untriaged_reports_oldest_first(app):
    _, ids = _reports(app)
    with app.app_context():
        assert [p.id for p in services.inbox()] == [ids["oldest"], ids["middle"], ids["newest"]]


def test_the_inbox_page_lists_reports_oldest_first(app, client, login):
    org, ids = _reports(app)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    page = client.get("/triage/")
    assert page.status_code == 200
    listed = [int(i) for i in ROW_RE.findall(page.text)]
    assert listed == [ids["oldest"], ids["middle"], ids["newest"]]


def test_reports_waiting_for_the_reporter_are_listed_apart(app, client, login):
    org, ids = _reports(app)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    page = client.get("/triage/").text
    waiting = page.split("Waiting for the reporter's answer", 1)[1]
    assert f"/triage/posts/{ids['asked']}" in waiting
    assert "Which warehouse?" in waiting
    assert f"/triage/posts/{ids['noted']}" not in page


def test_reports_older_than_the_triage_target_are_marked(app, client, login):
    org, ids = _reports(app)
    with app.app_context():
        who = org.who("leader")
    login(who=who)
    rows = client.get("/triage/").text.split("<tr")[2:]
    past = {int(ROW_RE.search(r).group(1)) for r in rows if "Past target" in r}
    assert past == {ids["oldest"]}  # 48 hours by default
