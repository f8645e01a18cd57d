"""Twenty people move one fix at the same moment, over HTTP, on gunicorn with several workers
and threads: per version exactly one wins, the others get 409 naming who moved it to what, and
`flask history verify` finds every chain intact afterwards."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from forum.auth.models import Team
from forum.extensions import db
from forum.fixes.models import Fix, FixEvent
from tests import factories
from tests.faults.clients import Browser, Page
from tests.faults.servers import app_env
from tests.fixes import builders

pytestmark = [pytest.mark.committed, pytest.mark.slow]

PEOPLE = 20
# Each round starts from the version the previous one made: (move, form fields, in the 409).
ROUNDS = [
    ("in_progress", {}, "acknowledged→in progress"),
    ("blocked", {"note": "The carrier's strike stops every truck"}, "in progress→blocked"),
]


def race(pool, browsers: list[Browser], fix_id: int, version: int, form: dict) -> list[Page]:
    """Everyone opens the fix page (at ``version``), then all post ``form`` at once."""
    pages = list(pool.map(lambda b: b.get(f"/fixes/{fix_id}"), browsers))
    assert {p.hidden["version"] for p in pages} == {str(version)}
    together = threading.Barrier(len(browsers), timeout=30)

    def move(browser: Browser) -> Page:
        together.wait()
        return browser.post(f"/fixes/{fix_id}/status", {"version": version, **form})

    return list(pool.map(move, browsers))


@pytest.fixture
def team_and_fix(app):
    """An acknowledged fix and the twenty members of its owner team who may move it."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "acknowledged")
        team = db.session.get(Team, org.ops_team_id)
        for _ in range(PEOPLE - 3):  # ops_owner, ops_mate and ops_lead are members already
            factories.user("ops", team_obj=team)
        db.session.commit()
        people = [(u.email, u.display_name) for u in team.members]
        return people, fix.id, fix.version


def test_twenty_simultaneous_moves_of_one_fix_let_exactly_one_win_per_version(
    app, servers, database_url, tmp_path, team_and_fix
):
    people, fix_id, version = team_and_fix
    assert len(people) == PEOPLE
    server = servers.gunicorn(app_env(database_url, tmp_path), workers=2, threads=4)
    browsers = [Browser(server.url) for _ in people]
    with ThreadPoolExecutor(PEOPLE) as pool:
        list(pool.map(lambda b, p: b.sign_in(p[0]), browsers, people))
        for to, fields, change in ROUNDS:
            answers = race(pool, browsers, fix_id, version, {"to": to, **fields})
            statuses = [a.status for a in answers]
            assert sorted(statuses) == [302] + [409] * (PEOPLE - 1), statuses
            _, winner = people[statuses.index(302)]
            for answer in answers:
                if answer.status == 409:
                    assert f"{winner} changed the status {change} (" in answer.alert()
            version += 1

    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        moves = db.session.scalars(
            sa.select(FixEvent.to_value)
            .where(FixEvent.fix_id == fix_id, FixEvent.kind == "status")
            .order_by(FixEvent.seq)
        ).all()
        assert fix.version == version
        assert moves[-len(ROUNDS) :] == [to for to, _, _ in ROUNDS]
    result = app.test_cli_runner().invoke(args=["history", "verify"])
    assert result.exit_code == 0, result.output
    assert "every chain intact" in result.output
