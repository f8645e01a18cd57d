"""Settings → API tokens: make, list and revoke personal access tokens; admins see everyone's."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from forum.api import tokens
from forum.api.forms import TokenForm
from forum.api.models import ApiToken
from forum.auth.permissions import can, require, require_obj
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db

bp = Blueprint("api_tokens", __name__, url_prefix="/settings/tokens")


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    """The tokens page; ``new_token`` is the secret just made, shown this once."""
    every = tokens.every_token() if can(current_user, "admin.api_tokens") else None
    return (
        render_template(
            "api/tokens.html",
            form=form,
            secret=new_token or "",
            mine=tokens.tokens_of(current_user),
            every=every,
            now=utcnow(),
        ),
        status,
    )


@bp.get("/")
@require("api.use")
def index():
    """My tokens (and, for admins, everyone's), with the form for a new one."""
    return _page(TokenForm())


@bp.post("/")
@require("api.use")
def create():
    """Make a token and show its secret, this once."""
    form = TokenForm()
    if not form.validate():
        return _page(form, status=400)
    try:
        _, secret = tokens.create_token(
            current_user,
            name=form.name.data,
            scope=form.scope.data,
            expires_on=form.expires_on.data,
            today=utcnow().date(),
        )
    except DomainError as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, exc.message]
        return _page(form, status=400)
    db.session.commit()
    return _page(TokenForm(formdata=None), new_token=secret)


@bp.post("/<int:token_id>/revoke")
@require("api.token_revoke")
def revoke(token_id: int):
    """Revoke one of my tokens (admins: anyone's)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not can(current_user, "api.token_revoke", token):
        abort(404)  # someone else's token answers like a missing one
    require_obj("api.token_revoke", token)
    tokens.revoke_token(token, actor=current_user)
    db.session.commit()
    flash(f"The token {token.prefix}… is revoked.", "info")
    return redirect(url_for("api_tokens.index"), 303)
