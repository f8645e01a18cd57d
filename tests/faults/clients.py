"""A person's browser for the fault tests, over http.client: it keeps its cookies, reads the
hidden fields (CSRF token, version, submission key) of the last page, and posts forms as a
browser does (urlencoded, or multipart with files). Every request has a hard timeout."""

import html
import http.client
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie

from tests.factories import PASSWORD

TIMEOUT_SECONDS = 20  # no request of these tests may take longer (on a loaded machine): a hang


class _HiddenFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")


@dataclass
class Page:
    """One answer: status, headers (lower-case names), text, and how long it took."""

    status: int
    headers: dict[str, str]
    text: str
    seconds: float
    hidden: dict[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path

    def alert(self) -> str:
        """The message in a page's error box (the fix page's, or a form's)."""
        start = self.text.find('role="alert"><p>')
        if start < 0:
            return ""
        start += len('role="alert"><p>')
        return html.unescape(self.text[start : self.text.find("</p>", start)])


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.hidden: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = "") -> Page:
        """One request on a new connection; raises OSError (refused, reset, timed out, an answer
        broken off) when the server dies under it."""
        url = urllib.parse.urlsplit(self.base_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT_SECONDS)
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        started = time.monotonic()
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except http.client.HTTPException as exc:
            # A worker killed mid-answer: the response broke off (IncompleteRead) or never
            # began properly. For the person it is the same as a reset connection.
            raise ConnectionError(f"the answer broke off: {exc!r}") from exc
        finally:
            conn.close()
        seconds = time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        page = Page(
            response.status, {k.lower(): v for k, v in response.getheaders()}, text, seconds
        )
        if "text/html" in page.headers.get("content-type", ""):
            parser = _HiddenFields()
            parser.feed(text)
            page.hidden = parser.fields
            if parser.fields:
                self.hidden = parser.fields
        return page

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, fields: dict, files: dict | None = None) -> Page:
        """Post ``fields`` (the last page's CSRF token added) and ``files`` ({field: (name,
        bytes)}): multipart when there are files, urlencoded otherwise."""
        fields = {"csrf_token": self.hidden.get("csrf_token", ""), **fields}
        if not files:
            body = urllib.parse.urlencode(fields).encode()
            return self.request("POST", path, body, "application/x-www-form-urlencoded")
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, data) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Through the /login form, as a person does."""
        self.get("/login")
        page = self.post("/login", {"email": email, "password": password})
        assert page.status == 302, f"sign-in of {email} answered {page.status}"

    def file_report(self, title: str, evidence: bytes | None = None) -> Page:
        """Open the field-feedback form (a fresh CSRF token and submission key) and send it."""
        form = self.get("/posts/new/field-feedback")
        if form.status != 200:
            return form
        fields = {
            "title": title,
            "body": f"What customers say about {title}.",
            "submission_key": form.hidden["submission_key"],
        }
        files = {"evidence": ("evidence.txt", evidence)} if evidence is not None else None
        return self.post("/posts/new/field-feedback", fields, files)
