"""A full disk (or quota, or database) answers 507 "Insufficient storage" and keeps nothing of the
request; any other failure to write stays a 500. tests/faults/test_full_disk.py fills a real
disk."""

import errno
import sqlite3
from io import BytesIO

import psycopg.errors
import pytest
import sqlalchemy as sa

from forum.core import files
from forum.core.errors import storage_full
from forum.extensions import db
from forum.feedback.models import Attachment, Post


def sqlite_full_error() -> sa.exc.OperationalError:
    """The error SQLite really raises when it cannot grow the database (a page limit of 1)."""
    engine = sa.create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA max_page_count = 1")
            conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
            conn.exec_driver_sql("CREATE TABLE u (x TEXT)")
    except sa.exc.OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("SQLite grew past its page limit")


def wrapped(error: Exception) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("INSERT ...", {}, error)


FULL = {
    "disk": OSError(errno.ENOSPC, "No space left on device"),
    "quota": OSError(errno.EDQUOT, "Disk quota exceeded"),
    "sqlite": None,  # made by sqlite_full_error() when needed
    "postgresql": wrapped(psycopg.errors.DiskFull("could not extend file: No space left")),
}


def failure(kind: str) -> Exception:
    return sqlite_full_error() if kind == "sqlite" else FULL[kind]


@pytest.fixture
def app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/full/<kind>")
    def full(kind: str):
        raise failure(kind)

    @app.get("/test-only/io-error")
    def io_error():
        raise OSError(errno.EIO, "Input/output error")

    return app


@pytest.mark.parametrize("kind", sorted(FULL))
def test_each_kind_of_full_storage_is_recognised(kind):
    assert storage_full(failure(kind))


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EIO, "Input/output error"),
        FileNotFoundError(errno.ENOENT, "gone"),
        wrapped(sqlite3.OperationalError("database is locked")),
        wrapped(psycopg.errors.AdminShutdown("terminating connection")),
    ],
    ids=["eio", "enoent", "sqlite-locked", "pg-shutdown"],
)
def test_other_failures_are_not_taken_for_a_full_disk(error):
    assert not storage_full(error)


@pytest.mark.parametrize("kind", sorted(FULL))
def test_full_storage_is_a_507_page_without_a_stack_trace(client, kind):
    response = client.get(f"/test-only/full/{kind}")
    body = response.get_data(as_text=True)
    assert response.status_code == 507
    assert "<h1>Insufficient storage</h1>" in body
    assert "nothing was saved" in body
    assert "Traceback" not in body
    assert "No space" not in body and "disk is full" not in body


def test_full_storage_is_json_for_a_json_client(client):
    response = client.get("/test-only/full/disk", headers={"Accept": "application/json"})
    assert response.status_code == 507
    assert response.get_json()["status"] == 507


def test_full_storage_is_logged_for_the_operators_without_the_statement(client, caplog):
    client.get("/test-only/full/sqlite")
    [message] = [r.getMessage() for r in caplog.records if "storage full" in r.getMessage()]
    assert "database or disk is full" in message
    assert "CREATE TABLE" not in message  # the statement (and its values) stay out of the log


def test_another_failure_to_write_is_still_a_500(client, caplog):
    response = client.get("/test-only/io-error")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.get_data(as_text=True)
    assert any(r.exc_info and r.exc_info[0] is OSError for r in caplog.records)


def test_a_report_whose_evidence_finds_the_disk_full_is_507_and_keeps_nothing(
    app, client, login, monkeypatch
):
    login("rep")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", no_space)
    response = client.post(
        "/posts/new/field-feedback",
        data={
            "title": "Deliveries arrive a week late",
            "body": "Three customers told me.",
            "evidence": [(BytesIO(b"the carrier's e-mail"), "carrier.txt")],
        },
    )
    assert response.status_code == 507
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    folder = app.config["UPLOAD_DIR"]
    assert not folder.exists() or list(folder.iterdir()) == []
