"""A shielded reporter stays shielded on the fix page: its history and comments never name them."""

import pytest

from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import PostKind
from forum.fixes import creation
from forum.fixes import services as fixes
from forum.fixes.models import FixStatus
from tests import factories
from tests.conftest import Who

NAME = "Sam Shielded"


@pytest.fixture
def shielded_fix(app) -> tuple[int, Who]:
    """A resolved fix whose only report is shielded; its author reopened it and commented."""
    with app.app_context():
        region = factories.team("sales", name="Nordics")
        author = factories.user("rep", team_obj=region, display_name=NAME)
        ops_team = factories.team("operations")
        ops = factories.user("ops", team_obj=ops_team)
        cause = factories.term("root_cause")
        report = posts.create_post(
            author,
            posts.PostInput(
                kind=PostKind.FIELD_FEEDBACK, title="Invoices in EUR", body="Ask.", shielded=True
            ),
        )
        fix = creation.create_fix(
            title="EUR invoices",
            problem="Customers need them.",
            owner_team_id=ops_team.id,
            priority="P3",
            actor=factories.user("leader"),
            posts=[report],
        )
        for to, fields in [
            (FixStatus.ACKNOWLEDGED, {}),
            (FixStatus.IN_PROGRESS, {}),
            (
                FixStatus.RESOLVED,
                dict(resolution_note="Done", root_cause_id=cause.id, prevention="Review"),
            ),
        ]:
            fixes.transition(fix, to, actor=ops, version=fix.version, **fields)
        fixes.transition(
            fix, FixStatus.REOPENED, actor=author, version=fix.version, note="Still in USD"
        )
        fixes.add_comment(fix, author, "Checked with the customer today.")
        db.session.commit()
        return fix.id, Who(author.id, author.email, author.role, author.team_id)


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_the_fix_page_never_names_a_shielded_reporter(client, login, shielded_fix, role):
    fix_id, _ = shielded_fix
    login(role)
    page = client.get(f"/fixes/{fix_id}").get_data(as_text=True)
    assert NAME not in page
    assert "A verified rep (Nordics)" in page
    assert "Checked with the customer today." in page


def test_the_shielded_reporter_sees_their_own_name_on_the_fix_page(client, login, shielded_fix):
    fix_id, author = shielded_fix
    login(who=author)
    assert NAME in client.get(f"/fixes/{fix_id}").get_data(as_text=True)
