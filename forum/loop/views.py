"""Follow-up pages: a rep's own follow-ups, one follow-up (the draft message, the mailto link,
the marks), and the customers not yet told that leaders oversee."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from forum.auth.permissions import can, require
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db
from forum.loop import drafts, queries, services, workflow
from forum.loop.forms import MarkForm, MessageForm
from forum.loop.models import FollowUp, FollowUpState

bp = Blueprint("loop", __name__, url_prefix="/follow-ups")


def _own_or_404(follow_up_id: int) -> FollowUp:
    """One's own follow-up; anyone else's answers like a missing one."""
    follow_up = queries.follow_up(follow_up_id)
    if follow_up is None or not can(current_user, "followup.view", follow_up):
        abort(404)
    return follow_up


def _render(follow_up: FollowUp, *, error: str = "", status: int = 200, message_form=None):
    draft = drafts.draft(follow_up)
    message_form = message_form or MessageForm(message=draft.body)
    return (
        render_template(
            "loop/detail.html",
            follow_up=follow_up,
            draft=draft,
            message_form=message_form,
            mark_form=MarkForm(),
            moves=[
                (to, workflow.move_for(follow_up, to)) for to in workflow.next_states(follow_up)
            ],
            today=utcnow().date(),
            error=error,
        ),
        status,
    )


@bp.get("/")
@require("followup.view")
def index():
    """The signed-in rep's follow-ups: waiting ones first, then those done."""
    return render_template(
        "loop/index.html", follow_ups=queries.my_follow_ups(current_user, pending_only=False)
    )


@bp.get("/<int:follow_up_id>")
@require("followup.view")
def detail(follow_up_id: int):
    """One follow-up: the draft to send and what to mark once sent."""
    return _render(_own_or_404(follow_up_id))


@bp.post("/<int:follow_up_id>/message")
@require("followup.act")
def save_message(follow_up_id: int):
    """Keep the rep's edit of the message (the mailto link then carries it)."""
    follow_up = _own_or_404(follow_up_id)
    form = MessageForm()
    if not form.validate():
        return _render(follow_up, error="Keep the message shorter.", status=400, message_form=form)
    try:
        services.save_message(follow_up, form.message.data or "", actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return _render(_own_or_404(follow_up_id), error=exc.message, status=exc.status)
    db.session.commit()
    flash("Your message is saved; the mail link now carries it.", "success")
    return redirect(url_for("loop.detail", follow_up_id=follow_up_id, _anchor="send-h"))


@bp.post("/<int:follow_up_id>/mark")
@require("followup.act")
def mark(follow_up_id: int):
    """Mark what happened: customer informed, trust restored, re-engaged, won back..."""
    follow_up = _own_or_404(follow_up_id)
    form = MarkForm()
    if not form.validate():
        return _render(
            follow_up, error="Give a valid day, or leave it empty for today.", status=400
        )
    if form.to.data not in {s.value for s in FollowUpState}:
        abort(400, description="Unknown mark.")
    try:
        services.move(
            follow_up,
            form.to.data,
            actor=current_user,
            note=form.note.data or "",
            on=form.on.data,
            state_seen=form.state.data,
        )
    except DomainError as exc:
        db.session.rollback()
        return _render(_own_or_404(follow_up_id), error=exc.message, status=exc.status)
    db.session.commit()
    flash(f"Marked: {FollowUpState(form.to.data).label}.", "success")
    return redirect(url_for("loop.detail", follow_up_id=follow_up_id))


@bp.get("/waiting")
@require("followup.oversee")
def waiting():
    """Promises made good whose customer is still not told after the set number of days."""
    now = utcnow()
    return render_template(
        "loop/waiting.html",
        rows=queries.not_yet_told(current_user, now),
        days=queries.settings.get("customer_told_days"),
    )
