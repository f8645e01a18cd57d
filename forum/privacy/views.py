"""A person's data, from their admin page: download it all as JSON, or erase them."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from forum.auth.models import User
from forum.auth.permissions import require
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db
from forum.privacy import erasure, export
from forum.privacy.forms import EraseForm

bp = Blueprint("privacy", __name__, url_prefix="/admin/users")


@bp.post("/<int:user_id>/export")
@require("admin.privacy")
def export_person(user_id: int):
    """Everything the app holds about one person, as a JSON download (written to the audit
    log first, then streamed)."""
    user = db.get_or_404(User, user_id)
    export.record_export(user, actor=current_user)
    db.session.commit()
    response = Response(stream_with_context(export.document(user.id)), mimetype="application/json")
    filename = f"person-{user.id}-{utcnow():%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<int:user_id>/erase", methods=["GET", "POST"])
@require("admin.privacy")
def erase(user_id: int):
    """Confirm, then erase a person: their name and address go, what they wrote stays."""
    user = db.get_or_404(User, user_id)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            done = erasure.erase(user, actor=current_user, confirm=form.confirm.data)
        except DomainError as exc:
            db.session.rollback()
            if exc.details.get("field") != "confirm":
                flash(exc.message, "error")
                return redirect(url_for("admin.edit_user", user_id=user_id))
            form.confirm.errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                f"User #{done.user_id} is erased: what they wrote is signed “{done.name}”.",
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template(
        "privacy/erase.html", form=form, user=user, former=erasure.former_name(user)
    )
