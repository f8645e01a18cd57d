"""Admin pages for outgoing webhooks: the endpoints, registering one (its secret shown once),
its delivery log, a test send, enabling and disabling. Nothing here sends: the outbox worker
(``flask deliver``) does."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from forum.auth.permissions import require
from forum.extensions import db
from forum.webhooks import queries, services
from forum.webhooks.events import LABELS
from forum.webhooks.forms import EndpointForm
from forum.webhooks.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.get("/")
@require("admin.webhooks")
def index():
    """Every endpoint, with what it hears of and whether it is enabled."""
    return render_template("webhooks/index.html", endpoints=queries.endpoints(), labels=LABELS)


@bp.get("/new")
@require("admin.webhooks")
def new():
    """The registration form."""
    return render_template("webhooks/new.html", form=EndpointForm())


@bp.post("/new")
@require("admin.webhooks")
def create():
    """Register an endpoint; the answer shows its secret, once."""
    form = EndpointForm()
    if not form.validate_on_submit():
        return render_template("webhooks/new.html", form=form), 400
    try:
        made = services.register(
            current_user, name=form.name.data, url=form.url.data, events=form.events.data
        )
    except services.WebhookError as exc:
        db.session.rollback()
        getattr(form, exc.field, form.url).errors.append(exc.message)
        return render_template("webhooks/new.html", form=form), 400
    db.session.commit()
    return render_template("webhooks/created.html", endpoint=made.endpoint, secret=made.secret)


@bp.get("/<int:endpoint_id>")
@require("admin.webhooks")
def detail(endpoint_id: int):
    """One endpoint and its delivery log (status, attempts, response codes, latency)."""
    endpoint = _endpoint_or_404(endpoint_id)
    return render_template(
        "webhooks/detail.html",
        endpoint=endpoint,
        page=queries.delivery_log(endpoint),
        labels=LABELS,
    )


@bp.post("/<int:endpoint_id>/test")
@require("admin.webhooks")
def test(endpoint_id: int):
    """Queue a test message; the worker sends it and the log shows how it went."""
    endpoint = _endpoint_or_404(endpoint_id)
    try:
        services.test_send(endpoint, actor=current_user)
    except services.WebhookError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("A test message is queued; the delivery log below shows how it went.", "success")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id), 303)


@bp.post("/<int:endpoint_id>/enable")
@require("admin.webhooks")
def enable(endpoint_id: int):
    """Enable an endpoint again (after its receiver is mended)."""
    endpoint = _endpoint_or_404(endpoint_id)
    services.set_active(endpoint, True, actor=current_user)
    db.session.commit()
    flash(f"“{endpoint.name}” is enabled.", "success")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id), 303)


@bp.post("/<int:endpoint_id>/disable")
@require("admin.webhooks")
def disable(endpoint_id: int):
    """Disable an endpoint: nothing more is queued for it, what waits is given up."""
    endpoint = _endpoint_or_404(endpoint_id)
    services.set_active(endpoint, False, actor=current_user)
    db.session.commit()
    flash(f"“{endpoint.name}” is disabled.", "success")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id), 303)
