"""`flask backup` and `flask restore`: a consistent copy of the database and the evidence files
with checksums, taken while the app writes, restored into an empty database whose history
verifies; a damaged backup or a database holding data is refused and nothing changes.

Runs on the test database of the session (SQLite or PostgreSQL, with pg_dump and pg_restore)."""

import hashlib
import json
import threading
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image

from forum.auth.models import User
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import Attachment, Post, PostKind
from forum.feedback.services import PostInput, create_post
from forum.fixes.models import Fix, FixEvent
from tests.fixes import builders

pytestmark = pytest.mark.committed  # pg_dump and other apps read what the test committed


def png(shade: int) -> bytes:
    out = BytesIO()
    Image.new("RGB", (6, 6), (shade % 256, 40, 90)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url = sa.make_url(database_url)
    name = f"{url.database}_restore"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def world(app):
    """An organisation, a verified fix (a real hash chain) and a report with evidence."""
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "verified")
        post = fix.posts[0]
        services.add_attachment(post, post.author, png(1), "proof.png")
        db.session.commit()
        return {"fix_id": fix.id, "post_id": post.id}


@pytest.fixture
def restored_app(make_app, empty_database_url, tmp_path):
    return make_app(
        SQLALCHEMY_DATABASE_URI=empty_database_url, UPLOAD_DIR=tmp_path / "restored-uploads"
    )


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table of the app, in primary-key order."""
    with app.app_context():
        with db.engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key))]
                for t in db.metadata.sorted_tables
            }


def test_a_backup_restores_into_an_empty_database_with_every_row_file_and_chain(
    app, world, restored_app, tmp_path, database_url
):
    folder = tmp_path / "backup"
    result = run(app, "backup", str(folder))
    assert result.exit_code == 0, result.output
    assert "1 evidence files" in result.output

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["dialect"] == sa.make_url(database_url).get_dialect().name
    assert manifest["database"]["rows"]["fix_events"] == 5  # created and four moves
    for rel, meta in manifest["files"].items():
        data = (folder / rel).read_bytes()
        assert meta == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        assert (folder / rel).stat().st_mode & 0o077 == 0  # readable by its owner only

    result = run(restored_app, "restore", str(folder))
    assert result.exit_code == 0, result.output
    assert "every fix's chain is intact" in result.output

    assert table_rows(restored_app) == table_rows(app)
    with restored_app.app_context():
        stored = db.session.scalars(sa.select(Attachment.stored_name)).one()
        restored_file = restored_app.config["UPLOAD_DIR"] / stored
        assert restored_file.read_bytes() == (app.config["UPLOAD_DIR"] / stored).read_bytes()
        assert len(db.session.get(Fix, world["fix_id"]).posts) == 1
    verify = run(restored_app, "history", "verify")
    assert verify.exit_code == 0 and "every chain intact" in verify.output

    # The restored database goes on working: new ids do not collide with restored ones.
    with restored_app.app_context():
        author = db.session.get(Post, world["post_id"]).author
        post = create_post(author, PostInput(kind=PostKind.FIELD_FEEDBACK, title="After", body="x"))
        db.session.commit()
        assert post.id > world["post_id"]


def test_a_restore_into_a_migrated_but_empty_database_works(app, world, restored_app, tmp_path):
    assert run(restored_app, "db", "upgrade").exit_code == 0
    folder = tmp_path / "backup"
    assert run(app, "backup", str(folder)).exit_code == 0
    result = run(restored_app, "restore", str(folder))
    assert result.exit_code == 0, result.output
    assert table_rows(restored_app) == table_rows(app)


def test_a_database_holding_data_is_not_overwritten(app, world, tmp_path):
    folder = tmp_path / "backup"
    assert run(app, "backup", str(folder)).exit_code == 0
    with app.app_context():
        db.session.get(Fix, world["fix_id"]).title = "Changed after the backup"
        db.session.commit()
    before = table_rows(app)

    result = run(app, "restore", str(folder))
    assert result.exit_code == 1
    assert "not empty" in result.output and "Nothing was changed" in result.output
    assert table_rows(app) == before


@pytest.mark.parametrize("damage", ["database", "upload", "manifest", "missing upload"])
def test_a_damaged_backup_is_refused_before_anything_changes(
    app, world, restored_app, tmp_path, damage
):
    folder = tmp_path / "backup"
    assert run(app, "backup", str(folder)).exit_code == 0
    database = next(p for p in folder.iterdir() if p.name.startswith("database."))
    upload = next((folder / "uploads").iterdir())
    if damage == "database":
        data = bytearray(database.read_bytes())
        data[len(data) // 2] ^= 0xFF
        database.write_bytes(bytes(data))
    elif damage == "upload":
        upload.write_bytes(upload.read_bytes() + b"!")
    elif damage == "manifest":
        (folder / "manifest.json").write_text("{not json")
    else:
        upload.unlink()

    result = run(restored_app, "restore", str(folder))
    assert result.exit_code == 1
    assert "Nothing was changed" in result.output
    expected = {
        "database": f"{database.name} does not match its checksum",
        "upload": f"uploads/{upload.name} does not match its checksum",
        "manifest": "manifest.json cannot be read",
        "missing upload": f"uploads/{upload.name} is listed in the manifest but missing",
    }[damage]
    assert expected in result.output
    with restored_app.app_context():
        with db.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
    assert not restored_app.config["UPLOAD_DIR"].exists()


def test_a_backup_of_another_kind_of_database_is_refused(app, world, restored_app, tmp_path):
    folder = tmp_path / "backup"
    assert run(app, "backup", str(folder)).exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    other = "postgresql" if manifest["database"]["dialect"] == "sqlite" else "sqlite"
    manifest["database"]["dialect"] = other
    (folder / "manifest.json").write_text(json.dumps(manifest))

    result = run(restored_app, "restore", str(folder))
    assert result.exit_code == 1
    assert f"The backup is of a {other} database" in result.output


def test_a_folder_without_a_manifest_is_not_a_backup(app, restored_app, tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "database.sqlite3").write_bytes(b"partial")
    result = run(restored_app, "restore", str(tmp_path / "half"))
    assert result.exit_code == 1 and "not a complete backup" in result.output


def test_a_backup_never_writes_into_a_folder_that_holds_files(app, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "notes.txt").write_text("keep me")
    result = run(app, "backup", str(tmp_path / "backup"))
    assert result.exit_code == 1 and "is not an empty folder" in result.output
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == ["notes.txt"]


def test_a_backup_taken_while_reports_are_filed_is_consistent(app, world, restored_app, tmp_path):
    """A writer files reports with evidence (each report and its file in one transaction)
    while the backup runs: the copy holds whole reports only, each with its file."""
    filed = threading.Semaphore(0)
    stop = threading.Event()
    errors = []

    def writer():
        try:
            with app.app_context():
                author_id = db.session.get(Post, world["post_id"]).author_id
                for n in range(400):
                    if stop.is_set():
                        break
                    author = db.session.get(User, author_id)
                    post = create_post(
                        author,
                        PostInput(kind=PostKind.FIELD_FEEDBACK, title=f"Report {n}", body="b"),
                    )
                    services.add_attachment(post, author, png(n), f"evidence-{n}.png")
                    db.session.commit()
                    filed.release()
        except Exception as exc:  # noqa: BLE001 - any failure of the writer fails the test
            errors.append(exc)
            filed.release()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(5):
            assert filed.acquire(timeout=60), "the writer filed nothing"
        folder = tmp_path / "backup"
        result = run(app, "backup", str(folder))
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output

    assert run(restored_app, "restore", str(folder)).exit_code == 0
    with restored_app.app_context():
        posts = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
        attachments = db.session.scalars(sa.select(Attachment)).all()
        assert posts == len(attachments) >= 6  # the world's report and at least five more
        for a in attachments:
            path = restored_app.config["UPLOAD_DIR"] / a.stored_name
            assert path.stat().st_size == a.size
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FixEvent)) == 5
