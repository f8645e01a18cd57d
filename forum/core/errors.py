"""Domain exceptions and the HTTP error pages."""

import errno
import sqlite3

from flask import Flask, current_app, jsonify, make_response, render_template, request
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from forum.extensions import db


class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to the user."""

    status = 400

    def __init__(self, message: str = "", **details):
        super().__init__(message)
        self.message = message
        self.details = details


class Forbidden(DomainError):
    """The rule exists but this user may not use it: HTTP 403."""

    status = 403


class Conflict(DomainError):
    """Someone else changed the thing first (a stale version): HTTP 409."""

    status = 409


TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
    507: "Insufficient storage",
}

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have permission to do that.",
    404: "There is nothing here. It may have been moved, or you may not have access to it.",
    405: "That action cannot be done this way.",
    409: "Someone changed this while you were working on it. Reload and try again.",
    413: "That is too large. Make the text shorter or the file smaller.",
    415: "This page takes a form sent by the browser, not JSON or another kind of body.",
    429: "Too many attempts. Please wait a few minutes and try again.",
    500: "An unexpected error happened. It has been logged; please try again.",
    503: "The service is temporarily unavailable. Please try again in a moment.",
    507: "There is no room left to store this, so nothing was saved. It has been logged; "
    "please try again later.",
}

# A write refused for lack of space: the disk (ENOSPC) or the user's quota (EDQUOT) is full.
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
PG_DISK_FULL = "53100"  # PostgreSQL's SQLSTATE disk_full


# The versioned API's error codes: ``{"error": {"code", "message", "details"}}`` for every status.
API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
    507: "insufficient_storage",
}

API_MESSAGES = {
    401: "Sign in, or send a valid token as “Authorization: Bearer <token>”.",
    404: "There is no such resource, or you may not see it.",
    405: "This resource does not take that method.",
    413: "The request body is too large.",
    415: "Send the body as JSON (Content-Type: application/json).",
    422: "Some fields are invalid.",
    429: "Too many requests. Wait for the time Retry-After gives, then try again.",
}


def api_style() -> bool:
    """Is this a request to the versioned API (or an unknown route under /api/)? The first
    JSON endpoints (``/api/posts``, blueprint ``api``) keep the answers they always gave."""
    return request.path.startswith("/api/") and request.blueprint != "api"


def api_error(status: int, message: str | None = None, details: dict | None = None, headers=None):
    """The API's one error shape."""
    body = {
        "error": {
            "code": API_CODES.get(status, "error"),
            "message": message or API_MESSAGES.get(status) or MESSAGES.get(status, ""),
            "details": details or {},
        }
    }
    return jsonify(body), status, headers or {}


def _field_names(messages) -> list[str]:
    """``{"json": {"author_id": [...]}}`` (webargs) as ``["author_id"]``."""
    names = []
    for location in (messages or {}).values():
        names.extend(str(name) for name in (location if isinstance(location, dict) else {}))
    return names


def api_http_error(exc: HTTPException):
    """An HTTP error of the API: its message, the fields at fault, the headers it needs."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    details, headers = {}, dict(data.get("headers") or {})
    message = None
    if status == 422 and "messages" in data:
        details["fields"] = data["messages"]
        names = _field_names(data["messages"])
        message = "Invalid fields: " + ", ".join(names) + "." if names else None
    elif exc.description and exc.description != type(exc).description:
        message = exc.description  # what the code that aborted said
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    # 429: Flask-Limiter adds Retry-After (and X-RateLimit-*) to the answer (config.py).
    return api_error(status, message, details, headers)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def bare_error_page(status: int, message: str | None = None) -> str:
    """The error page without the site's frame, for when the database is gone.

    It skips the context processors: Flask-Login's would look the signed-in user up in the
    database, which raises again and turns the answer into a bare 500.
    """
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    return template.render(
        status=status,
        title=TITLES.get(status, "Error"),
        message=message or MESSAGES.get(status, ""),
    )


def rollback_quietly() -> None:
    """Roll the session back after a database failure; a dead connection may refuse even that."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone
        current_app.logger.debug("rollback after a lost connection failed", exc_info=True)


