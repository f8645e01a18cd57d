"""A full disk: UPLOAD_DIR (and, on SQLite, the database file) on an 8 MB tmpfs that is then
filled. Filing a report answers a clear 507 page, nothing is stored half-way, and once space is
freed the same server files reports again."""

import errno
import os
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade

from forum.extensions import db
from tests import factories
from tests.faults.clients import Browser
from tests.faults.servers import app_env, unavailable
from tests.faults.stored import stored

pytestmark = [pytest.mark.committed, pytest.mark.slow]

SIZE = "8m"  # room for the migrated SQLite file and the migrations' own copies of tables
EVIDENCE = b"The carrier's e-mail, forwarded.\n" * 300  # 10 kB


@pytest.fixture
def small_disk(servers, tmp_path):
    """A tmpfs of SIZE mounted for this test, unmounted when it ends (after its servers stop)."""
    if os.geteuid() != 0:
        unavailable("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if mounted.returncode != 0:
        unavailable(f"could not mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        servers.stop_all()
        if subprocess.run(["umount", str(disk)], timeout=30).returncode != 0:
            # Something still holds a file there: detach now, freed when it lets go.
            subprocess.run(["umount", "--lazy", str(disk)], check=True, timeout=30)


def fill(disk: Path) -> Path:
    """Write a file until the disk refuses another byte; returns it."""
    filler = disk / "filler"
    size = 65536
    with open(filler, "wb", buffering=0) as fh:
        while True:
            try:
                fh.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                if size == 1:
                    return filler
                size //= 2  # down to the last byte


@pytest.fixture
def database(small_disk, database_url, make_app, app):
    """``(url, app)``: on SQLite a new database on the small disk, else the test database."""
    if not database_url.startswith("sqlite"):
        yield database_url, app
        return
    url = f"sqlite:///{small_disk / 'voice.db'}"
    disk_app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with disk_app.app_context():
        upgrade()
    yield url, disk_app
    with disk_app.app_context():
        db.engine.dispose()  # no connection of this process keeps the disk busy


def test_a_full_disk_answers_507_keeps_nothing_half_stored_and_recovers(
    servers, small_disk, database, tmp_path
):
    url, app = database
    uploads = small_disk / "uploads"
    with app.app_context():
        email = factories.user("rep").email
        db.session.commit()
    server = servers.gunicorn(app_env(url, tmp_path, UPLOAD_DIR=uploads), workers=1)
    browser = Browser(server.url)
    browser.sign_in(email)
    assert browser.file_report("Filed while there is room", EVIDENCE).status == 302
    before = stored(app, uploads)

    filler = fill(small_disk)
    refused = [browser.file_report("Filed on a full disk", EVIDENCE)]
    if url.startswith("sqlite"):  # the database itself cannot grow either
        refused.append(browser.file_report("Filed on a full disk, without evidence"))
    for page in refused:
        assert page.status == 507, page.text[:500]
        assert "<h1>Insufficient storage</h1>" in page.text
        assert "nothing was saved" in page.text
        assert "Traceback" not in page.text
    after = stored(app, uploads)
    assert after == before  # no row, no file, no temporary file
    assert after.half_stored() == [] and after.orphans() == set()

    filler.unlink()
    page = browser.file_report("Filed once there is room again", EVIDENCE)
    assert page.status == 302, page.text[:500]
    again = stored(app, uploads)
    assert set(again.posts) == set(before.posts) | {"Filed once there is room again"}
    assert again.half_stored() == [] and again.orphans() == set() and again.temps == set()
