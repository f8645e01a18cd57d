"""Backup and restore: a consistent copy of the database and the evidence files, with a manifest
of checksums, taken while the app keeps writing; restored into an empty database.

A backup is a folder:

- ``database.sqlite3`` (SQLite's online backup API: one step, under one read lock) or
  ``database.pgdump`` (``pg_dump --format=custom`` of a snapshot exported by our own
  repeatable-read transaction);
- ``uploads/<name>`` for every attachment the *copied* database names, read while that same
  snapshot is held, so files and rows agree (a file committed but not yet moved into place is
  taken from its temporary name);
- ``manifest.json``, written last: the format, the database's dialect and migration, the row
  count of every table and the size and SHA-256 of every file. A folder without it is not a
  backup.

``restore`` checks everything before it changes anything: the manifest, every checksum, the
database kind, that the target database holds no rows, and that no evidence file of the same
name and other content is in the way. Then it loads the database, copies the files and reports.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # runs pg_dump and pg_restore only, see _run
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from forum.core import files
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db, migrate
from forum.feedback.models import Attachment

FORMAT = "voice-of-sales-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"
CHUNK = 1024 * 1024


class BackupError(DomainError):
    """The backup or the restore cannot go on; the message says why and nothing was changed
    (for a restore) or the folder is not a backup (for a backup: no manifest was written)."""


@dataclass
class Manifest:
    dialect: str
    revision: str | None
    rows: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)  # path -> {"size", "sha256"}
    missing_uploads: list[str] = field(default_factory=list)
    created_at: str = ""

    @property
    def uploads(self) -> list[str]:
        prefix = UPLOADS + "/"
        return sorted(p[len(prefix) :] for p in self.files if p.startswith(prefix))

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "database": {"dialect": self.dialect, "revision": self.revision, "rows": self.rows},
            "files": self.files,
            "missing_uploads": self.missing_uploads,
        }

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise BackupError(f"{path} is not a Voice of Sales backup manifest.")
            if data.get("version") != VERSION:
                raise BackupError(
                    f"{path}: backup format version {data.get('version')!r} "
                    f"is not supported (this version reads {VERSION})."
                )
            database = data["database"]
            return cls(
                dialect=str(database["dialect"]),
                revision=database["revision"],
                rows={str(k): int(v) for k, v in database["rows"].items()},
                files={str(k): dict(v) for k, v in data["files"].items()},
                missing_uploads=list(data.get("missing_uploads", [])),
                created_at=str(data.get("created_at", "")),
            )
        except FileNotFoundError:
            raise BackupError(
                f"{folder} holds no {MANIFEST}: it is not a complete backup."
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"{path} cannot be read: {exc}.") from exc


@dataclass
class Restored:
    manifest: Manifest
    uploads: int


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- backup ----------------------------------------------------------------------------------


def backup(target: Path) -> Manifest:
    """Write a backup of the app's database and evidence files into ``target`` (a new or empty
    folder) and return its manifest."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty folder.")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    (target / UPLOADS).mkdir(mode=0o700)
    dialect = db.engine.dialect.name
    copy = {"sqlite": _copy_sqlite, "postgresql": _copy_postgresql}.get(dialect)
    if copy is None:
        raise BackupError(f"Backups of a {dialect} database are not supported.")
    manifest = copy(target, lambda names: _copy_uploads(names, target / UPLOADS))
    manifest.created_at = utcnow().isoformat(timespec="seconds")
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        path.chmod(0o600)  # the copy is as confidential as the database
        manifest.files[path.relative_to(target).as_posix()] = {
            "size": path.stat().st_size,
            "sha256": sha256(path),
        }
    _write_atomically(target / MANIFEST, json.dumps(manifest.to_json(), indent=2) + "\n")
    return manifest


def _copy_sqlite(target: Path, copy_uploads: Callable[[Iterable[str]], list[str]]) -> Manifest:
    out = target / SQLITE_FILE
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(out) as copy:
            raw.driver_connection.backup(copy)  # all pages in one step: one consistent state
    finally:
        raw.close()
    engine = sa.create_engine(sa.URL.create("sqlite", database=str(out)), poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            verdict = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if verdict != "ok":
                raise BackupError(
                    f"The copied SQLite database fails its integrity check: {verdict}"
                )
            rows, revision, names = _describe(conn)
    finally:
        engine.dispose()
    missing = copy_uploads(names)
    return Manifest("sqlite", revision, rows, missing_uploads=missing)


def _copy_postgresql(target: Path, copy_uploads: Callable[[Iterable[str]], list[str]]) -> Manifest:
    # pg_dump reads the snapshot our transaction exports, and the file names are read in that
    # transaction too: the dump and the uploads are of one moment however the app writes.
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            _run(
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target / PG_FILE}",
                url=db.engine.url,
            )
            rows, revision, names = _describe(conn)
            missing = copy_uploads(names)
    return Manifest("postgresql", revision, rows, missing_uploads=missing)


def _app_tables(conn: sa.Connection) -> list[sa.Table]:
    """The app's tables present in ``conn``'s database, and alembic's."""
    present = set(sa.inspect(conn).get_table_names())
    tables = [t for t in db.metadata.sorted_tables if t.name in present]
    if "alembic_version" in present:
        tables.append(sa.table("alembic_version", sa.column("version_num")))
    return tables


