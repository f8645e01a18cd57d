"""Admin pages of the CRM import: upload exports, read a run's summary and rejected rows,
map CRM competitor and loss-reason names to taxonomy terms, merge two accounts."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forum.accounts.models import Account
from forum.accounts.services import UnknownAccount, pick_account
from forum.auth.permissions import require
from forum.core import csvsafe
from forum.core.errors import DomainError
from forum.crm import commands, results, services
from forum.crm.forms import MapNameForm, MergeForm, UploadForm
from forum.crm.merge import merge_accounts
from forum.crm.models import CrmImport, CrmRejection, CrmTermName
from forum.extensions import db
from forum.feedback.forms import picked_id
from forum.taxonomy.models import TaxonomyTerm

bp = Blueprint("crm", __name__, url_prefix="/admin/crm")
SHOWN_REJECTIONS = 100
RECENT_RUNS = 20


def _page(form=None, status=200):
    runs = db.session.scalars(
        sa.select(CrmImport).order_by(CrmImport.id.desc()).limit(RECENT_RUNS)
    ).all()
    names = db.session.scalars(
        sa.select(CrmTermName)
        .where(CrmTermName.term_id.is_(None))
        .order_by(CrmTermName.kind, CrmTermName.name_key)
    ).all()
    terms = db.session.scalars(
        sa.select(TaxonomyTerm).where(TaxonomyTerm.active.is_(True)).order_by(TaxonomyTerm.name_key)
    ).all()
    forms = {}
    for name in names:
        f = MapNameForm()
        f.term_id.choices = [SelectChoice("", "— choose —")] + [
            SelectChoice(t.id, t.name) for t in terms if t.kind == name.kind
        ]
        forms[name.id] = f
    return render_template(
        "crm/index.html", form=form or UploadForm(), runs=runs, names=names, map_forms=forms
    ), status


@bp.get("/")
@require("admin.crm")
def index():
    """The upload form, recent runs and the CRM names waiting to be mapped."""
    return _page()


@bp.post("/import")
@require("admin.crm")
def upload():
    """Import the uploaded exports (a commit per batch) and show the run's summary."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    importer = services.Importer(
        actor=current_user,
        source="upload",
        dry_run=form.dry_run.data,
        day_first=form.day_first.data,
    )
    opportunities = form.opportunities.data if form.opportunities.data else None
    names = (
        (form.accounts.data.filename or "accounts.csv")[:100],
        (opportunities.filename or "opportunities.csv")[:100] if opportunities else "",
    )
    try:
        commands.run(
            importer,
            form.accounts.data.stream,
            opportunities.stream if opportunities else None,
            names=names,
        )
    except results.ImportError_ as exc:
        form.accounts.errors = [exc.message]
        return _page(form, 400)
    if importer.dry_run:
        return render_template(
            "crm/run.html",
            run=None,
            summary=importer.summary.as_dict(),
            rejections=[],
            dry_run=True,
        )
    flash("The import is done.", "success")
    return redirect(url_for("crm.run", run_id=importer.run_id))


@bp.get("/imports/<int:run_id>")
@require("admin.crm")
def run(run_id: int):
    """A run's summary and its first rejected rows."""
    entry = db.get_or_404(CrmImport, run_id)
    rejections = db.session.scalars(
        sa.select(CrmRejection)
        .where(CrmRejection.import_id == run_id)
        .order_by(CrmRejection.file, CrmRejection.row, CrmRejection.id)
        .limit(SHOWN_REJECTIONS)
    ).all()
    return render_template(
        "crm/run.html", run=entry, summary=entry.summary, rejections=rejections, dry_run=False
    )


@bp.get("/imports/<int:run_id>/rejected.csv")
@require("admin.crm")
def rejected(run_id: int):
    """The rejected-rows report: file, row, column, reason (formula-safe CSV)."""
    db.get_or_404(CrmImport, run_id)
    return csvsafe.download(
        f"crm-import-{run_id}-rejected.csv", results.REPORT_HEADER, results.rejected_rows(run_id)
    )


@bp.post("/names/<int:name_id>")
@require("admin.crm")
def map_name(name_id: int):
    """Say which taxonomy term a CRM name means; the next import applies it."""
    entry = db.get_or_404(CrmTermName, name_id)
    form = MapNameForm()
    form.term_id.choices = [
        SelectChoice(t.id, t.name)
        for t in db.session.scalars(sa.select(TaxonomyTerm).where(TaxonomyTerm.kind == entry.kind))
    ]
    if not form.validate_on_submit():
        abort(400, description="Choose a term of the same kind.")
    services.map_term_name(
        entry, db.session.get(TaxonomyTerm, form.term_id.data), actor=current_user
    )
    db.session.commit()
    flash(
        f"“{entry.name}” now reads as {entry.term.name}. Re-run the import to apply it.", "success"
    )
    return redirect(url_for("crm.index"))


@bp.route("/accounts/<int:account_id>/merge", methods=["GET", "POST"])
@require("account.merge")
def merge(account_id: int):
    """Fold this account into another: reports, "me too"s, fixes and ledger follow. Audited."""
    source = db.get_or_404(Account, account_id)
    form = MergeForm()
    suggestions = []
    if form.validate_on_submit():
        try:
            target = pick_account(form.account.data, picked_id(form.account_id.data))
            if target is None:
                raise DomainError("Pick the account that stays.")
            merge_accounts(source, target, actor=current_user, reason=form.reason.data)
        except UnknownAccount as exc:
            db.session.rollback()
            form.account.errors = [exc.message]
            suggestions = exc.suggestions
        except DomainError as exc:
            db.session.rollback()
            form.account.errors = [exc.message]
        else:
            db.session.commit()
            flash(f"{source.name} is merged into {target.name}.", "success")
            return redirect(url_for("accounts.detail", account_id=target.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "crm/merge.html", source=source, form=form, suggestions=suggestions
    ), status
