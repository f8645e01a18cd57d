"""Fixtures for the notification tests: a small organisation, report and fix helpers, readers
for notifications and the outbox, and a real SMTP server (aiosmtpd) on 127.0.0.1."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from forum.auth.models import Team, User
from forum.core.outbox import OutboxMessage
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import Corroboration, Post, PostKind
from forum.fixes import services as fixes
from forum.fixes.models import Fix
from forum.notify.models import Notification
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm
from forum.triage import services as triage
from tests import factories
from tests.ports import reserve_port
from tests.smtp import SmtpServer


@dataclass
class Org:
    """Ids of the people and teams every scenario uses."""

    region: int
    shipping: int
    billing: int
    author: int
    corroborator: int
    bystander: int
    leader: int
    other_leader: int
    ops: int
    ops_lead: int
    billing_ops: int
    admin: int
    cause: int


@pytest.fixture
def ctx(app):
    """An application context for the whole test (services and models used directly)."""
    with app.app_context():
        yield


@pytest.fixture
def org(ctx) -> Org:
    return build_org()


def build_org() -> Org:
    """Teams and people of every role (inside an app context); commits."""
    region = factories.team("sales", name="EMEA")
    shipping = factories.team("operations", name="Shipping")
    billing = factories.team("operations", name="Billing")
    author = factories.user(
        "rep", team_obj=region, display_name="Zelda Whistleblower", email="zelda.w@example.test"
    )
    corroborator = factories.user(
        "rep", team_obj=region, display_name="Carl Corroborator", email="carl@example.test"
    )
    bystander = factories.user(
        "rep", team_obj=region, display_name="Betty Bystander", email="betty@example.test"
    )
    leader = factories.user("leader", display_name="Lena Leader", email="lena@example.test")
    other_leader = factories.user("leader", display_name="Otto Exec", email="otto@example.test")
    ops = factories.user(
        "ops", team_obj=shipping, display_name="Oscar Ops", email="oscar@example.test"
    )
    ops_lead = factories.user(
        "ops", team_obj=shipping, display_name="Dana Lead", email="dana@example.test"
    )
    billing_ops = factories.user(
        "ops", team_obj=billing, display_name="Bill Ing", email="bill@example.test"
    )
    admin = factories.user("admin", display_name="Ada Admin", email="ada@example.test")
    shipping.lead = ops_lead
    shipping.sponsor = other_leader
    cause = TaxonomyTerm(kind=TaxonomyKind.ROOT_CAUSE, name="Capacity", name_key="capacity")
    db.session.add(cause)
    db.session.commit()
    return Org(
        region.id,
        shipping.id,
        billing.id,
        author.id,
        corroborator.id,
        bystander.id,
        leader.id,
        other_leader.id,
        ops.id,
        ops_lead.id,
        billing_ops.id,
        admin.id,
        cause.id,
    )


def person(user_id: int) -> User:
    return db.session.get(User, user_id)


def file_post(author_id: int, title: str = "Delivery took three weeks", **fields) -> Post:
    """File a field-feedback report as ``author_id`` and commit."""
    data = posts.PostInput(
        kind=PostKind.FIELD_FEEDBACK, title=title, body="The customer waited.", **fields
    )
    post = posts.create_post(person(author_id), data)
    db.session.commit()
    return post


def corroborate(post: Post, user_id: int) -> None:
    """A "me too" by ``user_id``, stored as ``feedback.services.corroborate`` stores it (the row,
    a follow, the totals), and committed.

    Not through that service: on PostgreSQL it refuses every first "me too" (SQLAlchemy reports
    rowcount -1 for its INSERT ... ON CONFLICT DO NOTHING). That bug belongs to the posting
    domain and is reported rather than fixed on this branch.
    """
    db.session.add(Corroboration(post_id=post.id, user_id=user_id, note=""))
    db.session.flush()
    posts.set_following(person(user_id), post, True)
    posts.recompute_totals(post)
    db.session.commit()


def make_fix(org: Org, *post_list: Post, title: str = "Shipping lead times") -> Fix:
    """A leader turns ``post_list`` into a fix owned by Shipping, and commits."""
    fix = triage.create_fix_from_posts(
        list(post_list),
        actor=person(org.leader),
        title=title,
        problem="Promised 5 days, took 21.",
        owner_team_id=org.shipping,
        priority="P2",
    )
    db.session.commit()
    return fix


def move(fix: Fix, to: str, actor_id: int, **kwargs) -> None:
    """Move ``fix`` to ``to`` as ``actor_id`` and commit."""
    fixes.transition(fix, to, actor=person(actor_id), version=fix.version, **kwargs)
    db.session.commit()


def resolve(org: Org, fix: Fix) -> None:
    """Acknowledge, start and resolve ``fix`` as the owner team."""
    move(fix, "acknowledged", org.ops)
    move(fix, "in_progress", org.ops)
    move(
        fix,
        "resolved",
        org.ops,
        resolution_note="Second carrier contracted",
        root_cause_id=org.cause,
        prevention="Weekly capacity review",
    )


def notes(user_id: int, event: str | None = None) -> list[Notification]:
    query = sa.select(Notification).where(Notification.user_id == user_id)
    if event:
        query = query.where(Notification.event == event)
    return db.session.scalars(query.order_by(Notification.id)).all()


def mails(user_id: int | None = None, event: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage)
    if user_id is not None:
        query = query.where(OutboxMessage.user_id == user_id)
    if event:
        query = query.where(OutboxMessage.event == event)
    return db.session.scalars(query.order_by(OutboxMessage.id)).all()


def recipients(event: str) -> set[int]:
    """Who got an in-app notification of ``event``."""
    return set(
        db.session.scalars(sa.select(Notification.user_id).where(Notification.event == event))
    )


def region_name(org: Org) -> str:
    return db.session.get(Team, org.region).name


# --- a real SMTP server ------------------------------------------------------------------------


@pytest.fixture
def refused_port():
    """A port on 127.0.0.1 where nothing listens (held for the test)."""
    sock = reserve_port()
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(make_app, smtp_server):
    """An app whose mail goes to the test's SMTP server."""
    return make_app(
        MAIL_TRANSPORT="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_TIMEOUT=30,  # generous: a loaded machine must not turn a slow answer into a retry
        MAIL_FROM="Voice of Sales <no-reply@example.test>",
    )
