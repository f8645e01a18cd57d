"""Admin pages for money: the organisation's reporting currency and its exchange rates (a rate
per currency and month, typed one at a time or imported from a CSV file)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from forum.admin.forms import options
from forum.auth.permissions import require
from forum.core import audit, rates
from forum.core.errors import DomainError
from forum.core.money import COMMON, ISO_4217
from forum.core.time import utcnow
from forum.extensions import db

bp = Blueprint("rates", __name__, url_prefix="/admin/rates")
MAX_CSV_BYTES = 512 * 1024


def _all_currencies():
    return options((c, c) for c in [*COMMON, *sorted(ISO_4217 - set(COMMON))])


class ReportingCurrencyForm(FlaskForm):
    reporting_currency = SelectField("Reporting currency", choices=_all_currencies)


class RateForm(FlaskForm):
    month = StringField(
        "Month", validators=[DataRequired(), Length(max=7)], description="YYYY-MM, e.g. 2026-11"
    )
    currency = StringField("Currency", validators=[DataRequired(), Length(max=3)])
    quote = StringField(
        "Into", validators=[Length(max=3)], description="Empty: the reporting currency"
    )
    rate = StringField(
        "Rate",
        validators=[DataRequired(), Length(max=30)],
        description="How many units of “Into” one unit of the currency is worth",
    )


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file of rates",
        validators=[FileRequired("Choose a CSV file.")],
        description="Columns month,currency,into,rate (into may be empty for the reporting "
        "currency); all rows are imported, or none.",
    )


def _page(status: int = 200, **forms):
    forms.setdefault(
        "currency_form", ReportingCurrencyForm(reporting_currency=rates.reporting_currency())
    )
    forms.setdefault("rate_form", RateForm())
    forms.setdefault("import_form", ImportForm())
    return (
        render_template(
            "admin/rates.html",
            reporting=rates.reporting_currency(),
            rates=rates.rate_list(),
            this_month=rates.month_of(utcnow()),
            **forms,
        ),
        status,
    )


@bp.get("/")
@require("admin.rates")
def index():
    """The reporting currency and the rates, newest month first."""
    return _page()


@bp.post("/currency")
@require("admin.rates")
def set_currency():
    """Change the reporting currency."""
    form = ReportingCurrencyForm()
    if not form.validate():
        return _page(400, currency_form=form)
    code = rates.set_reporting_currency(form.reporting_currency.data, actor_id=current_user.id)
    audit.record("rates.reporting_currency", actor=current_user, currency=code)
    db.session.commit()
    flash(f"Totals are now shown in {code}.", "success")
    return redirect(url_for("rates.index"))


@bp.post("/")
@require("admin.rates")
def add_rate():
    """Add or replace one month's rate of one currency."""
    form = RateForm()
    if not form.validate():
        return _page(400, rate_form=form)
    try:
        row = rates.check_rate_input(
            form.month.data,
            form.currency.data,
            form.quote.data or rates.reporting_currency(),
            form.rate.data,
        )
    except DomainError as exc:
        field = {"Month": "month", "Currency": "currency", "Into": "quote"}.get(
            exc.details.get("field"), "rate"
        )
        getattr(form, field).errors.append(exc.message)
        return _page(400, rate_form=form)
    rates.store_rates([row], actor_id=current_user.id)
    audit.record(
        "rates.set",
        actor=current_user,
        month=row.month,
        currency=row.currency,
        quote=row.quote,
        rate=str(row.rate),
    )
    db.session.commit()
    flash(f"1 {row.currency} = {row.rate.normalize():f} {row.quote} in {row.month}.", "success")
    return redirect(url_for("rates.index"))


@bp.post("/import")
@require("admin.rates")
def import_csv():
    """Import rates from a CSV file: every row, or none with a report of the bad rows."""
    form = ImportForm()
    if not form.validate():
        return _page(400, import_form=form)
    data = form.file.data.read(MAX_CSV_BYTES + 1)
    errors: list[str] = []
    if len(data) > MAX_CSV_BYTES:
        errors = [f"The file is over {MAX_CSV_BYTES // 1024} KB."]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            errors = ["The file is not UTF-8 text."]
        else:
            try:
                count = rates.import_rates_csv(text, actor_id=current_user.id)
            except rates.RateImportError as exc:
                db.session.rollback()
                errors = exc.errors
    if errors:
        return _page(400, import_form=form, import_errors=errors)
    audit.record("rates.import", actor=current_user, rows=count)
    db.session.commit()
    flash(f"{count} rate{'s' if count != 1 else ''} imported.", "success")
    return redirect(url_for("rates.index"))
