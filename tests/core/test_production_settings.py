"""Production refuses to start with settings that break behind a balancer or with many workers."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from config import check_production_settings

ROOT = Path(__file__).resolve().parents[2]
SAFE = dict(
    SECRET_KEY="a long shared random value",
    RATELIMIT_STORAGE_URI="redis://cache.internal:6379/0",
    SQLALCHEMY_DATABASE_URI="postgresql+psycopg://app@db.internal/voice_of_sales",
    PROXY_FIX_X_FOR=1,
    WEB_CONCURRENCY=4,
    APP_SERVERS=2,
)


def problems(**changes) -> list[str]:
    return check_production_settings(SAFE | changes)


def test_safe_settings_have_no_problem():
    assert problems() == []


def test_one_direct_process_on_sqlite_is_safe():
    single = dict(WEB_CONCURRENCY=1, APP_SERVERS=1, PROXY_FIX_X_FOR=0)
    assert (
        problems(
            RATELIMIT_STORAGE_URI="memory://", SQLALCHEMY_DATABASE_URI="sqlite:///x.db", **single
        )
        == []
    )


@pytest.mark.parametrize("missing", [None, ""])
def test_a_missing_secret_key_is_refused(missing):
    [problem] = problems(SECRET_KEY=missing)
    assert problem.startswith("SECRET_KEY is not set")


@pytest.mark.parametrize("workers, servers", [(2, 1), (1, 2), (4, 3)])
def test_memory_rate_limits_with_several_processes_are_refused(workers, servers):
    found = problems(
        RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY=workers, APP_SERVERS=servers
    )
    assert [p for p in found if p.startswith("RATELIMIT_STORAGE_URI")] == [
        f"RATELIMIT_STORAGE_URI is memory:// with {workers * servers} processes "
        f"(WEB_CONCURRENCY={workers} x APP_SERVERS={servers}): each process counts on its own, "
        "multiplying every limit. Point it at a shared store (redis://host:6379/0), or run a "
        "single process."
    ]


def test_memory_rate_limits_with_one_process_are_allowed():
    assert problems(RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY=1, APP_SERVERS=1) == []


def test_sqlite_with_several_servers_is_refused():
    [problem] = problems(SQLALCHEMY_DATABASE_URI="sqlite:////srv/voice.db")
    assert problem.startswith("DATABASE_URL is SQLite with APP_SERVERS=2")


def test_sqlite_with_several_workers_on_one_server_is_allowed():
    assert problems(SQLALCHEMY_DATABASE_URI="sqlite:////srv/voice.db", APP_SERVERS=1) == []


def test_an_unset_proxy_count_is_refused():
    [problem] = problems(PROXY_FIX_X_FOR=None)
    assert problem.startswith("PROXY_FIX_X_FOR is not set")


def test_no_proxy_is_allowed_when_said_on_one_server():
    assert problems(PROXY_FIX_X_FOR=0, APP_SERVERS=1) == []


def test_no_proxy_behind_a_balancer_is_refused():
    [problem] = problems(PROXY_FIX_X_FOR=0, APP_SERVERS=3)
    assert problem.startswith("PROXY_FIX_X_FOR is 0 with APP_SERVERS=3")


def test_every_problem_is_listed_at_once():
    found = problems(
        SECRET_KEY="",
        RATELIMIT_STORAGE_URI="memory://",
        SQLALCHEMY_DATABASE_URI="sqlite:///x.db",
        PROXY_FIX_X_FOR=None,
    )
    assert [p.split(" ")[0] for p in found] == [
        "SECRET_KEY",
        "RATELIMIT_STORAGE_URI",
        "DATABASE_URL",
        "PROXY_FIX_X_FOR",
    ]


def test_production_refuses_to_start_and_says_why(make_app):
    with pytest.raises(config.UnsafeSettings) as refused:
        make_app(config.ProductionConfig, SECRET_KEY="", WEB_CONCURRENCY=2)
    message = str(refused.value)
    assert message.startswith("Refusing to start with APP_ENV=production:")
    for setting in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "PROXY_FIX_X_FOR"):
        assert f"  - {setting}" in message
    assert len(refused.value.problems) == 3


def test_production_generates_no_secret_key(make_app, tmp_path):
    with pytest.raises(config.UnsafeSettings):
        make_app(config.ProductionConfig, SECRET_KEY="", PROXY_FIX_X_FOR=0, INSTANCE_DIR=tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_safe_settings(make_app):
    app = make_app(config.ProductionConfig, PROXY_FIX_X_FOR=1)
    assert app.test_client().get("/login").status_code == 200


def test_the_production_class_is_production():
    assert config.config_for("production") is config.ProductionConfig
    assert config.ProductionConfig.APP_ENV == "production"


@pytest.mark.parametrize("config_class", [config.Config, config.TestingConfig])
def test_development_and_tests_start_without_any_of_it(make_app, tmp_path, config_class):
    app = make_app(
        config_class,
        SECRET_KEY="",
        PROXY_FIX_X_FOR=None,
        WEB_CONCURRENCY=4,
        INSTANCE_DIR=tmp_path,
    )
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert app.test_client().get("/login").status_code == 200


def test_a_forwarded_request_without_a_proxy_count_is_logged_once(make_app, caplog):
    client = make_app(PROXY_FIX_X_FOR=0).test_client()
    with caplog.at_level(logging.WARNING):
        client.get("/login")
        assert caplog.records == []
        for address in ("198.51.100.7", "198.51.100.8"):
            client.get("/login", headers={"X-Forwarded-For": address})
    [record] = [r for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "'198.51.100.7'" in record.getMessage()
    assert "PROXY_FIX_X_FOR is 0" in record.getMessage()


def test_a_declared_proxy_is_trusted_without_a_warning(make_app, caplog):
    client = make_app(PROXY_FIX_X_FOR=1).test_client()
    with caplog.at_level(logging.WARNING):
        client.get("/login", headers={"X-Forwarded-For": "198.51.100.7"})
    assert not [r for r in caplog.records if "X-Forwarded-For" in r.getMessage()]


def test_production_takes_the_secret_key_from_the_environment():
    # config.py reads the environment when it is imported: a fresh interpreter imports it.
    env = {"PATH": os.environ.get("PATH", ""), "APP_ENV": "production", "SECRET_KEY": "shared"}
    code = "import config; print(config.ProductionConfig.SECRET_KEY)"
    done = subprocess.run(  # noqa: S603  # this interpreter, a fixed snippet
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "shared"
