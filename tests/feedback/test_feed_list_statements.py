"""The feed's list pages run the same number of SQL statements for 3 posts or 30."""

from decimal import Decimal

import pytest

from forum.auth.models import TeamKind
from forum.extensions import db
from forum.taxonomy.models import TaxonomyKind
from tests import factories
from tests.conftest import Who, counting_statements

URLS = ["/posts/", "/api/posts", "/posts/?sort=risk&tag=common"]
ROLES = ["rep", "leader"]


def _add_posts(app, n: int) -> None:
    """``n`` posts of every kind, with everything a list shows: tags, accounts, teams,
    comments (also internal), corroborations, shielded authors, competitors."""
    with app.app_context():
        ops = factories.team(TeamKind.OPERATIONS)
        for i in range(n):
            author = factories.user("rep")
            kind = ["field_feedback", "win_loss", "broken_promise"][i % 3]
            extra = {}
            if kind == "win_loss":
                # A competitor and reason each, so a lazy load cannot hide in the identity map.
                extra = dict(
                    competitor=factories.term(TaxonomyKind.COMPETITOR),
                    primary_reason=factories.term(TaxonomyKind.REASON),
                    secondary_reasons=[factories.term(TaxonomyKind.REASON)],
                    deal_value=Decimal(5000),
                )
            post = factories.post(
                kind,
                author=author,
                team=ops,
                account=factories.account(),
                tags=(f"tag{i}", "common"),
                shielded=i % 2 == 0,
                **extra,
            )
            factories.comment(post)
            factories.comment(post, internal=True)
            factories.corroboration(post, account=factories.account(), amount=Decimal(10))
        db.session.commit()


@pytest.fixture(scope="module")
def statements(module_app):
    """``{(role, url): (statements with 3 posts, statements with 30)}``, measured once for the
    module: every page, as each role, with 3 posts of every kind and then with 27 more."""
    clients = {}
    with module_app.app_context():
        users = {role: factories.user(role) for role in ROLES}
        db.session.commit()
        people = {role: Who(u.id, u.email, u.role, u.team_id) for role, u in users.items()}
    for role, person in people.items():
        clients[role] = module_app.test_client()
        clients[role].sign_in(person)

    def measure() -> dict:
        counts = {}
        for role, client in clients.items():
            for url in URLS:
                with counting_statements(module_app) as run:
                    assert client.get(url).status_code == 200
                counts[role, url] = run
        return counts

    _add_posts(module_app, 3)
    # Once before measuring: a list remembers its viewer's filters (tests/auth/test_list_memory.py),
    # so moving between these URLs writes the same one UPDATE in each measured round.
    measure()
    few = measure()
    _add_posts(module_app, 27)
    many = measure()
    return {key: (few[key], many[key]) for key in few}


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ROLES)
def test_a_list_page_runs_the_same_number_of_queries_for_3_or_30_posts(statements, url, role):
    few, many = statements[role, url]
    assert few, "nothing was measured"
    assert len(many) == len(few), "\n".join(many)
