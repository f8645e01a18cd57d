"""Catalog pages: what each operations team can deliver today, kept fresh by its team."""

from types import SimpleNamespace

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forum.auth.models import Team
from forum.auth.permissions import can, require, require_obj
from forum.catalog import queries, services
from forum.catalog.forms import CommitmentForm, NewCommitmentForm
from forum.catalog.models import STALE_AFTER, Commitment
from forum.core import markdown
from forum.core.errors import DomainError
from forum.core.params import MAX_INT, parse_int, to_id
from forum.core.time import utcnow
from forum.extensions import db

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


def _commitment_or_404(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        abort(404)
    return commitment


def _operations_team(team_id: int | None) -> Team | None:
    """The operations team with this id; None if no id was given, 404 if there is no such team."""
    if team_id is None:
        return None
    team = db.session.get(Team, team_id) if 0 < team_id <= MAX_INT else None
    if team is None or not team.is_operations:
        abort(404)
    return team


def _team_scope(team: Team) -> SimpleNamespace:
    # The catalog.edit rule reads ``team_id``: a team's whole catalog is checked like one entry.
    return SimpleNamespace(team_id=team.id)


def _require_team(team: Team) -> None:
    """403 unless the current user may edit this team's catalog (its ops, or an admin)."""
    require_obj("catalog.edit", _team_scope(team))


def _editable_team_ids(teams: list[Team]) -> set[int]:
    return {t.id for t in teams if can(current_user, "catalog.edit", _team_scope(t))}


def _owner_choices(teams: list[Team]):
    many = len(teams) > 1
    return [SelectChoice("", "— nobody yet —")] + [
        SelectChoice(u.id, f"{u.display_name} ({u.team.name})" if many else u.display_name)
        for u in queries.owner_choices(teams)
    ]


@bp.get("/")
@require("catalog.view")
def index():
    """Every operations team's entries, each with its last confirmation and a stale warning."""
    now = utcnow()
    teams = queries.operations_teams()
    team_id = request.args.get("team", type=to_id)
    if team_id not in {t.id for t in teams}:
        team_id = None  # an unknown (or absurd) team is no filter
    shown = [t for t in teams if t.id == team_id] if team_id is not None else teams
    stale_only = request.args.get("stale") == "1"
    include_retired = request.args.get("retired") == "1"
    groups = queries.catalog_groups(
        shown, now=now, stale_only=stale_only, include_retired=include_retired
    )
    return render_template(
        "catalog/index.html",
        groups=groups,
        teams=teams,
        team_id=team_id,
        stale_only=stale_only,
        include_retired=include_retired,
        editable=_editable_team_ids(teams),
        now=now,
        stale_days=STALE_AFTER.days,
    )


@bp.get("/options")
@require("catalog.view")
def options():
    """The active entries of one team as JSON, for the broken-promise form."""
    team_id = request.args.get("team_id", type=parse_int)
    if team_id is None:
        return jsonify(error="Bad request", message="Give team_id as a whole number."), 400
    team = db.session.get(Team, team_id) if 0 < team_id <= MAX_INT else None
    if team is None:
        return jsonify(error="Not found", message="There is no such team."), 404
    return jsonify(queries.team_options(team, now=utcnow()))


@bp.get("/<int:commitment_id>")
@require("catalog.view")
def detail(commitment_id: int):
    """One entry: its promise, details, owner and when it was last confirmed."""
    commitment = _commitment_or_404(commitment_id)
    now = utcnow()
    return render_template(
        "catalog/detail.html",
        commitment=commitment,
        details_html=markdown.render(commitment.details),
        now=now,
        stale=commitment.is_stale(now),
        stale_days=STALE_AFTER.days,
    )


@bp.route("/new", methods=["GET", "POST"])
@require("catalog.edit")
def new():
    """Publish an entry: ops for their own team, admins for any operations team."""
    source = request.form if request.method == "POST" else request.args
    chosen = _operations_team(source.get("team_id", type=parse_int))
    if chosen is not None:
        _require_team(chosen)
    teams = queries.operations_teams()
    editable = _editable_team_ids(teams)
    teams = [t for t in teams if t.id in editable]
    if chosen is None and len(teams) == 1:
        chosen = teams[0]
    form = NewCommitmentForm(team_id=chosen.id if chosen else None)
    form.team_id.choices = [SelectChoice("", "— choose a team —")] + [
        SelectChoice(t.id, t.name) for t in teams
    ]
    form.owner_id.choices = _owner_choices(teams)
    if form.validate_on_submit():
        try:
            commitment = services.create_commitment(
                chosen,
                title=form.title.data,
                promise=form.promise.data,
                details=form.details.data or "",
                owner_id=form.owner_id.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            form.owner_id.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"“{commitment.title}” is published in the catalog.", "success")
            return redirect(url_for("catalog.detail", commitment_id=commitment.id))
    return render_template("catalog/edit.html", form=form, commitment=None, team=chosen)


@bp.route("/<int:commitment_id>/edit", methods=["GET", "POST"])
@require("catalog.edit")
def edit(commitment_id: int):
    """Change an entry's wording or owner."""
    commitment = _commitment_or_404(commitment_id)
    require_obj("catalog.edit", commitment)
    form = CommitmentForm(obj=commitment)
    form.owner_id.choices = _owner_choices([commitment.team])
    if form.validate_on_submit():
        try:
            services.update_commitment(
                commitment,
                title=form.title.data,
                promise=form.promise.data,
                details=form.details.data or "",
                owner_id=form.owner_id.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            form.owner_id.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"“{commitment.title}” is saved.", "success")
            return redirect(url_for("catalog.detail", commitment_id=commitment.id))
    return render_template(
        "catalog/edit.html", form=form, commitment=commitment, team=commitment.team
    )


@bp.post("/<int:commitment_id>/confirm")
@require("catalog.edit")
def confirm(commitment_id: int):
    """Confirm the entry is still true today."""
    commitment = _commitment_or_404(commitment_id)
    require_obj("catalog.edit", commitment)
    try:
        services.confirm_commitment(commitment, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"“{commitment.title}” is confirmed as of today.", "success")
    return redirect(url_for("catalog.detail", commitment_id=commitment.id))


def _set_active(commitment_id: int, active: bool):
    commitment = _commitment_or_404(commitment_id)
    require_obj("catalog.edit", commitment)
    services.set_active(commitment, active, actor=current_user)
    db.session.commit()
    state = "back in the catalog" if active else "retired: reps no longer see it offered"
    flash(f"“{commitment.title}” is {state}.", "success")
    return redirect(url_for("catalog.detail", commitment_id=commitment.id))


@bp.post("/<int:commitment_id>/deactivate")
@require("catalog.edit")
def deactivate(commitment_id: int):
    """Retire an entry the team can no longer deliver."""
    return _set_active(commitment_id, False)


@bp.post("/<int:commitment_id>/reactivate")
@require("catalog.edit")
def reactivate(commitment_id: int):
    """Bring a retired entry back."""
    return _set_active(commitment_id, True)
