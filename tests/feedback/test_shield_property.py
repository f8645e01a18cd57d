"""The shield follows the person, whatever happens to their report: hypothesis makes histories
of a shielded report (merged into another rep's report or the other way round, linked to a fix,
corroborated, commented on, the fix worked, resolved, verified or reopened by the shielded rep)
and every output anyone else can see — the reports' and the fix's pages, the feed, search, the
JSON API, everyone else's notifications and e-mails, the board's CSV exports — is searched for
the shielded rep's name and e-mail address. Only the rep themselves (and an audited reveal) may
show them."""

import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.auth.models import User
from forum.core.errors import DomainError
from forum.core.outbox import OutboxMessage
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import Post, PostKind
from forum.fixes import creation
from forum.fixes import services as fixes
from forum.fixes.models import Fix, FixStatus
from forum.notify.models import Notification
from forum.triage import services as triage
from tests import factories

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


S = FixStatus
ACTIONS = [
    "merge shielded into other",
    "merge other into shielded",
    "fix from shielded",
    "fix from other",
    "link the other report too",
    "me too on shielded",
    "author comments on the report",
    "author comments on the fix",
    "ops resolve the fix",
    "author verifies",
    "author reopens",
]
_run = itertools.count(1)


class Story:
    """One organisation per example, named apart from those of earlier examples."""

    def __init__(self):
        n = next(_run)
        self.name, self.email = f"Shelly Hidden{n}", f"shelly.hidden{n}@example.test"
        region = factories.team("sales", name=f"Region {n}")
        self.author = factories.user(
            "rep", team_obj=region, display_name=self.name, email=self.email
        )
        self.other = factories.user("rep", team_obj=region, display_name=f"Olly Open{n}")
        self.corroborator = factories.user("rep", team_obj=region)
        self.leader = factories.user("leader")
        ops_team = factories.team("operations")
        self.ops = factories.user("ops", team_obj=ops_team)
        self.ops_team_id = ops_team.id
        self.cause = factories.term("root_cause")
        self.viewers = [
            self.other,
            self.corroborator,
            self.ops,
            self.leader,
            factories.user("admin"),
        ]
        self.topic = f"pallets{n}"
        self.shielded = self._report(self.author, shielded=True)
        self.open = self._report(self.other, shielded=False)
        self.fix: Fix | None = None

    def _report(self, author: User, *, shielded: bool) -> Post:
        return posts.create_post(
            author,
            posts.PostInput(
                kind=PostKind.FIELD_FEEDBACK,
                title=f"The {self.topic} arrive late",
                body=f"Three weeks for {self.topic}.",
                shielded=shielded,
            ),
        )

    def do(self, action: str) -> None:
        """Apply ``action`` if it makes sense now; a refusal by the rules is part of the story."""
        try:
            getattr(self, "_" + action.replace(" ", "_"))()
        except DomainError:
            db.session.rollback()
        else:
            db.session.commit()

    def _merge_shielded_into_other(self):
        triage.mark_duplicate(self.shielded, self.open, actor=self.leader)

    def _merge_other_into_shielded(self):
        triage.mark_duplicate(self.open, self.shielded, actor=self.leader)

    def _make_fix(self, post: Post):
        if self.fix is not None:
            raise DomainError("one fix per story")
        self.fix = creation.create_fix(
            title=f"Faster {self.topic}",
            problem="Promised 5 days.",
            owner_team_id=self.ops_team_id,
            priority="P2",
            actor=self.leader,
            posts=[post],
        )

    def _fix_from_shielded(self):
        self._make_fix(self.shielded)

    def _fix_from_other(self):
        self._make_fix(self.open)

    def _link_the_other_report_too(self):
        if self.fix is None:
            raise DomainError("no fix yet")
        for post in (self.shielded, self.open):
            if post.fix_id is None:
                triage.attach_to_fix(post, self.fix, actor=self.leader)
                return

    def _me_too_on_shielded(self):
        posts.corroborate(self.shielded, self.corroborator)

    def _author_comments_on_the_report(self):
        posts.add_comment(self.shielded, self.author, "Again this week.")

    def _author_comments_on_the_fix(self):
        if self.fix is None:
            raise DomainError("no fix yet")
        fixes.add_comment(self.fix, self.author, "Still happening for my customer.")

    def _ops_resolve_the_fix(self):
        if self.fix is None:
            raise DomainError("no fix yet")
        for to in (S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED):
            fixes.transition(
                self.fix,
                to,
                actor=self.ops,
                version=self.fix.version,
                resolution_note="Second carrier",
                root_cause_id=self.cause.id,
                prevention="Weekly review",
            )

    def _author_moves(self, to: S, note: str = ""):
        if self.fix is None:
            raise DomainError("no fix yet")
        fixes.transition(self.fix, to, actor=self.author, version=self.fix.version, note=note)

    def _author_verifies(self):
        self._author_moves(S.VERIFIED)

    def _author_reopens(self):
        self._author_moves(S.REOPENED, note="It did not hold")


def outputs(client, login, story: Story) -> dict[str, str]:
    """Everything the people other than the shielded rep can read, by where they read it."""
    seen = {}
    pages = [
        f"/posts/{story.shielded.id}",
        f"/posts/{story.open.id}",
        "/posts/",
        f"/search/?q={story.topic}",
        "/api/posts",
        f"/api/posts/{story.shielded.id}",
        "/notifications/",
    ]
    if story.fix is not None:
        pages.append(f"/fixes/{story.fix.id}")
    exports = ["/board/export/history.csv", "/board/export/posts.csv", "/board/export/fixes.csv"]
    for viewer in story.viewers:
        client.sign_in(viewer)
        for url in pages + (exports if viewer.role in {"leader", "admin"} else []):
            response = client.get(url)
            assert response.status_code in {200, 404}, (url, response.status_code)
            seen[f"{url} as {viewer.role}"] = response.get_data(as_text=True)
    for n in db.session.scalars(
        sa.select(Notification).where(Notification.user_id != story.author.id)
    ):
        seen[f"notification #{n.id} to user {n.user_id}"] = f"{n.title}\n{n.body}"
    mails = sa.select(OutboxMessage).where(OutboxMessage.to_address != story.email)
    for m in db.session.scalars(mails):
        seen[f"mail #{m.id} to {m.to_address}"] = f"{m.subject}\n{m.text_body}\n{m.html_body}"
    return seen


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8))
def test_no_output_anyone_else_sees_names_the_shielded_rep(ctx, client, login, actions):
    story = Story()
    db.session.commit()
    for action in actions:
        story.do(action)
    leaks = [
        where
        for where, text in outputs(client, login, story).items()
        if story.name in text or story.email in text
    ]
    assert not leaks, f"after {actions}: the shielded rep is named in {leaks}"


def test_the_property_sees_the_shielded_rep_where_they_may_be_seen(ctx, client, login):
    """The check can fail: the rep's own view of their report names them."""
    story = Story()
    story.do("fix from shielded")
    story.do("author comments on the fix")
    client.sign_in(story.author)
    assert story.name in client.get(f"/posts/{story.shielded.id}").get_data(as_text=True)
    assert story.name in client.get(f"/fixes/{story.fix.id}").get_data(as_text=True)
