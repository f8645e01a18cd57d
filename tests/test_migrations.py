"""The migrations build exactly the schema the models describe, and run down and up again.

On SQLite each test gets a new database file. On PostgreSQL they use the shared test database,
which they take down to base and always leave at head (and empty) for the tests that follow.
"""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forum.accounts.models import Account
from forum.auth.models import Team, User
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from forum.fixes import revenue
from forum.search.schema import include_name
from tests import factories

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


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


# Migration 0010_money carries existing money across: amounts keep the currency they were
# entered in, an old "me too" amount takes its report's, a report's total becomes its total in
# that currency, a fix's revenue at risk (no longer stored) derives the same from its reports,
# and the downgrade writes it back.
T = "'2026-11-02 10:00:00.000000'"
ROWS = [
    "INSERT INTO users (id, email, display_name, role, active, session_version, created_at)"
    f" VALUES (1, 'l@x.test', 'L', 'leader', TRUE, 1, {T}),"
    f" (2, 'r@x.test', 'R', 'rep', TRUE, 1, {T})",
    "INSERT INTO teams (id, name, name_key, kind, description, created_at)"
    f" VALUES (1, 'Ops', 'ops', 'operations', '', {T})",
    f"INSERT INTO accounts (id, name, name_key, segment, arr, created_at) VALUES"
    f" (1, 'Acme', 'acme', '', 250000, {T}), (2, 'Globex', 'globex', '', NULL, {T})",
    "INSERT INTO fixes (id, title, problem, owner_team_id, priority, status, version,"
    " ack_due_at, due_at, updated_at, status_reason, resolution_note, prevention, reopen_count,"
    " recurrence_count, escalation_level, revenue_at_risk, created_at) VALUES"
    f" (1, 'F', 'P', 1, 'P2', 'open', 1, {T}, {T}, {T}, '', '', '', 0, 0, 0, 438000, {T})",
    "INSERT INTO posts (id, kind, status, status_reason, title, body, author_id, shielded,"
    " updated_at, version, corroboration_count, total_at_risk, currency, created_at, account_id,"
    " fix_id, revenue_at_risk, deal_value) VALUES"
    f" (1, 'broken_promise', 'linked', '', 'T', 'B', 2, FALSE, {T}, 1, 1, 438000, 'EUR', {T}, 1, 1,"
    " 423000, NULL),"
    f" (2, 'win_loss', 'new', '', 'T', 'B', 2, FALSE, {T}, 1, 0, 0, 'GBP', {T}, NULL, NULL, NULL,"
    " 9000.50)",
    "INSERT INTO corroborations (id, post_id, user_id, account_id, amount, note, created_at)"
    f" VALUES (1, 1, 1, 2, 15000, '', {T}), (2, 1, 2, NULL, NULL, '', {T})",
]


def test_existing_amounts_keep_their_currency_across_the_migration(migration_app):
    with migration_app.app_context():
        upgrade()
        downgrade(revision="0008_job_locks")
        with db.engine.begin() as conn:
            for sql in ROWS:
                conn.execute(sa.text(sql))
        upgrade()
        db.session.remove()
        report, deal = db.session.get(Post, 1), db.session.get(Post, 2)
        assert (report.currency, report.revenue_at_risk) == ("EUR", Decimal("423000"))
        assert (deal.currency, deal.deal_value) == ("GBP", Decimal("9000.50"))
        assert report.at_risk_by_currency == {"EUR": "438000.00"}
        echoes = {
            c.id: (c.amount, c.currency) for c in db.session.scalars(sa.select(Corroboration))
        }
        assert echoes == {1: (Decimal("15000"), "EUR"), 2: (None, None)}
        assert revenue.of_fix(1).as_dict() == {"EUR": Decimal("438000")}
        assert db.session.get(Account, 1).arr_currency == "USD"
        db.session.remove()
        downgrade(revision="0008_job_locks")
        with db.engine.connect() as conn:
            value = conn.execute(sa.text("SELECT revenue_at_risk FROM fixes WHERE id = 1")).scalar()
        assert Decimal(str(value)) == Decimal("438000")
        with db.engine.begin() as conn:
            for table in ("corroborations", "posts", "fixes", "accounts", "teams", "users"):
                conn.execute(sa.text(f"DELETE FROM {table}"))
        upgrade()
