"""Taxonomy pages (admins): competitors, win/loss reasons by branch, root-cause categories."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum.auth.permissions import require
from forum.core.errors import DomainError
from forum.extensions import db
from forum.taxonomy import services
from forum.taxonomy.forms import NewTermForm, TermForm
from forum.taxonomy.models import ReasonBranch, TaxonomyKind, TaxonomyTerm

bp = Blueprint("taxonomy", __name__, url_prefix="/admin/taxonomy")


@bp.get("/")
@require("admin.taxonomy")
def index():
    """Every term by kind; reasons grouped by branch, the delivery/operations branch marked."""
    groups = services.terms_by_kind()
    reasons = {b: [t for t in groups[TaxonomyKind.REASON] if t.branch == b] for b in ReasonBranch}
    return render_template(
        "taxonomy/index.html",
        competitors=groups[TaxonomyKind.COMPETITOR],
        reasons=reasons,
        root_causes=groups[TaxonomyKind.ROOT_CAUSE],
        delivery=ReasonBranch.DELIVERY,
    )


@bp.route("/new", methods=["GET", "POST"])
@require("admin.taxonomy")
def new():
    """Add a competitor, a win/loss reason or a root-cause category."""
    form = NewTermForm()
    if request.method == "GET":
        if request.args.get("kind") in {k.value for k in TaxonomyKind}:
            form.kind.data = request.args["kind"]
        if request.args.get("branch") in {b.value for b in ReasonBranch}:
            form.branch.data = request.args["branch"]
    if form.validate_on_submit():
        try:
            term = services.add_term(
                TaxonomyKind(form.kind.data),
                form.name.data,
                branch=form.branch.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"“{term.name}” is added.", "success")
            return redirect(url_for("taxonomy.index"))
    return render_template("taxonomy/new.html", form=form)


@bp.route("/<int:term_id>", methods=["GET", "POST"])
@require("admin.taxonomy")
def edit(term_id: int):
    """Rename a term, or move a reason to another branch."""
    term = db.get_or_404(TaxonomyTerm, term_id)
    is_reason = term.kind == TaxonomyKind.REASON
    form = TermForm(obj=term)
    if not is_reason:
        del form.branch
    if form.validate_on_submit():
        try:
            services.update_term(
                term,
                form.name.data,
                branch=form.branch.data if is_reason else None,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"“{term.name}” is saved.", "success")
            return redirect(url_for("taxonomy.index"))
    return render_template(
        "taxonomy/edit.html", form=form, term=term, kind_name=services.KIND_NAMES[term.kind]
    )


def _set_active(term_id: int, active: bool):
    term = db.get_or_404(TaxonomyTerm, term_id)
    services.set_active(term, active, actor=current_user)
    db.session.commit()
    state = "offered again" if active else "deactivated: new posts can no longer choose it"
    flash(f"“{term.name}” is {state}.", "success")
    return redirect(url_for("taxonomy.edit", term_id=term.id))


@bp.post("/<int:term_id>/deactivate")
@require("admin.taxonomy")
def deactivate(term_id: int):
    """Withdraw a term from new posts; posts that use it keep it."""
    return _set_active(term_id, False)


@bp.post("/<int:term_id>/reactivate")
@require("admin.taxonomy")
def reactivate(term_id: int):
    """Offer a deactivated term again."""
    return _set_active(term_id, True)
