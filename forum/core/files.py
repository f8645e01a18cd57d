"""Files that follow the database transaction: written under a temporary name, moved into place
after the session commits, removed when it rolls back; deletions happen after commit too.

``stage(session, data)`` returns the final name to store in a row; the file only appears under
that name once the row is committed. ``remove_after_commit(session, name)`` deletes a file when
the transaction that deleted its row commits. ``sweep(...)`` cleans what a crash left behind.
"""

import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from forum.core.txn import CommitQueue

log = logging.getLogger(__name__)

TEMP_PREFIX = ".tmp-"
NAME_RE = re.compile(r"[0-9a-f]{32}")
TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"([0-9a-f]{32})")
STALE_SECONDS = 3600


@dataclass
class _Pending:
    folder: Path
    name: str
    removal: bool = False

    @property
    def final(self) -> Path:
        return self.folder / self.name

    @property
    def temp(self) -> Path:
        return self.folder / f"{TEMP_PREFIX}{self.name}"


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def temp_name(name: str) -> str:
    return f"{TEMP_PREFIX}{name}"


def stage(session: Session | scoped_session, data: bytes, folder: Path | None = None) -> str:
    """Write ``data`` under a temporary name; return the generated final name. The file is moved
    to that name when ``session`` commits and deleted if it rolls back."""
    folder = Path(folder or upload_dir())
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    entry = _Pending(folder, name)
    fd = os.open(entry.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # the bytes are on disk before the row that names them
    except BaseException:
        entry.temp.unlink(missing_ok=True)
        raise
    _QUEUE.add(session, entry)
    return name


def remove_after_commit(
    session: Session | scoped_session, name: str, folder: Path | None = None
) -> None:
    """Delete the file ``name`` once ``session`` commits (its row is gone); a rollback keeps it."""
    _QUEUE.add(session, _Pending(Path(folder or upload_dir()), name, removal=True))


def _discard(entries: list[_Pending]) -> None:
    for entry in entries:
        if not entry.removal:
            try:
                entry.temp.unlink(missing_ok=True)
            except OSError:
                log.exception("could not remove the temporary file %s", entry.temp)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a released savepoint (SQLAlchemy 2.0 fires after_commit for it too)
    # The rows are committed: a failure here must not turn the request into an error. A temp
    # file left behind is recovered (or removed) by `flask sweep-uploads`.
    for entry in _QUEUE.take(session):
        try:
            if entry.removal:
                entry.final.unlink(missing_ok=True)
            else:
                os.replace(entry.temp, entry.final)
        except OSError:
            log.exception("could not finish the file %s after commit", entry.final)


_QUEUE = CommitQueue("forum.core.files", on_drop=_discard)


@dataclass(frozen=True)
class Swept:
    name: str
    action: str  # "orphan", "stale temporary file", "recovered"


def sweep(
    folder: Path,
    live,
    *,
    stale_seconds: int = STALE_SECONDS,
    dry_run: bool = False,
    now: float | None = None,
) -> list[Swept]:
    """Remove files of ``folder`` no row names and temporary files older than ``stale_seconds``.

    ``live(names)`` returns which of the given final names have a row. It is asked after the
    folder is listed, so a file moved into place meanwhile (its row committed first) is kept.
    A stale temporary file whose row exists (a crash between commit and move) is moved into
    place instead of being removed. Files not named by this module are left alone.
    """
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    finals, temps = set(), {}
    for path in folder.iterdir():
        if not path.is_file():
            continue
        if NAME_RE.fullmatch(path.name):
            finals.add(path.name)
        elif m := TEMP_RE.fullmatch(path.name):
            temps[path] = m.group(1)
    stale = {p: n for p, n in temps.items() if now - _mtime(p, now) > stale_seconds}
    kept = set(live(sorted(finals | set(stale.values()))))
    done: list[Swept] = []
    for name in sorted(finals - kept):
        done.append(Swept(name, "orphan"))
        if not dry_run:
            (folder / name).unlink(missing_ok=True)
    for path, name in sorted(stale.items()):
        if name in kept and name not in finals:
            done.append(Swept(name, "recovered"))
            if not dry_run:
                os.replace(path, folder / name)
        else:
            done.append(Swept(path.name, "stale temporary file"))
            if not dry_run:
                path.unlink(missing_ok=True)
    return done


def _mtime(path: Path, default: float) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return default  # moved or removed meanwhile: not stale
