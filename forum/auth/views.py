"""Sign-in, sign-out, invitations, password reset, password change and one's time zone."""

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
from flask_login import current_user, login_required, login_user, logout_user

from forum.auth import list_memory, services, time_zone
from forum.auth.forms import (
    BrowserZoneForm,
    ChangePasswordForm,
    DeleteViewForm,
    ForgotPasswordForm,
    LoginForm,
    SaveViewForm,
    SetPasswordForm,
    TimeZoneForm,
)
from forum.auth.models import TokenPurpose, normalize_email
from forum.auth.permissions import ensure
from forum.auth.redirects import safe_next
from forum.auth.sso import providers as sso_providers
from forum.auth.sso import services as sso
from forum.auth.sso.flow import ID_TOKEN_KEY, PROVIDER_KEY, end_session_offer
from forum.core import audit, zones
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db, limiter

bp = Blueprint("auth", __name__)

GENERIC_LOGIN_ERROR = "Invalid e-mail or password."
PASSWORD_OFF = "Password sign-in is turned off: use single sign-on."  # nosec B105  # a message
END_SESSION_KEY = "sso_end_session"


def _failed(response) -> bool:
    # Only failed attempts count against the limits; a successful sign-in redirects.
    return response.status_code != 302


def _account_key() -> str:
    return "login-account:" + normalize_email(request.form.get("email", ""))[:254]


def _log_throttled(limit) -> None:
    # Flask-Limiter only logs a breach at INFO; a throttled sign-in is worth a warning.
    current_app.logger.warning(
        "login throttled (%s) for %r from %s",
        limit.limit,
        normalize_email(request.form.get("email", ""))[:254],
        request.remote_addr,
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_log_throttled,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_log_throttled,
)
def login():
    """Show the sign-in form; sign the user in on a valid e-mail and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    sso_required = sso.sso_required()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if sso_required and not sso.may_use_password(user):
            # Right or wrong password, the same answer: SSO is the way in.
            db.session.rollback()
            audit.record(
                "sso.password_refused",
                ip=request.remote_addr or "",
                email=normalize_email(form.email.data)[:254],
            )
            db.session.commit()
            form.password.errors.append(PASSWORD_OFF)
            return render_template("auth/login.html", **_login_context(form, sso_required))
        if user is not None:
            if sso_required:
                audit.record(
                    "sso.break_glass_sign_in",
                    actor=user,
                    target=user,
                    ip=request.remote_addr or "",
                )
            db.session.commit()
            session.clear()  # a fresh session at sign-in
            session.permanent = True  # SESSION_LIFETIME_HOURS applies
            login_user(user)
            return redirect(safe_next(form.next.data))
        current_app.logger.warning(
            "failed login for %r from %s", normalize_email(form.email.data), request.remote_addr
        )
        form.password.errors.append(GENERIC_LOGIN_ERROR)
    return render_template("auth/login.html", **_login_context(form, sso_required))


def _login_context(form, sso_required: bool) -> dict:
    return {
        "form": form,
        "sso_providers": list(sso_providers.configured().values()),
        "sso_required": sso_required,
        "end_session": session.pop(END_SESSION_KEY, None),
    }


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and everywhere else (the session version moves on)."""
    services.end_sessions(current_user)
    db.session.commit()
    provider_name, id_token = session.get(PROVIDER_KEY), session.get(ID_TOKEN_KEY, "")
    logout_user()
    session.clear()
    offer = end_session_offer(provider_name, id_token)
    if offer is not None:
        session[END_SESSION_KEY] = offer
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    """Queue a reset link; the answer is the same whether or not the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_reset(form.email.data)
        db.session.commit()
        flash("If that address belongs to an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _redeem(token: str, purpose: TokenPurpose, template: str):
    if services.find_token(token, purpose) is None:
        return render_template("auth/link_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.redeem_token(token, purpose, form.password.data)
        except services.AuthError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            session.clear()
            session.permanent = True  # SESSION_LIFETIME_HOURS applies
            login_user(user)
            flash("Your password is set. Welcome to Voice of Sales.", "success")
            return redirect(url_for("home.index"))
    return render_template(template, form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def accept_invite(token: str):
    """An invited user chooses their password (the link works once)."""
    return _redeem(token, TokenPurpose.INVITE, "auth/accept_invite.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link (the link works once)."""
    return _redeem(token, TokenPurpose.RESET, "auth/reset.html")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; every other session ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.current.data) is None:
            form.current.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.password.data)
            db.session.commit()
            # Re-issue this session with the new version. Pass the user, never the proxy:
            # Flask-Login stores it as the request's user, and a proxy that resolves to itself
            # recurses until the worker crashes.
            session.permanent = True  # SESSION_LIFETIME_HOURS applies
            login_user(user)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/time-zone", methods=["GET", "POST"])
@login_required
def time_zone_settings():
    """Choose the zone one's pages and e-mails show times in (or the organisation's)."""
    form = TimeZoneForm()
    org_zone = zones.org_zone()
    form.time_zone.choices = [("", f"The organisation's ({org_zone})"), *zones.zone_choices()]
    if request.method == "GET":
        form.time_zone.data = current_user.time_zone or ""
    if form.validate_on_submit():
        try:
            time_zone.set_time_zone(current_user, form.time_zone.data)
        except DomainError as exc:
            form.time_zone.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Times are shown in {zones.zone_of(current_user)}.", "success")
            return redirect(url_for("auth.time_zone_settings"))
    return render_template("auth/time_zone.html", form=form, org_zone=org_zone, now=utcnow())


@bp.post("/account/time-zone/browser")
@login_required
def browser_time_zone():
    """Take the browser's zone, posted once after signing in (static/js/app.js), unless one
    is chosen already; 204 either way. Without script the organisation's zone applies. A
    background request: it leaves the session alone (forum.core.web.BACKGROUND_ENDPOINTS)."""
    form = BrowserZoneForm()
    if form.validate_on_submit() and time_zone.take_browser_zone(current_user, form.time_zone.data):
        db.session.commit()
    return "", 204


def _list_endpoint(list_name: str) -> str:
    """The endpoint of a list the current user may open (404 for no list, 403 for a list
    their role may not open)."""
    endpoint = list_memory.ENDPOINTS.get(list_name)
    if endpoint is None:
        abort(404)
    ensure(current_user, current_app.view_functions[endpoint].permission)
    return endpoint


@bp.post("/lists/<list_name>/views")
@login_required
def save_list_view(list_name: str):
    """Keep the list's filters as a named view of one's own."""
    endpoint = _list_endpoint(list_name)
    form = SaveViewForm()
    query = list_memory.clean_query(form.query.data or "")
    if len(query) > list_memory.MAX_QUERY:
        query = ""  # back to the bare list rather than to an address this long
    if not form.validate_on_submit():
        flash("Name the view in 1 to 60 characters.", "error")
    else:
        try:
            view = list_memory.save_view(
                current_user, list_name, form.name.data, form.query.data or ""
            )
        except DomainError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Saved the view “{view.name}”.", "success")
            query = view.query
    return redirect(url_for(endpoint) + (f"?{query}" if query else ""))


@bp.post("/lists/<list_name>/views/delete")
@login_required
def delete_list_view(list_name: str):
    endpoint = _list_endpoint(list_name)
    form = DeleteViewForm()
    if form.validate_on_submit() and list_memory.delete_view(
        current_user, list_name, form.name.data
    ):
        db.session.commit()
        flash(f"Deleted the view “{form.name.data}”.", "success")
    else:
        abort(404)
    return redirect(url_for(endpoint))
