"""Each board page runs the same number of SQL statements whatever the amount of data."""

import pytest

from forum.extensions import db
from tests import factories
from tests.board import world as generator
from tests.conftest import Who, counting_statements

PAGES = [
    "/board/",
    "/board/?rank=arr",
    "/board/?region={region}&segment=smb",
    "/board/teams/{team}",
    "/board/win-loss?period=year",
    "/board/review?period=year",
    "/board/fixes?list=open",
    "/board/posts?list=lost&period=year",
    "/board/accounts/{account}",
    "/board/reps/{rep}",
]


@pytest.fixture(scope="module")
def statements(module_app):
    """``{page: (statements on a small world, statements once two large ones are added)}``,
    measured once for the module, signed in as a leader."""
    app = module_app
    with app.app_context():
        small = generator.build(41, n_fixes=3, n_deals=2)
        leader = factories.user("leader")
        db.session.commit()
        who = Who(leader.id, leader.email, leader.role, leader.team_id)
    client = app.test_client()
    client.sign_in(who)
    targets = {
        url: url.format(
            region=small.regions[0],
            team=small.ops_teams[0],
            account=next(iter(small.accounts)),
            rep=small.reps[0],
        )
        for url in PAGES
    }

    def measure() -> dict[str, list[str]]:
        counts = {}
        for url, target in targets.items():
            with counting_statements(app) as run:
                assert client.get(target).status_code == 200, target
            counts[url] = run
        return counts

    few = measure()
    with app.app_context():
        for seed in (42, 43):
            generator.build(seed, n_fixes=120, n_deals=100)
        db.session.commit()
    many = measure()
    return {url: (few[url], many[url]) for url in PAGES}


@pytest.mark.parametrize("url", PAGES)
def test_a_page_runs_the_same_number_of_statements_whatever_the_data(statements, url):
    few, many = statements[url]
    assert few, "nothing was measured"
    assert len(many) == len(few), "\n".join(many)
