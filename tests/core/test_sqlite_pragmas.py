"""SQLite connections: durable outside tests (WAL, synchronous=FULL, foreign keys), fast inside."""

import pytest

import config
from forum.extensions import db

FULL, OFF = 2, 0  # what PRAGMA synchronous answers


def _pragmas(app) -> dict[str, object]:
    with app.app_context():
        with db.engine.connect() as conn:
            values = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        db.engine.dispose()
    return values


@pytest.mark.parametrize("config_class", [config.Config, config.ProductionConfig])
def test_outside_tests_every_connection_is_durable(make_app, tmp_path, config_class):
    app = make_app(
        config_class,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'durable.db'}",
        PROXY_FIX_X_FOR=0,
    )
    assert _pragmas(app) == {
        "journal_mode": "wal",
        "synchronous": FULL,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


def test_the_testing_configuration_skips_the_fsync(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'thrown-away.db'}")
    values = _pragmas(app)
    assert values["synchronous"] == OFF
    assert (values["journal_mode"], values["foreign_keys"]) == ("wal", 1)


def test_the_setting_is_off_only_in_the_testing_configuration():
    assert getattr(config.Config, "SQLITE_SYNCHRONOUS", "FULL") != "OFF"
    assert config.TestingConfig.SQLITE_SYNCHRONOUS == "OFF"
