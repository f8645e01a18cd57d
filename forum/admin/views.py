"""Admin pages: invite and manage users, manage teams, read and export the audit log."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from forum.admin import queries
from forum.admin.forms import InviteForm, TeamForm, UserForm, options
from forum.auth import services
from forum.auth.models import Role, Team, TeamKind, User
from forum.auth.permissions import require, roles_allowed
from forum.core import csvsafe
from forum.core.audit import AuditEntry
from forum.core.errors import DomainError
from forum.core.pagination import paginate
from forum.core.time import utcnow
from forum.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _team_choices(blank: str = "— none —"):
    teams = db.session.scalars(sa.select(Team).order_by(Team.kind.desc(), Team.name)).all()
    return options([("", blank)] + [(t.id, f"{t.name} ({t.kind.label})") for t in teams])


def _user_choices(*roles: Role):
    query = sa.select(User).where(User.active.is_(True)).order_by(User.display_name)
    if roles:
        query = query.where(User.role.in_(roles))
    return options([("", "— none —")] + [(u.id, u.display_name) for u in db.session.scalars(query)])


def _show_error(form, exc: DomainError, default: str) -> None:
    """Put a service's refusal on the field it is about."""
    field = getattr(form, exc.details.get("field", default), None) or getattr(form, default)
    field.errors.append(exc.message)


@bp.get("/users")
@require("admin.users")
def users():
    """All users, filterable by role and text."""
    q = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    query = sa.select(User).options(sa.orm.joinedload(User.team)).order_by(User.display_name)
    if q:
        query = query.where(
            sa.or_(
                User.display_name.icontains(q, autoescape=True),
                User.email.icontains(q, autoescape=True),
            )
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    page = paginate(query, per_page=50)
    return render_template("admin/users.html", page=page, q=q, role=role, roles=Role)


@bp.route("/users/invite", methods=["GET", "POST"])
@require("admin.users")
def invite():
    """Invite a user: a single-use link to set their password is shown and queued by e-mail."""
    form = InviteForm()
    form.team_id.choices = _team_choices()
    if form.validate_on_submit():
        try:
            user, link = services.invite_user(
                form.email.data,
                form.display_name.data,
                Role(form.role.data),
                form.team_id.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, exc, "email")
        else:
            db.session.commit()
            return render_template("admin/invited.html", user=user, link=link)
    return render_template("admin/invite.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("admin.users")
def edit_user(user_id: int):
    """Change a user's name, role or team."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.team_id.choices = _team_choices()
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                role=Role(form.role.data),
                team_id=form.team_id.data,
                display_name=form.display_name.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, exc, "role")
        else:
            db.session.commit()
            flash(f"{user.display_name} is updated.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/edit_user.html", form=form, user=user)


@bp.post("/users/<int:user_id>/active")
@require("admin.users")
def set_active(user_id: int):
    """Deactivate or reactivate a user."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"{user.display_name} is {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.post("/users/<int:user_id>/reinvite")
@require("admin.users")
def reinvite(user_id: int):
    """Show and queue a fresh invitation link (older links stop working)."""
    user = db.get_or_404(User, user_id)
    try:
        link = services.reinvite_user(user, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    db.session.commit()
    return render_template("admin/invited.html", user=user, link=link)


@bp.get("/teams")
@require("admin.teams")
def teams():
    """Sales regions and operations teams."""
    rows = (
        db.session.scalars(
            sa.select(Team)
            .options(
                sa.orm.selectinload(Team.members),
                sa.orm.joinedload(Team.lead),
                sa.orm.joinedload(Team.sponsor),
            )
            .order_by(Team.kind.desc(), Team.name)
        )
        .unique()
        .all()
    )
    return render_template("admin/teams.html", teams=rows)


@bp.route("/teams/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@require("admin.teams")
def edit_team(team_id: int | None):
    """Create or edit a team."""
    team = db.get_or_404(Team, team_id) if team_id else None
    form = TeamForm(obj=team)
    form.lead_id.choices = _user_choices()
    form.sponsor_id.choices = _user_choices(*roles_allowed("team.sponsor"))
    if form.validate_on_submit():
        try:
            team = services.save_team(
                team,
                name=form.name.data,
                kind=TeamKind(form.kind.data),
                description=form.description.data or "",
                lead_id=form.lead_id.data,
                sponsor_id=form.sponsor_id.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            _show_error(form, exc, "name")
        else:
            db.session.commit()
            flash(f"Team {team.name} is saved.", "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/edit_team.html", form=form, team=team)


def _audit_action() -> str:
    """The audit log's filter: one action, as typed (cut to the column's length)."""
    return request.args.get("action", "").strip()[:60]


@bp.get("/audit")
@require("admin.audit")
def audit():
    """The audit log, newest first."""
    action = _audit_action()
    page = paginate(queries.audit_query(action).order_by(AuditEntry.id.desc()), per_page=50)
    actors = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_({e.actor_id for e in page.items if e.actor_id}))
        )
    }
    return render_template("admin/audit.html", page=page, actors=actors, action=action)


@bp.get("/audit.csv")
@require("admin.audit")
def audit_csv():
    """The audit log of the page's filter as CSV, oldest first, streamed."""
    action = _audit_action()
    filename = f"audit-{action or 'all'}-{utcnow():%Y-%m-%d}.csv"
    rows = queries.audit_rows(queries.audit_query(action))
    return csvsafe.download(secure_filename(filename), queries.AUDIT_HEADER, rows)
