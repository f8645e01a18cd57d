"""Seeding the demo posts into an empty database or one that already holds accounts."""

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.demo import seed, seed_organisation
from forum.demo.posts import seed_posts
from forum.extensions import db
from tests import factories


def test_the_seed_command_reports_the_posts(app):
    with app.app_context():
        summary = seed("demo-password")
        assert any(line.startswith("Demo posts: ") for line in summary)
        db.session.rollback()


def test_the_demo_uses_existing_accounts(app):
    with app.app_context():
        factories.account("Existing Customer Ltd")
        seed_posts(seed_organisation("demo-password"))
        assert db.session.scalars(sa.select(Account.name)).all() == ["Existing Customer Ltd"]
        db.session.rollback()
