"""Who calls the API: a personal access token (``Authorization: Bearer``) or the session
cookie (then every write needs the CSRF token header, as a form would carry it). Also the
API's own request checks: JSON bodies only, one rate limit per token."""

from flask import abort, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forum.api import tokens
from forum.auth.permissions import can
from forum.extensions import csrf, db, limiter

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def bearer() -> str | None:
    """The token of ``Authorization: Bearer <token>``; None without the header, 401 when the
    header is there but says something else."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        abort(401, description="Send the token as “Authorization: Bearer <token>”.")
    return value.strip()


def rate_key() -> str:
    """One bucket per token, else per signed-in user, else per address. Runs before
    ``authenticate`` (the limiter checks first), so it keys on the token's hash alone."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return "api-token:" + tokens.digest(value.strip())[:32]
    if current_user.is_authenticated:
        return f"api-user:{current_user.id}"
    return "api-addr:" + (get_remote_address() or "")


api_limit = limiter.shared_limit(
    lambda: current_app.config["API_RATE_LIMIT"], scope="api-v1", key_func=rate_key
)


def _has_body() -> bool:
    return bool(request.content_length or request.headers.get("Transfer-Encoding"))


def authenticate() -> None:
    """``before_request`` of every /api/v1 blueprint."""
    if request.method in BODY_METHODS and _has_body() and request.mimetype != "application/json":
        abort(415)
    raw = bearer()
    if raw is not None:
        token = tokens.find_live(raw)
        if token is None:
            abort(401, description="The token is unknown, expired or revoked.")
        if request.method not in SAFE_METHODS and not token.may_write:
            abort(403, description="This token may only read: its scope is “read”.")
        g._login_user = token.user  # Flask-Login's current_user for this request only
        g.api_token = token
        if tokens.touch(token, request.remote_addr):
            db.session.commit()  # the last use is kept even when the request then fails
    elif not current_user.is_authenticated:
        abort(401)
    elif request.method not in SAFE_METHODS:
        csrf.protect()  # the X-CSRFToken header of the signed-in page
    if not can(current_user, "api.use"):
        abort(403)


def protect(blueprint) -> None:
    """Put a v1 blueprint behind ``authenticate`` and the rate limit; CSRF is checked there."""
    csrf.exempt(blueprint)
    api_limit(blueprint)
    blueprint.before_request(authenticate)
