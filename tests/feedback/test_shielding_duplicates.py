"""A shielded report merged into another as a duplicate keeps its author behind the shield."""

import pytest

from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import PostKind
from forum.triage import services as triage
from tests import factories
from tests.conftest import Who

NAME = "Sam Shielded"


def _report(author, title: str, *, shielded: bool = False):
    data = posts.PostInput(
        kind=PostKind.FIELD_FEEDBACK, title=title, body="Heard it.", shielded=shielded
    )
    return posts.create_post(author, data)


@pytest.fixture
def original(app) -> tuple[int, Who]:
    """A report, and a shielded duplicate of it by another rep, merged into it."""
    with app.app_context():
        region = factories.team("sales", name="Nordics")
        author = factories.user("rep", team_obj=region, display_name=NAME)
        first = _report(factories.user("rep", team_obj=region), "Invoices only in USD")
        duplicate = _report(author, "No EUR invoices", shielded=True)
        triage.mark_duplicate(duplicate, first, actor=factories.user("leader"))
        db.session.commit()
        return first.id, Who(author.id, author.email, author.role, author.team_id)


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_the_original_never_names_the_shielded_duplicates_author(client, login, original, role):
    post_id, _ = original
    login(role)
    page = client.get(f"/posts/{post_id}").get_data(as_text=True)
    assert NAME not in page
    assert "A verified rep (Nordics)" in page


def test_the_shielded_duplicates_author_sees_their_own_name(client, login, original):
    post_id, author = original
    login(who=author)
    assert NAME in client.get(f"/posts/{post_id}").get_data(as_text=True)
