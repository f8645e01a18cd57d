"""Files that follow the transaction: staged under a temporary name, in place after commit, gone
after a rollback; the sweep removes what a crash left behind."""

import os

import pytest

from forum.core import files
from forum.extensions import db


@pytest.fixture
def folder(app):
    return app.config["UPLOAD_DIR"]


def names(folder) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_staged_file_waits_under_a_temporary_name_until_commit(app, folder):
    with app.app_context():
        name = files.stage(db.session, b"evidence")
        assert names(folder) == {files.temp_name(name)}
        db.session.commit()
    assert names(folder) == {name}
    assert (folder / name).read_bytes() == b"evidence"


def test_a_rollback_removes_the_staged_file(app, folder):
    with app.app_context():
        files.stage(db.session, b"evidence")
        db.session.rollback()
    assert names(folder) == set()


def test_a_session_closed_without_commit_removes_the_staged_file(app, folder):
    with app.app_context():
        files.stage(db.session, b"evidence")
    assert names(folder) == set()


def test_a_rolled_back_savepoint_removes_only_its_own_files(app, folder):
    with app.app_context():
        kept = files.stage(db.session, b"outer")
        savepoint = db.session.begin_nested()
        files.stage(db.session, b"inner")
        savepoint.rollback()
        db.session.commit()
    assert names(folder) == {kept}


def test_a_file_staged_in_a_released_savepoint_follows_the_outer_transaction(app, folder):
    with app.app_context():
        with db.session.begin_nested():
            name = files.stage(db.session, b"inner")
        assert names(folder) == {files.temp_name(name)}  # released, but not yet committed
        db.session.rollback()
    assert names(folder) == set()


def test_a_removal_happens_after_commit_and_not_after_rollback(app, folder):
    with app.app_context():
        name = files.stage(db.session, b"evidence")
        db.session.commit()
        files.remove_after_commit(db.session, name)
        assert names(folder) == {name}
        db.session.rollback()
        assert names(folder) == {name}
        files.remove_after_commit(db.session, name)
        db.session.commit()
    assert names(folder) == set()


def write(folder, name: str, age_seconds: float = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"x")
    if age_seconds:
        then = path.stat().st_mtime - age_seconds
        os.utime(path, (then, then))


LIVE, ORPHAN, STALE, FRESH, LATE = ("a" * 32, "b" * 32, "c" * 32, "d" * 32, "e" * 32)


@pytest.fixture
def littered(tmp_path):
    """A live file, an orphan, a stale and a fresh temp file, a stale temp whose row exists
    (a crash between commit and move), and a file the sweep does not own."""
    folder = tmp_path / "littered"
    write(folder, LIVE)
    write(folder, ORPHAN)
    write(folder, files.temp_name(STALE), age_seconds=2 * 3600)
    write(folder, files.temp_name(FRESH))
    write(folder, files.temp_name(LATE), age_seconds=2 * 3600)
    write(folder, "README")
    return folder


def live(names):
    return {n for n in names if n in (LIVE, LATE)}


def test_the_sweep_removes_orphans_and_stale_temporary_files(littered):
    done = files.sweep(littered, live)
    assert {(s.action, s.name) for s in done} == {
        ("orphan", ORPHAN),
        ("stale temporary file", files.temp_name(STALE)),
        ("recovered", LATE),
    }
    assert names(littered) == {LIVE, LATE, files.temp_name(FRESH), "README"}


def test_a_dry_run_sweep_changes_nothing(littered):
    before = names(littered)
    assert len(files.sweep(littered, live, dry_run=True)) == 3
    assert names(littered) == before


def test_the_sweep_of_a_missing_folder_does_nothing(tmp_path):
    assert files.sweep(tmp_path / "none", live) == []