def _describe(conn: sa.Connection) -> tuple[dict[str, int], str | None, list[str]]:
    """Rows per table, the migration revision and the evidence files named, as ``conn`` sees."""
    rows = {
        t.name: conn.scalar(sa.select(sa.func.count()).select_from(t))
        for t in sorted(_app_tables(conn), key=lambda t: t.name)
    }
    revision = None
    if "alembic_version" in rows:
        revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    names = []
    if "attachments" in rows:
        names = list(conn.scalars(sa.select(Attachment.stored_name)))
    return rows, revision, names


def _copy_uploads(names: Iterable[str], into: Path) -> list[str]:
    """Copy the named evidence files; return the names found neither in place nor (committed
    but not yet moved) under their temporary name."""
    folder = Path(current_app.config["UPLOAD_DIR"])
    missing = []
    for name in names:
        if not files.NAME_RE.fullmatch(name):
            missing.append(name)
            continue
        # The temporary name first: a file is moved from it to its final name at any moment,
        # so looking at the final name first could miss it in both places.
        for source in (folder / files.temp_name(name), folder / name):
            try:
                shutil.copyfile(source, into / name)
                break
            except FileNotFoundError:
                continue
        else:
            missing.append(name)
    return sorted(missing)


# --- restore ---------------------------------------------------------------------------------


def restore(source: Path) -> Restored:
    """Restore the backup in ``source`` into the app's database, which must hold no rows, and
    its evidence files into UPLOAD_DIR. Nothing is changed unless every check passes."""
    source = Path(source)
    manifest = Manifest.read(source)
    for rel, meta in manifest.files.items():
        path = source / rel
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise BackupError(f"The manifest names a file outside the backup: {rel}.")
        if not path.is_file():
            raise BackupError(f"{rel} is listed in the manifest but missing from the backup.")
        if path.stat().st_size != meta.get("size") or sha256(path) != meta.get("sha256"):
            raise BackupError(f"{rel} does not match its checksum: the backup is damaged.")
    dialect = db.engine.dialect.name
    if dialect != manifest.dialect:
        raise BackupError(
            f"The backup is of a {manifest.dialect} database; DATABASE_URL is {dialect}. "
            "Restore it into the same kind of database."
        )
    _ensure_empty()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    for name in manifest.uploads:
        existing = uploads / name
        if existing.exists() and sha256(existing) != manifest.files[f"{UPLOADS}/{name}"]["sha256"]:
            raise BackupError(f"UPLOAD_DIR already holds another file named {name}.")

    if dialect == "sqlite":
        _load_sqlite(source / SQLITE_FILE)
    else:
        _load_postgresql(source / PG_FILE)
    db.session.remove()
    db.engine.dispose()

    uploads.mkdir(parents=True, exist_ok=True)
    for name in manifest.uploads:
        temp = uploads / files.temp_name(name)
        shutil.copyfile(source / UPLOADS / name, temp)
        os.replace(temp, uploads / name)
    return Restored(manifest, len(manifest.uploads))


def _ensure_empty() -> None:
    with db.engine.connect() as conn:
        full = [
            t.name
            for t in _app_tables(conn)
            if t.name != "alembic_version" and conn.execute(sa.select(t).limit(1)).first()
        ]
    if full:
        held = ", ".join(sorted(full)[:5]) + (", ..." if len(full) > 5 else "")
        raise BackupError(
            f"The database is not empty ({held} hold rows). Restore into an empty database."
        )


def _load_sqlite(path: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(path) as copy:
            copy.backup(raw.driver_connection)  # replaces every page of the target database
    finally:
        raw.close()


def _load_postgresql(path: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    # The target holds no rows (checked above); --clean drops the empty tables a
    # `flask db upgrade` may have made, in the same single transaction as the restore.
    _run(
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(path),
        url=db.engine.url,
    )


def head_revision() -> str | None:
    """The migration this version of the app expects (alembic's head)."""
    config = migrate.get_config(current_app.extensions["migrate"].directory)
    return ScriptDirectory.from_config(config).get_current_head()


# --- PostgreSQL tools ------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """PG_BIN_DIR's tool, else the newest /usr/lib/postgresql/N/bin one, else the one on PATH."""
    configured = current_app.config.get("PG_BIN_DIR")
    candidates = [Path(configured) / name] if configured else []
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdecimal() else 0,
        reverse=True,
    )
    candidates += versions
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    if found := shutil.which(name):
        return found
    raise BackupError(f"{name} was not found: install PostgreSQL's client tools or set PG_BIN_DIR.")


def _run(tool: str, *args: str, url: sa.URL) -> None:
    """Run a PostgreSQL tool against ``url``; the password goes through the environment, never
    the command line (which other users of the machine can read)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string()
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run(  # noqa: S603  # nosec B603  # a fixed tool, arguments as a list
            [tool, *args, f"--dbname={conninfo}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            check=False,
        )
        if done.returncode != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()[-2000:]
            raise BackupError(f"{Path(tool).name} failed (exit {done.returncode}): {message}")


def _write_atomically(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)
