"""Evidence files: type-checked by content, images refused past a pixel count and re-encoded
without metadata, stored under generated names outside ``static/`` once the row is committed."""

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from PIL import Image, UnidentifiedImageError

from forum.core import files
from forum.core.errors import DomainError
from forum.extensions import db
from forum.feedback.models import Attachment

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    image_format: str | None = None


PNG = Kind("png", "image/png", "PNG")
JPEG = Kind("jpg", "image/jpeg", "JPEG")
GIF = Kind("gif", "image/gif", "GIF")
WEBP = Kind("webp", "image/webp", "WEBP")
PDF = Kind("pdf", "application/pdf")
EML = Kind("eml", "message/rfc822")
TXT = Kind("txt", "text/plain")

ALLOWED_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp", "pdf", "eml", "txt"}


def sniff(data: bytes, extension: str) -> Kind:
    """Decide the type from the bytes; the name's extension must agree."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif data.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        kind = GIF
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = WEBP
    elif data.startswith(b"%PDF-"):
        kind = PDF
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError("This type of file is not accepted.") from None
        if "\x00" in text:
            raise DomainError("This type of file is not accepted.")
        kind = EML if extension == "eml" else TXT
    expected = {"jpeg": "jpg"}.get(extension, extension)
    if expected != kind.extension:
        raise DomainError(f"The file's name says .{extension} but its content is not.")
    return kind


def safe_filename(name: str) -> str:
    """A display name without paths, control characters or odd punctuation."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    return name[:120] or "file"


def strip_metadata(data: bytes, kind: Kind) -> bytes:
    """Re-encode an image so EXIF (GPS, device, author) and other metadata are dropped.

    The size an image declares is checked before any pixel is decoded: a few kilobytes can
    declare gigabytes of pixels (a decompression bomb)."""
    limit = current_app.config["UPLOAD_MAX_PIXELS"]
    most = f"{limit / 1_000_000:g} megapixels" if limit >= 1_000_000 else f"{limit} pixels"
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width * height > limit:
                raise DomainError(f"Images may be at most {most}; this one is {width}×{height}.")
            img.load()
            if kind.image_format == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            # Only the pixels are copied: no EXIF, XMP, ICC profile or text chunks survive.
            clean = Image.frombytes(img.mode, img.size, img.tobytes())
            if img.mode == "P":
                clean.putpalette(img.getpalette())
            out = io.BytesIO()
            clean.save(out, format=kind.image_format)
            return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (raised by Image.open, before ours is consulted).
        raise DomainError(f"Images may be at most {most}.") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DomainError("This image could not be read.") from exc


def store(data: bytes, original_name: str) -> tuple[str, str, Kind, bytes]:
    """Validate the file and stage it in the session's transaction: it appears under the
    returned name when the caller commits and is removed on rollback. Returns (stored name,
    display name, kind, stored bytes)."""
    if not data:
        raise DomainError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(f"Files may be at most {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    display = safe_filename(original_name)
    extension = display.rsplit(".", 1)[-1].lower() if "." in display else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError("Accepted files: images (PNG, JPEG, GIF, WebP), PDF, e-mail, text.")
    kind = sniff(data, extension)
    if kind.image_format:
        data = strip_metadata(data, kind)
    stored = files.stage(db.session, data, upload_dir())
    return stored, display, kind, data


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def path_for(stored_name: str) -> Path:
    if not files.NAME_RE.fullmatch(stored_name):
        raise DomainError("Unknown file.")
    return upload_dir() / stored_name


def sweep(*, dry_run: bool = False) -> list[files.Swept]:
    """Remove evidence files no attachment names and stale temporary files (see files.sweep)."""

    def live(names: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(names), 500):
            chunk = names[i : i + 500]
            found.update(
                db.session.scalars(
                    sa.select(Attachment.stored_name).where(Attachment.stored_name.in_(chunk))
                )
            )
        return found

    return files.sweep(upload_dir(), live, dry_run=dry_run)