def storage_full(exc: BaseException) -> bool:
    """Was ``exc`` a write refused because the storage is full? A file write (ENOSPC, EDQUOT),
    SQLite's "database or disk is full" or PostgreSQL's disk_full, also when SQLAlchemy wraps
    the driver's error."""
    error = getattr(exc, "orig", None) or exc
    if isinstance(error, OSError):
        return error.errno in FULL_ERRNOS
    if isinstance(error, sqlite3.Error):
        return (getattr(error, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_FULL
    return getattr(error, "sqlstate", None) == PG_DISK_FULL


def insufficient_storage(exc: BaseException):
    """507: nothing of the request was kept (the transaction rolls back, its staged files go)."""
    rollback_quietly()
    # The driver's own words ("database or disk is full"), not the statement and its values.
    current_app.logger.error("storage full, request refused: %s", getattr(exc, "orig", None) or exc)
    return render_error(507)


def render_error(status: int, message: str | None = None, details: dict | None = None):
    if api_style():
        return api_error(status, message, details)
    message = message or MESSAGES.get(status, "")
    if wants_json():
        return jsonify(error=TITLES.get(status, "Error"), message=message, status=status), status
    try:
        html = render_template(
            "errors/error.html", status=status, title=TITLES.get(status, "Error"), message=message
        )
    except SQLAlchemyError:
        # The frame shows the signed-in user and the unread count, and the database is gone (or
        # the session is, after the failure this page reports): the bare page will do.
        rollback_quietly()
        html = bare_error_page(status, message)
    return html, status


def _plain(details: dict) -> dict:
    """A domain error's details as JSON can carry them (ids, names, lists of those)."""
    return {
        k: v for k, v in details.items() if isinstance(v, (str, int, float, bool, list, type(None)))
    }


def register_error_handlers(app: Flask) -> None:
    """Every error renders a friendly page (or JSON) and never a stack trace."""

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (Flask runs them in
    # reverse): the session is closed here, where a lost connection cannot break the answer.
    @app.teardown_appcontext
    def close_session(exc):
        try:
            db.session.remove()
        except (OperationalError, InterfaceError):
            # The database went away after the view had answered: closing the session rolls
            # back over a dead connection, and the error would replace the finished answer
            # with the server's bare 500. Drop the connection instead; the pool makes another.
            app.logger.warning("database connection lost at the end of a request")
            db.session().invalidate()  # closes without a ROLLBACK
            db.session.remove()

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        if api_style():
            return api_http_error(exc)
        message = exc.description if exc.code in (400, 409) and exc.description else None
        if exc.code == 400 and exc.description and "CSRF" in exc.description:
            message = "Your form expired or was sent from elsewhere. Reload the page and try again."
        if exc.code not in TITLES:
            return exc
        response = make_response(render_error(exc.code, message))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return render_error(exc.status, exc.message, _plain(exc.details))

    @app.errorhandler(OSError)
    def os_error(exc: OSError):
        if not storage_full(exc):
            raise exc  # any other failure stays an unexpected error (500, logged)
        return insufficient_storage(exc)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(exc):
        if storage_full(exc):
            return insufficient_storage(exc)
        # The database went away: answer 503 without touching it again (no user lookup).
        rollback_quietly()
        app.logger.error("database unavailable: %s", exc.__class__.__name__)
        status = ServiceUnavailable.code
        if api_style():
            return api_error(status, headers={"Retry-After": "5"})
        if wants_json():
            response = jsonify(error=TITLES[status], message=MESSAGES[status], status=status)
            return response, status, {"Retry-After": "5"}
        return bare_error_page(status), status, {"Retry-After": "5"}

    @app.errorhandler(IntegrityError)
    def integrity_error(exc):
        # A unique constraint caught a double submit or a race: the first write won.
        db.session.rollback()
        return render_error(
            409, "That was already saved (perhaps by a double submit). Reload to see it."
        )

    @app.errorhandler(InternalServerError)
    def internal_error(exc):
        db.session.rollback()
        return render_error(500)
