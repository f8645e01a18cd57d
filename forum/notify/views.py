"""Notification pages: my notifications, marking them read, my preferences, the unsubscribe
link from e-mails (no sign-in needed), and for admins the outbox and the development mail
folder."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum.auth.models import User
from forum.auth.permissions import require
from forum.auth.redirects import safe_next
from forum.core import outbox
from forum.core.errors import DomainError
from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.core.pagination import paginate
from forum.core.params import arg_choice
from forum.extensions import csrf, db
from forum.notify import mailfiles, services, unread_notifications
from forum.notify.events import DAILY_DIGEST, EVENTS, events_for, receives
from forum.notify.forms import preferences_form
from forum.notify.models import Notification

bp = Blueprint("notify", __name__, url_prefix="/notifications")


def _own_or_404(notification_id: int) -> Notification:
    """One of my notifications; someone else's answers exactly like a missing one."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


def _back() -> str:
    return safe_next(request.form.get("next"), url_for("notify.index"))


@bp.get("/")
@require("notify.view")
def index():
    """My notifications, newest first, unread ones marked."""
    page = paginate(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        per_page=30,
    )
    return render_template("notify/index.html", page=page, unread=unread_notifications())


@bp.post("/<int:notification_id>/read")
@require("notify.view")
def mark_read(notification_id: int):
    """Mark one of my notifications read."""
    services.mark_read(current_user, _own_or_404(notification_id))
    db.session.commit()
    return redirect(_back(), 303)


@bp.post("/<int:notification_id>/open")
@require("notify.view")
def open_target(notification_id: int):
    """Open what one of my notifications is about, marking it read (a POST: it changes state)."""
    notification = _own_or_404(notification_id)
    services.mark_read(current_user, notification)
    db.session.commit()
    # The stored URL is a path the app built itself (never user input); checked all the same.
    return redirect(safe_next(notification.url, url_for("notify.index")), 303)


@bp.post("/read-all")
@require("notify.view")
def mark_all_read():
    """Mark all my notifications read."""
    count = services.mark_all_read(current_user)
    db.session.commit()
    plural = "s" if count != 1 else ""
    flash(f"{count} notification{plural} marked read." if count else "Nothing new.", "info")
    return redirect(_back(), 303)


@bp.route("/preferences", methods=["GET", "POST"])
@require("notify.preferences")
def preferences():
    """How I hear about each kind of event: immediately, in a daily digest, or not at all."""
    kinds = events_for(current_user.role)
    form = preferences_form(kinds, services.preferences(current_user))
    if request.method == "GET":
        return render_template("notify/preferences.html", form=form)
    if not form.validate():
        return render_template("notify/preferences.html", form=form), 400
    for kind in kinds:
        services.set_preference(current_user, kind.key, getattr(form, kind.key).data)
    db.session.commit()
    flash("Your notification preferences are saved.", "success")
    return redirect(url_for("notify.preferences"), 303)


def _subscription_label(event: str) -> str:
    if event == DAILY_DIGEST:
        return "the daily digest (every kind of notification you get in it)"
    return f"“{EVENTS[event].label}”"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the credential, and mail clients post here (RFC 8058)
def unsubscribe(token: str):
    """Switch one kind of notification off from the link in an e-mail, without signing in.

    GET asks; POST (the button, or a mail client's one-click unsubscribe) does it.
    """
    found = services.read_unsubscribe_token(token[:500])
    user = db.session.get(User, found[0]) if found else None
    event = found[1] if found else ""
    if (
        user is None
        or not user.active
        or (event != DAILY_DIGEST and not receives(user.role, event))
    ):
        abort(404, description="This unsubscribe link is not valid.")
    label = _subscription_label(event)
    if request.method == "GET":
        return render_template("notify/unsubscribe.html", label=label, token=token, done=False)
    try:
        services.unsubscribe(user, event)
    except DomainError:
        abort(404)
    db.session.commit()
    return render_template("notify/unsubscribe.html", label=label, token=token, done=True)


def _mail_folder_open() -> bool:
    cfg = current_app.config
    return cfg["MAIL_TRANSPORT"] == "file" and cfg["APP_ENV"] != "production"


@bp.get("/outbox")
@require("notify.outbox")
def outbox_admin():
    """The e-mail outbox (queued, retried, sent, failed) and the development mail folder."""
    status = arg_choice("status", {s.value for s in OutboxStatus}, message="Unknown status.")
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.channel == outbox.EMAIL)
        .order_by(OutboxMessage.id.desc())
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    page = paginate(query, per_page=50)
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count(OutboxMessage.id))
            .where(OutboxMessage.channel == outbox.EMAIL)
            .group_by(OutboxMessage.status)
        ).all()
    )
    files = mailfiles.list_files(current_app.config["MAIL_DIR"]) if _mail_folder_open() else []
    shielded = _shielded_ids({f.outbox_id for f in files if f.outbox_id})
    return render_template(
        "notify/outbox.html",
        page=page,
        counts=counts,
        statuses=OutboxStatus,
        status=status,
        files=files,
        shielded=shielded,
        folder_open=_mail_folder_open(),
    )


def _shielded_ids(ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(OutboxMessage.id).where(
                OutboxMessage.id.in_(ids), OutboxMessage.shielded.is_(True)
            )
        )
    )


@bp.get("/outbox/mail/<name>")
@require("notify.outbox")
def mail_file(name: str):
    """One message of the development mail folder, as text."""
    if not _mail_folder_open():
        abort(404)
    found = mailfiles.read_file(current_app.config["MAIL_DIR"], name)
    if found is None:
        abort(404)
    summary, text, html = found
    if summary.outbox_id and _shielded_ids({summary.outbox_id}):
        abort(404)  # it would name the author of a shielded report
    return render_template("notify/mail_file.html", mail=summary, text=text, html=html)


@bp.post("/outbox/<int:message_id>/retry")
@require("notify.outbox")
def retry(message_id: int):
    """Queue a failed message again (once the address is corrected, say)."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None or row.channel != outbox.EMAIL:
        abort(404)  # a webhook's deliveries are retried from its own page
    try:
        services.requeue(row)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"Message #{row.id} is queued again.", "success")
    return redirect(url_for("notify.outbox_admin"), 303)
