"""The migrations build exactly the schema the models describe, and run down and up again.

On SQLite each test gets a new database file. On PostgreSQL they use the shared test database,
which they take down to base and always leave at head (and empty) for the tests that follow.
"""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forum.auth.models import Team, User
from forum.extensions import db
from forum.search.schema import include_name
from tests import factories


@pytest.fixture
def migration_app(make_app, fresh_database_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=fresh_database_url)
    yield app
    with app.app_context():
        upgrade()  # whatever a test did, the database ends at head
        db.engine.dispose()


def differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True, "include_name": include_name}
        )
        return compare_metadata(context, db.metadata)


def table_names(app) -> set[str]:
    with app.app_context(), db.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        return {n for n in names if include_name(n, "table", {})}


def test_upgrade_from_empty_to_head_matches_the_models(migration_app):
    with migration_app.app_context():
        downgrade(revision="base")
        assert table_names(migration_app) == set()
        upgrade()
    assert differences(migration_app) == []


def test_upgrade_creates_every_table_of_the_models(migration_app):
    with migration_app.app_context():
        upgrade()
    assert table_names(migration_app) == set(db.metadata.tables)


def test_downgrade_to_base_removes_every_table(migration_app):
    with migration_app.app_context():
        upgrade()
        downgrade(revision="base")
    assert table_names(migration_app) == set()


def test_downgrade_and_upgrade_again_with_data_present(migration_app):
    with migration_app.app_context():
        upgrade()
        region = factories.team("sales", name="EMEA")
        factories.user("rep", team_obj=region)
        db.session.commit()
        db.session.remove()
        downgrade(revision="base")
        upgrade()
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Team.id))) == 0
    assert differences(migration_app) == []


def test_database_works_after_downgrade_and_upgrade(migration_app):
    with migration_app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        factories.user("rep")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_flask_db_check_reports_no_drift(migration_app):
    runner = migration_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_flask_db_check_notices_drift(migration_app):
    runner = migration_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    with migration_app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_users_team_id"))
    assert runner.invoke(args=["db", "check"]).exit_code != 0
    with migration_app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("CREATE INDEX ix_users_team_id ON users (team_id)"))


def test_no_user_exists_after_migrating(migration_app):
    with migration_app.app_context():
        upgrade()
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
