"""A shielded reporter stays shielded on a fix — its page, history export and mails never name
them — whether their report is linked to the fix or was merged as a duplicate into one that is."""

import pytest
import sqlalchemy as sa

from forum.core.outbox import OutboxMessage
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import PostKind
from forum.fixes import creation
from forum.fixes import services as fixes
from forum.fixes.models import FixStatus
from forum.triage import services as triage
from tests import factories
from tests.conftest import Who

NAME = "Sam Shielded"


@pytest.fixture(params=["linked", "merged"])
def shielded_fix(request, app) -> tuple[int, Who]:
    """A resolved fix a shielded author reported — in its only report ("linked"), or in a report
    merged as a duplicate into another rep's report that the fix was made from ("merged") — and
    that the author then reopened and commented on."""
    with app.app_context():
        leader = factories.user("leader")
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
        if request.param == "merged":
            original = posts.create_post(
                factories.user("rep"),
                posts.PostInput(kind=PostKind.FIELD_FEEDBACK, title="EUR invoices", body="Ask."),
            )
            triage.mark_duplicate(report, original, actor=leader)
            report = original
        fix = creation.create_fix(
            title="EUR invoices",
            problem="Customers need them.",
            owner_team_id=ops_team.id,
            priority="P3",
            actor=leader,
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


def test_the_history_export_never_names_a_shielded_reporter(client, login, shielded_fix):
    login("leader")
    response = client.get("/board/export/history.csv?period=year")
    assert response.status_code == 200
    csv = response.get_data(as_text=True)
    assert "reopened" in csv
    assert NAME not in csv
    assert "A verified rep (Nordics)" in csv


def test_mails_about_the_fix_to_anyone_else_never_name_a_shielded_reporter(
    app, outbox, shielded_fix
):
    _, author = shielded_fix
    messages = outbox.messages
    others = [m for m in messages if outbox.to(m) != author.email]
    assert others, "nobody else was told about the fix"
    for message in others:
        assert NAME not in message["Subject"]
        assert NAME not in message.get_body(("plain",)).get_content()


def test_what_tells_the_shielded_reporter_about_the_fix_is_marked_shielded(app, shielded_fix):
    _, author = shielded_fix
    with app.app_context():
        rows = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_address == author.email)
        ).all()
        about_fix = [row for row in rows if "Fix #" in row.subject]
        assert about_fix, "the reporter was told nothing about the fix"
        assert all(row.shielded for row in about_fix)
