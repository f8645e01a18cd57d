"""Accounts pages: the list, an account's page with its promise ledger, the editor, a lookup."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from forum.accounts import queries, services
from forum.accounts.forms import AccountForm, NewAccountForm
from forum.accounts.models import Account, Segment
from forum.auth.permissions import require
from forum.core.errors import DomainError
from forum.core.pagination import paginate
from forum.core.params import to_id
from forum.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _region_choices():
    return [SelectChoice("", "— none —")] + [
        SelectChoice(t.id, t.name) for t in queries.sales_regions()
    ]


@bp.get("/")
@require("account.view")
def index():
    """Accounts, searchable by name or CRM id and filterable by segment and region."""
    q = request.args.get("q", "").strip()[:100]
    segment = request.args.get("segment", "")
    regions = queries.sales_regions()
    region_id = request.args.get("region", type=to_id)
    if region_id not in {r.id for r in regions}:
        region_id = None  # an unknown (or absurd) region is no filter, never a database error
    page = paginate(queries.account_list(q, segment, region_id), per_page=50)
    return render_template(
        "accounts/index.html",
        page=page,
        q=q,
        segment=segment,
        region_id=region_id,
        segments=Segment,
        regions=regions,
    )


@bp.get("/lookup")
@require("account.view")
def lookup():
    """Up to ten accounts matching ``q`` as JSON, for the post form's typeahead."""
    q = request.args.get("q", "").strip()[:100]
    accounts = queries.lookup(q)
    return jsonify([{"id": a.id, "name": a.name, "crm_id": a.crm_id} for a in accounts])


@bp.get("/<int:account_id>")
@require("account.view")
def detail(account_id: int):
    """An account's facts and its promise ledger."""
    account = db.get_or_404(
        Account, account_id, options=[joinedload(Account.region), joinedload(Account.owner)]
    )
    return render_template(
        "accounts/detail.html",
        account=account,
        ledger=queries.ledger(account),
        ledger_limit=queries.LEDGER_LIMIT,
    )


def _save(account: Account | None):
    form = AccountForm(obj=account)
    form.region_id.choices = _region_choices()
    if form.validate_on_submit():
        try:
            account = services.save_account(
                account,
                name=form.name.data,
                segment=form.segment.data,
                region_id=form.region_id.data,
                arr=form.arr.data,
                arr_currency=form.arr_currency.data,
                crm_id=form.crm_id.data,
                actor=current_user,
            )
        except DomainError as exc:
            # The form already limits the segment and region; what is left is a CRM id clash.
            db.session.rollback()
            field = form.arr if exc.details.get("field") else form.crm_id
            field.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Account {account.name} is saved.", "success")
            return redirect(url_for("accounts.detail", account_id=account.id))
    return render_template("accounts/edit.html", form=form, account=account)


@bp.route("/new", methods=["GET", "POST"])
@require("account.create")
def new():
    """Add a customer: its own choice, with segment and region, similar names offered first."""
    form = NewAccountForm()
    form.region_id.choices = _region_choices()
    similar = []
    if form.validate_on_submit():
        try:
            account = services.create_account(
                name=form.name.data,
                segment=form.segment.data,
                region_id=form.region_id.data,
                arr=form.arr.data,
                arr_currency=form.arr_currency.data,
                crm_id=form.crm_id.data,
                actor=current_user,
                confirmed_new=form.confirm_new.data,
            )
        except services.SimilarAccounts as exc:
            db.session.rollback()
            similar = exc.suggestions
        except DomainError as exc:
            db.session.rollback()
            field = form.arr if exc.details.get("field") else form.crm_id
            field.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Account {account.name} is added.", "success")
            return redirect(url_for("accounts.detail", account_id=account.id))
    return render_template("accounts/new.html", form=form, similar=similar)


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
@require("account.edit")
def edit(account_id: int):
    """Change an account's name, segment, region, ARR or CRM id."""
    return _save(db.get_or_404(Account, account_id))
