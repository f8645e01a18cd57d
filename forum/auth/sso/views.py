"""Signing in through an OpenID Connect provider, and the admin page that requires it."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from forum.auth.permissions import require
from forum.auth.redirects import safe_next
from forum.auth.sso import flow, providers, services
from forum.core.errors import DomainError
from forum.extensions import db, limiter

bp = Blueprint("sso", __name__)
MAX_HINT = 2000  # characters of ID token kept in the session as the end-session hint


def _provider(name: str) -> providers.Provider:
    provider = providers.get(name) if len(name) <= 40 else None
    if provider is None:
        abort(404)
    return provider


def _callback_url(provider: providers.Provider) -> str:
    return current_app.config["BASE_URL"] + url_for("sso.callback", name=provider.name)


def _failed(name: str, error: flow.SsoError):
    """The page of a failed sign-in, after its audit entry is committed (and nothing else)."""
    db.session.rollback()
    for key in [k for k in session if k.startswith("_state_sso_")] + [flow.NEXT_KEY]:
        session.pop(key, None)
    current_app.logger.warning("SSO sign-in through %s failed: %s", name, error.reason)
    services.record_failure(name, error, ip=request.remote_addr or "")
    db.session.commit()
    template = "sso/ask_admin.html" if error.status == 403 else "sso/failed.html"
    return render_template(template, error=error), error.status


def _only_failures(response) -> bool:
    return response.status_code not in (302, 303)


@bp.get("/sso/<name>/login")
def login(name: str):
    """Send the browser to the provider (state, nonce and PKCE kept in the session)."""
    provider = _provider(name)
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    try:
        return flow.begin(provider, _callback_url(provider), safe_next(request.args.get("next")))
    except flow.SsoError as error:
        return _failed(provider.name, error)


@bp.get("/sso/<name>/callback")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], deduct_when=_only_failures)
def callback(name: str):
    """Verify the provider's answer and sign the person in, linked or provisioned."""
    provider = _provider(name)
    next_path = safe_next(session.get(flow.NEXT_KEY))
    try:
        claims = flow.finish(provider)
        user = services.sign_in(provider, claims, ip=request.remote_addr or "")
    except flow.SsoError as error:
        return _failed(provider.name, error)
    db.session.commit()
    session.clear()  # a fresh session at sign-in
    session.permanent = True
    login_user(user)
    session[flow.PROVIDER_KEY] = provider.name
    id_token = claims.get("_id_token", "")
    # The hint is optional (the end-session request names the client too): a token with many
    # groups would push the session cookie past what browsers keep (4 kB).
    if len(id_token) <= MAX_HINT:
        session[flow.ID_TOKEN_KEY] = id_token
    return redirect(next_path)


@bp.route("/admin/sso", methods=["GET", "POST"])
@require("admin.settings")
def settings():
    """The configured providers, and whether everyone must sign in through them."""
    configured = providers.configured()
    if request.method == "POST":
        required = request.form.get("required") == "1"
        try:
            services.set_sso_required(required, actor=current_user, providers=configured)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(
                "Everyone now signs in through single sign-on."
                if required
                else "Password sign-in is on again.",
                "success",
            )
        return redirect(url_for("sso.settings"))
    return render_template(
        "sso/settings.html", providers=configured.values(), required=services.sso_required()
    )
