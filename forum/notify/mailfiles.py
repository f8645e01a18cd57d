"""The development mail folder (``MAIL_TRANSPORT=file``): listing and reading its .eml files."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

# Names this app writes; anything else (or a path) is never opened.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.eml$")
OUTBOX_ID = re.compile(r"-outbox-(\d{1,12})\.eml$")


@dataclass
class MailFile:
    name: str
    size: int
    modified: datetime
    sender: str
    to: str
    subject: str
    outbox_id: int | None


def _summary(path: Path, msg: EmailMessage) -> MailFile:
    stat = path.stat()
    match = OUTBOX_ID.search(path.name)
    return MailFile(
        name=path.name,
        size=stat.st_size,
        modified=datetime.fromtimestamp(stat.st_mtime, UTC),
        sender=str(msg.get("From", "")),
        to=str(msg.get("To", "")),
        subject=str(msg.get("Subject", "")),
        outbox_id=int(match.group(1)) if match else None,
    )


def _parse(path: Path, headers_only: bool = False) -> EmailMessage:
    with path.open("rb") as fh:
        return BytesParser(policy=policy.default).parse(fh, headersonly=headers_only)


def list_files(folder: Path, limit: int = 200) -> list[MailFile]:
    """The newest ``limit`` messages in ``folder``, newest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    paths = [p for p in folder.iterdir() if SAFE_NAME.match(p.name) and p.is_file()]
    paths.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    return [_summary(p, _parse(p, headers_only=True)) for p in paths[:limit]]


def read_file(folder: Path, name: str) -> tuple[MailFile, str, str] | None:
    """One message: its summary, its plain-text part and its HTML part (as source text)."""
    if not SAFE_NAME.match(name or ""):
        return None
    path = Path(folder) / name
    if not path.is_file():
        return None
    msg = _parse(path)
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    return (
        _summary(path, msg),
        text_part.get_content() if text_part is not None else "",
        html_part.get_content() if html_part is not None else "",
    )
