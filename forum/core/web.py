"""Request hygiene shared by every page: security headers, caching, NUL-byte rejection, form
bodies only for the HTML routes, a warning when a proxy nobody declared forwards requests."""

import sqlite3

import sqlalchemy as sa
from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from forum.core.errors import rollback_quietly

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` limited to what an integer column holds."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Durability and integrity for the embedded database (see SECURITY.md "Durability").
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    settings = current_app.config if current_app else {}
    timeout = settings.get("SQLITE_BUSY_TIMEOUT_MS", 5000)
    # FULL everywhere but under the testing configuration, whose databases are thrown away.
    synchronous = "OFF" if settings.get("SQLITE_SYNCHRONOUS") == "OFF" else "FULL"
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
    cursor.close()


def install_sqlite_pragmas() -> None:
    """Every new SQLite connection gets WAL, synchronous=FULL, foreign keys and a busy timeout."""
    if not sa.event.contains(sa.engine.Engine, "connect", _sqlite_pragmas):
        sa.event.listen(sa.engine.Engine, "connect", _sqlite_pragmas)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _has_body() -> bool:
    return bool(
        request.mimetype or request.content_length or request.headers.get("Transfer-Encoding")
    )


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values)


# Requests a page's script makes in the background (while the person types; the browser's zone).
BACKGROUND_ENDPOINTS = {"feedback.similar", "accounts.lookup", "auth.browser_time_zone"}


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except that a background request sends the cookie back only
    when it changed it. Flask otherwise re-sends a permanent session on every answer: one still
    in flight when the person submits a form would answer after the form's redirect and put back
    the older cookie, dropping the redirect's flash message ("your report is filed")."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        if request.endpoint in BACKGROUND_ENDPOINTS:
            return session.modified
        return super().should_set_cookie(app, session)


def register_request_hygiene(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.before_request
    def reject_nul_bytes():
        # PostgreSQL refuses NUL in text, and no legitimate form needs it: a clear 400 instead.
        if "\x00" in request.path or _has_nul(request.args.values()):
            abort(400, description="The request contains a NUL byte.")
        if request.method in {"POST", "PUT", "PATCH"} and request.mimetype in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            if _has_nul(request.form.values()) or _has_nul(request.form.keys()):
                abort(400, description="The form contains a NUL byte.")

    @app.before_request
    def refuse_other_bodies():
        # Flask-WTF reads a JSON body as the form, and its validators then meet numbers and
        # objects where they expect text. Only the JSON API takes bodies that are not forms;
        # an unknown route or method keeps its 404 or 405.
        if request.method not in BODY_METHODS or request.url_rule is None:
            return
        # /api/v1 takes JSON only and says so itself (forum/api/v1/auth.py).
        if request.blueprint == "api" or request.path.startswith("/api/v1/"):
            return
        if request.mimetype in FORM_TYPES or not _has_body():
            return
        abort(415, description="This page takes a form, not JSON or another kind of body.")

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "same-origin")  # the buyer survey says no-referrer
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static" and _signed_in():
            headers["Cache-Control"] = "no-store"
        return response


def _signed_in() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except sa.exc.SQLAlchemyError:
        rollback_quietly()  # the user could not be read: the database is gone
        return False


def warn_once_about_unexpected_proxies(app: Flask) -> None:
    """Log one warning when a proxy's X-Forwarded-For reaches an app told there is no proxy.

    With PROXY_FIX_X_FOR at 0 the proxy's own address stands for every client, so everyone
    shares one per-address sign-in limit; the header is the sign that the setting is wrong.
    """
    warned = False

    @app.before_request
    def notice_forwarded_for():
        nonlocal warned
        if warned or "X-Forwarded-For" not in request.headers:
            return
        warned = True
        app.logger.warning(
            "a request came with X-Forwarded-For %r but PROXY_FIX_X_FOR is 0: every client "
            "is seen as %s and shares its sign-in limit. Set PROXY_FIX_X_FOR to the number of "
            "proxies in front of the app.",
            request.headers["X-Forwarded-For"][:200],
            request.remote_addr,
        )
