"""Evidence files: type-checked by content, stripped of metadata, stored under generated names,
size-limited and served as downloads."""

import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from forum.core.errors import DomainError
from forum.feedback import services
from forum.feedback.models import Attachment, Post
from tests.feedback.conftest import text

SECRET = "GPS 52.5200N 13.4050E by Zelda"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(metadata: bool = False) -> bytes:
    out = BytesIO()
    info = PngInfo()
    if metadata:
        info.add_text("Author", SECRET)
        info.add_text("Comment", SECRET)
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg(exif: bool = False) -> bytes:
    out = BytesIO()
    image = Image.new("RGB", (8, 8), (30, 30, 200))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x013B] = SECRET  # Artist
        data[0x010F] = "Phone maker"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


@pytest.fixture
def own_post(client, login, make_post):
    who = login("rep")
    return make_post(author=who)


def upload(client, post_id: int, data: bytes, name: str):
    return client.post(f"/posts/{post_id}/attachments", data={"evidence": (BytesIO(data), name)})


def stored(session) -> list[Attachment]:
    return session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()


@pytest.mark.parametrize(
    "data, name, content_type",
    [
        (png(), "screen.png", "image/png"),
        (jpeg(), "photo.jpg", "image/jpeg"),
        (jpeg(), "photo.jpeg", "image/jpeg"),
        (PDF, "contract.pdf", "application/pdf"),
        (b"Customer e-mail, pasted.\n", "mail.txt", "text/plain"),
    ],
)
def test_accepted_file_types_are_stored_and_served(
    client, own_post, session, data, name, content_type
):
    assert upload(client, own_post, data, name).status_code == 302
    with session() as s:
        (attachment,) = stored(s)
        assert attachment.content_type == content_type
        attachment_id = attachment.id
    response = client.get(f"/posts/{own_post}/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.mimetype == content_type


def test_a_png_comes_back_without_its_text_metadata(client, own_post, session):
    upload(client, own_post, png(metadata=True), "screen.png")
    with session() as s:
        attachment_id = stored(s)[0].id
    body = client.get(f"/posts/{own_post}/attachments/{attachment_id}").data
    assert SECRET.encode() not in body
    with Image.open(BytesIO(body)) as image:
        assert image.size == (8, 8)
        assert not getattr(image, "text", {})


def test_a_jpeg_comes_back_without_its_exif(client, own_post, session):
    upload(client, own_post, jpeg(exif=True), "photo.jpg")
    with session() as s:
        attachment_id = stored(s)[0].id
    body = client.get(f"/posts/{own_post}/attachments/{attachment_id}").data
    assert SECRET.encode() not in body
    with Image.open(BytesIO(body)) as image:
        assert dict(image.getexif()) == {}


@pytest.mark.parametrize(
    "data, name",
    [
        (b"<html><script>alert(1)</script></html>", "screen.png"),
        (png(), "report.pdf"),
        (PDF, "photo.jpg"),
        (jpeg(), "screen.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "logo.svg"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "tool.exe"),
        (b"plain text", "page.html"),
        (b"text with a \x00 byte", "notes.txt"),
        (b"\xff\xfe broken utf-16", "notes.txt"),
        (b"", "empty.txt"),
    ],
)
def test_disguised_or_unwanted_files_are_refused_and_nothing_is_stored(
    client, own_post, session, app, data, name
):
    response = upload(client, own_post, data, name)
    assert response.status_code == 302
    assert 'class="flash flash-error"' in text(client.get(f"/posts/{own_post}"))
    with session() as s:
        assert stored(s) == []
    folder = app.config["UPLOAD_DIR"]
    assert not folder.exists() or not any(folder.iterdir())


def test_a_refused_file_says_why(client, own_post):
    upload(client, own_post, b"<html></html>", "screen.png")
    page = text(client.get(f"/posts/{own_post}"))
    assert "The file&#39;s name says .png but its content is not." in page


@pytest.mark.parametrize(
    "name, shown",
    [("../../etc/passwd.txt", "passwd.txt"), ("/etc/cron.d/evil.txt", "evil.txt")],
)
def test_path_traversal_names_are_stored_under_a_generated_name(
    client, own_post, session, app, tmp_path, name, shown
):
    assert upload(client, own_post, b"evidence\n", name).status_code == 302
    with session() as s:
        (attachment,) = stored(s)
        assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
        assert attachment.original_name == shown
        stored_name = attachment.stored_name
    folder = app.config["UPLOAD_DIR"]
    assert [p.name for p in folder.iterdir()] == [stored_name]
    assert not (tmp_path.parent / "etc").exists()


# The test client's multipart encoder mangles backslashes and quotes, so these names go
# straight to the service, as a browser on Windows or a crafted request would send them.
@pytest.mark.parametrize(
    "name, shown",
    [
        ("..\\..\\x.png", "x.png"),
        ("C:\\Users\\Zelda\\notes.txt", "notes.txt"),
        ('"><img src=x onerror=alert(1)>.txt', "_img src_x onerror_alert_1_.txt"),
        ("..", None),
        ("\u202etxt.exe", None),
    ],
)
def test_the_service_stores_any_name_under_a_generated_one(app, make_post, session, name, shown):
    post_id = make_post()
    with session() as s:
        post = s.get(Post, post_id)
        data = png() if name.endswith(".png") else b"evidence\n"
        if shown is None:
            with pytest.raises(DomainError):
                services.add_attachment(post, post.author, data, name)
            return
        attachment = services.add_attachment(post, post.author, data, name)
        assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
        assert attachment.original_name == shown
        s.commit()  # the file takes its name when the row is committed
        assert (app.config["UPLOAD_DIR"] / attachment.stored_name).is_file()


def test_the_author_sees_the_sanitised_name_on_the_page(client, own_post, session):
    upload(client, own_post, b"evidence\n", "../../etc/passwd.txt")
    page = text(client.get(f"/posts/{own_post}"))
    assert ">passwd.txt</a>" in page
    assert "../" not in page


def test_a_file_over_5_mb_is_refused(client, own_post, session):
    response = upload(client, own_post, b"a" * (5 * 1024 * 1024 + 1), "big.txt")
    assert response.status_code == 302
    assert "Files may be at most 5 MB." in text(client.get(f"/posts/{own_post}"))
    with session() as s:
        assert stored(s) == []


def test_a_body_over_the_upload_limit_is_413(client, own_post, app, session):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = upload(client, own_post, b"a" * size, "huge.txt")
    assert response.status_code == 413
    with session() as s:
        assert stored(s) == []


def test_a_download_is_an_attachment_with_nosniff(client, own_post, session):
    upload(client, own_post, b"<script>alert(1)</script>", "notes.txt")
    with session() as s:
        attachment_id = stored(s)[0].id
    response = client.get(f"/posts/{own_post}/attachments/{attachment_id}")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/plain"


def test_a_download_needs_a_signed_in_user(app, client, own_post, session):
    upload(client, own_post, b"evidence\n", "notes.txt")
    with session() as s:
        attachment_id = stored(s)[0].id
    anonymous = app.test_client()
    response = anonymous.get(f"/posts/{own_post}/attachments/{attachment_id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_download_whose_file_is_gone_is_404(client, own_post, session, app):
    upload(client, own_post, b"evidence\n", "notes.txt")
    with session() as s:
        attachment_id, stored_name = stored(s)[0].id, stored(s)[0].stored_name
    (app.config["UPLOAD_DIR"] / stored_name).unlink()
    assert client.get(f"/posts/{own_post}/attachments/{attachment_id}").status_code == 404


def test_evidence_can_be_attached_while_filing_a_report(client, login, post_form, session):
    login("rep")
    form = post_form(evidence=(BytesIO(png()), "screen.png"))
    assert client.post("/posts/new/field-feedback", data=form).status_code == 302
    with session() as s:
        assert len(stored(s)) == 1


def test_a_refused_evidence_file_while_filing_stores_no_report(client, login, post_form, session):
    login("rep")
    form = post_form(evidence=(BytesIO(b"<html>"), "screen.png"))
    response = client.post("/posts/new/field-feedback", data=form)
    assert response.status_code == 200
    with session() as s:
        assert s.scalar(sa.select(sa.func.count(Post.id))) == 0


def test_a_double_submit_with_evidence_attaches_the_file_once(client, login, post_form, session):
    login("rep")
    for _ in range(2):
        form = post_form(submission_key="c" * 32, evidence=(BytesIO(png()), "screen.png"))
        assert client.post("/posts/new/field-feedback", data=form).status_code == 302
    with session() as s:
        assert len(stored(s)) == 1
