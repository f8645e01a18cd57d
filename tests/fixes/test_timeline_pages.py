"""A long fix history comes in pages: the newest entries first, earlier ones by plain links,
the chain's status (over the whole history) on every page."""

import re

from forum.extensions import db
from forum.fixes import services
from forum.fixes.models import Fix, FixStatus
from forum.fixes.queries import TIMELINE_PER_PAGE
from tests.fixes import builders


def test_a_long_timeline_shows_its_newest_page_and_links_to_the_earlier_ones(app, client):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "in_progress")
        for n in range(TIMELINE_PER_PAGE):
            to = FixStatus.BLOCKED if n % 2 == 0 else FixStatus.IN_PROGRESS
            services.transition(
                fix, to, actor=org.user("ops_owner"), version=fix.version, note=f"Step {n}"
            )
        db.session.commit()
        fix_id, entries = fix.id, db.session.get(Fix, fix.id).version
        who = org.who("leader")
    client.sign_in(who)
    newest = client.get(f"/fixes/{fix_id}").get_data(as_text=True)
    assert f"Step {TIMELINE_PER_PAGE - 1}" in newest
    assert "Step 0<" not in newest
    assert "Intact" in newest
    older = re.search(r'<a rel="prev" href="([^"]+)"', newest).group(1).replace("&amp;", "&")
    earlier = client.get(older).get_data(as_text=True)
    assert "Step 0<" in earlier and "Intact" in earlier
    assert entries > TIMELINE_PER_PAGE
    assert client.get(f"/fixes/{fix_id}?page=99").status_code == 404
