"""Every page a rep, an ops person or a leader opens runs at most ten SQL statements, and the
same number on a small world and on one several times larger (more reports, comments, history
entries, fixes, flags, accounts, people and notifications).

The world is built once for the module and grown once: each page is measured on the small world,
then everything is multiplied and each page is measured again.
"""

import pytest

from forum.extensions import db
from tests.conftest import counting_statements
from tests.core import budget_world

BUDGET = 10
# Pages still over the budget (their count does not grow with the data): issue 12's remaining
# work. Strict: once a page fits, its mark must go.
OVER_BUDGET = {
    ("rep", "/fixes/{long_fix}"),
    ("ops", "/fixes/{long_fix}"),
    ("leader", "/fixes/{long_fix}"),
    ("leader", "/triage/posts/{flagged}"),
    ("leader", "/board/"),
    ("leader", "/board/teams/{ops_team}"),
    ("leader", "/board/review?period=year"),
    # since the organisation's time zone (read for a viewer without one of their own) and the
    # revenue converted at the month's rates (the reporting currency, the rates)
    ("leader", "/board/accounts/{account}"),
    ("leader", "/triage/?flags=any&sort=revenue"),
    ("leader", "/board/win-loss?period=year"),
}
SMALL, LARGE = 1, 5  # growth rounds before each measurement


def _measure(app, world: budget_world.Grown) -> dict[tuple[str, str], list[str]]:
    counts = {}
    clients = {}
    for role, who in world.people.items():
        clients[role] = app.test_client()
        clients[role].sign_in(who)
    for role, page in budget_world.PAGES:
        client = clients[role]
        url = (
            budget_world.last_feed_page(client) if page == "feed:last" else page.format(**world.ids)
        )
        client.get(url)  # a first visit may remember the list's filters (one UPDATE)
        with counting_statements(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        counts[(role, page)] = statements
    return counts


@pytest.fixture(scope="module")
def statements(module_app):
    """``{(role, page): (statements on the small world, statements on the large one)}``."""
    app = module_app
    with app.app_context():
        world = budget_world.seed()
        for r in range(SMALL):
            budget_world.grow(world, r)
        db.session.commit()
    few = _measure(app, world)
    with app.app_context():
        for r in range(SMALL, LARGE):
            budget_world.grow(world, r)
        db.session.commit()
    many = _measure(app, world)
    return {key: (few[key], many[key]) for key in few}


ALL_PAGES = [pytest.param(role, page, id=f"{role}:{page}") for role, page in budget_world.PAGES]


@pytest.mark.parametrize(("role", "page"), ALL_PAGES)
def test_a_page_runs_as_many_statements_on_a_larger_world(statements, role, page):
    few, many = statements[(role, page)]
    assert few, "nothing was measured"
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize(
    ("role", "page"),
    [
        pytest.param(
            role,
            page,
            id=f"{role}:{page}",
            marks=[pytest.mark.xfail(strict=True, reason="over budget (issue 12)")]
            if (role, page) in OVER_BUDGET
            else [],
        )
        for role, page in budget_world.PAGES
    ],
)
def test_a_page_runs_at_most_ten_statements(statements, role, page):
    _, many = statements[(role, page)]
    assert len(many) <= BUDGET, "\n".join(many)
