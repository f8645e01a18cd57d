"""Migration 0004_notify: it adds exactly the notification tables, comes off cleanly, and leaves
the schema matching the models (no drift)."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

import config
from forum import create_app
from forum.extensions import db
from forum.search.schema import include_name

TABLES = {"notifications", "notification_preferences", "outbox"}


@pytest.fixture
def fresh_app(tmp_path):
    """An app on its own empty SQLite file (never the shared test database)."""
    app = create_app(
        config.TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrate.db'}",
        SECRET_KEY="x",
    )
    with app.app_context():
        yield app
        db.engine.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrading_to_0004_adds_the_notification_tables(fresh_app):
    upgrade(revision="0003_fixes")
    assert not TABLES & _tables()
    upgrade(revision="0004_notify")
    assert TABLES <= _tables()


def test_downgrading_0004_removes_only_the_notification_tables(fresh_app):
    upgrade(revision="0004_notify")
    before = _tables()
    downgrade(revision="0003_fixes")
    assert _tables() == before - TABLES


def test_the_migrated_schema_matches_the_models(fresh_app):
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True, "include_name": include_name}
        )
        assert compare_metadata(context, db.metadata) == []
