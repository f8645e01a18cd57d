"""Evidence files follow the transaction: a request that rolls back leaves no file, a committed
one leaves the file under its final name, `flask sweep-uploads` cleans up, bombs are refused."""

import os
import struct
import zlib
from functools import cache
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image

from forum.core.errors import DomainError
from forum.feedback import services
from forum.feedback.models import Attachment
from tests.feedback.conftest import text


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def bomb(width: int, height: int) -> bytes:
    """A valid one-colour PNG of ``width``×``height`` (1-bit grey): kilobytes that decode to
    ``width * height`` pixels."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the bits
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


@pytest.fixture
def own_post(client, login, make_post):
    return make_post(author=login("rep"))


@pytest.fixture
def folder(app):
    return app.config["UPLOAD_DIR"]


def files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def attachments(session) -> list[tuple[int, str]]:
    """(id, stored name) of every attachment."""
    with session() as s:
        query = sa.select(Attachment.id, Attachment.stored_name).order_by(Attachment.id)
        return [tuple(row) for row in s.execute(query)]


def test_a_refused_second_file_leaves_no_file_of_the_first(client, own_post, folder, session):
    evidence = [(BytesIO(png()), "good.png"), (BytesIO(b"<html>"), "bad.png")]
    response = client.post(f"/posts/{own_post}/attachments", data={"evidence": evidence})
    assert response.status_code == 302
    assert "its content is not" in text(client.get(f"/posts/{own_post}"))
    assert attachments(session) == []
    assert files_in(folder) == []


def test_a_report_refused_after_its_file_was_staged_leaves_no_file(
    client, login, post_form, folder, session
):
    login("rep")
    form = post_form(evidence=[(BytesIO(png()), "good.png"), (BytesIO(b"<html>"), "bad.png")])
    assert client.post("/posts/new/field-feedback", data=form).status_code == 200
    assert attachments(session) == []
    assert files_in(folder) == []


def test_a_service_failing_after_the_file_was_staged_leaves_no_file(
    client, login, post_form, folder, session, monkeypatch
):
    def fail(post):
        assert files_in(folder)  # the evidence is staged by now
        raise DomainError("The totals could not be computed.")

    monkeypatch.setattr(services, "recompute_totals", fail)
    login("rep")
    form = post_form(evidence=(BytesIO(png()), "screen.png"))
    response = client.post("/posts/new/field-feedback", data=form)
    assert "The totals could not be computed." in text(response)
    assert attachments(session) == []
    assert files_in(folder) == []


def test_a_committed_upload_is_under_its_final_name_with_no_temporary_file(
    client, own_post, folder, session
):
    upload = {"evidence": (BytesIO(png()), "screen.png")}
    assert client.post(f"/posts/{own_post}/attachments", data=upload).status_code == 302
    ((_, stored_name),) = attachments(session)
    assert files_in(folder) == [stored_name]


@pytest.mark.committed
def test_an_upload_committed_for_real_is_under_its_final_name(client, own_post, folder, session):
    upload = {"evidence": (BytesIO(png()), "screen.png")}
    assert client.post(f"/posts/{own_post}/attachments", data=upload).status_code == 302
    ((attachment_id, stored_name),) = attachments(session)
    assert files_in(folder) == [stored_name]
    response = client.get(f"/posts/{own_post}/attachments/{attachment_id}")
    assert response.status_code == 200


def _age(path, seconds: float) -> None:
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


@pytest.fixture
def littered(app, client, own_post, folder, session):
    """A live upload, an orphan, a stale and a fresh temporary file; returns their names."""
    upload = {"evidence": (BytesIO(b"evidence\n"), "notes.txt")}
    assert client.post(f"/posts/{own_post}/attachments", data=upload).status_code == 302
    ((_, live),) = attachments(session)
    orphan, stale, fresh = "0" * 32, ".tmp-" + "1" * 32, ".tmp-" + "2" * 32
    for name in (orphan, stale, fresh):
        (folder / name).write_bytes(b"left behind")
    _age(folder / stale, 2 * 3600)
    return dict(live=live, orphan=orphan, stale=stale, fresh=fresh)


def test_the_sweep_removes_an_orphan_and_a_stale_temp_and_keeps_live_files(app, folder, littered):
    result = app.test_cli_runner().invoke(args=["sweep-uploads"])
    assert result.exit_code == 0, result.output
    assert f"Removed orphan {littered['orphan']}." in result.output
    assert f"Removed stale temporary file {littered['stale']}." in result.output
    assert "2 files removed." in result.output
    assert files_in(folder) == sorted([littered["live"], littered["fresh"]])


def test_a_dry_run_sweep_says_what_it_would_remove_and_removes_nothing(app, folder, littered):
    before = files_in(folder)
    result = app.test_cli_runner().invoke(args=["sweep-uploads", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"Would remove orphan {littered['orphan']}." in result.output
    assert "2 files would be removed." in result.output
    assert files_in(folder) == before


@pytest.mark.parametrize(
    "width, height",
    [
        (20_000, 20_000),  # past Pillow's own limit: refused when the file is opened
        (8_000, 6_000),  # 48 megapixels: under Pillow's limit, past ours
    ],
)
def test_a_decompression_bomb_is_refused_before_anything_is_stored(
    client, own_post, folder, session, width, height
):
    data = bomb(width, height)
    assert len(data) < 100_000
    upload = {"evidence": (BytesIO(data), "bomb.png")}
    assert client.post(f"/posts/{own_post}/attachments", data=upload).status_code == 302
    assert "Images may be at most 40 megapixels" in text(client.get(f"/posts/{own_post}"))
    assert attachments(session) == []
    assert files_in(folder) == []


def test_the_pixel_limit_is_a_setting(app, client, own_post, folder, session):
    app.config["UPLOAD_MAX_PIXELS"] = 60
    upload = {"evidence": (BytesIO(png()), "screen.png")}
    client.post(f"/posts/{own_post}/attachments", data=upload)
    page = text(client.get(f"/posts/{own_post}"))
    assert "Images may be at most 60 pixels; this one is 8×8." in page
    assert files_in(folder) == []
