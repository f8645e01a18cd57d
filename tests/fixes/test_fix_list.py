"""The Fixes list opens on the open fixes, soonest due first; "any status" puts the open ones
first, then the others most recently resolved or closed first."""

import re
from datetime import timedelta

from forum.core.time import utcnow
from forum.extensions import db
from tests.fixes import builders


def _titles(html: str) -> list[str]:
    return re.findall(r'<a href="/fixes/\d+">#\d+ ([^<]+)</a>', html)


def test_the_list_opens_on_open_fixes_soonest_due_first(app, client, login):
    with app.app_context():
        org = builders.org()
        now = utcnow()
        builders.fix_in(org, "verified", start=now - timedelta(days=400), title="Closed long ago")
        builders.fix_in(org, "verified", start=now - timedelta(days=30), title="Closed lately")
        later = builders.fix_in(
            org, "in_progress", start=now - timedelta(days=2), title="Due later"
        )
        sooner = builders.fix_in(org, "open", start=now - timedelta(days=3), title="Due sooner")
        later.due_at, sooner.due_at = now + timedelta(days=9), now + timedelta(days=2)
        db.session.commit()
    login("leader")

    page = client.get("/fixes/").text
    assert _titles(page) == ["Due sooner", "Due later"]
    assert "2 open fixes, soonest due first" in page
    assert '<option value="active" selected>Any open status</option>' in page
    assert page.count(" selected>") == 1  # "Open" (not yet acknowledged) is a status of its own
    assert _titles(client.get("/fixes/?status=open").text) == ["Due sooner"]

    every = client.get("/fixes/?status=any").text
    assert _titles(every) == ["Due sooner", "Due later", "Closed lately", "Closed long ago"]
    assert client.get("/fixes/?status=verified").status_code == 200
    assert _titles(client.get("/fixes/?status=verified").text) == [
        "Closed lately",
        "Closed long ago",
    ]
