"""Forms for accounts: the account editor."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from forum.accounts.models import Segment
from forum.auth.models import normalize_name
from forum.core.forms import int_or_none, strip
from forum.core.money import COMMON
from forum.core.rates import reporting_currency

# Numeric(14, 2): twelve digits before the decimal point.
MAX_ARR = Decimal("999999999999.99")


def _cents(value: Decimal | None) -> Decimal | None:
    # Out-of-range values are left alone for NumberRange to refuse (quantize would raise).
    if value is None or not value.is_finite() or abs(value) > MAX_ARR:
        return value
    return value.quantize(Decimal("0.01"))


class MoneyField(DecimalField):
    """A decimal field that accepts thousands separators and spaces ("1,250,000")."""

    widget = TextInput()  # a number input would refuse the separators

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(",", "").replace(" ", "").replace("_", "")]
        super().process_formdata(valuelist)


class AccountForm(FlaskForm):
    name = StringField(
        "Name", filters=[normalize_name], validators=[DataRequired(), Length(max=120)]
    )
    segment = SelectField(
        "Segment",
        choices=[SelectChoice("", "— none —")]
        + [SelectChoice(v, label) for v, label in Segment.choices()],
    )
    region_id = SelectField("Sales region", coerce=int_or_none)
    arr = MoneyField(
        "Annual recurring revenue",
        filters=[_cents],
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_ARR, message="Enter an amount between 0 and 999 billion."),
        ],
    )
    arr_currency = SelectField(
        "Currency of the ARR",
        choices=lambda: [
            SelectChoice(c, c) for c in dict.fromkeys([reporting_currency(), *COMMON])
        ],
        default=reporting_currency,
    )
    crm_id = StringField(
        "CRM id",
        filters=[strip],
        validators=[Optional(), Length(max=64)],
        description="The account id in the CRM, e.g. 0016g00000AbCdE1. Unique.",
    )


def _chosen(form, field) -> None:
    if not field.data:
        raise ValidationError(f"Choose the {field.label.text.lower()}.")


class NewAccountForm(AccountForm):
    """Adding a customer is its own choice, with what a ledger needs: a segment and a region;
    names like existing ones are offered first, until the person says it is new."""

    segment = SelectField(
        "Segment",
        choices=[SelectChoice("", "— choose —")]
        + [SelectChoice(v, label) for v, label in Segment.choices()],
        validators=[_chosen],
    )
    region_id = SelectField("Sales region", coerce=int_or_none, validators=[_chosen])
    confirm_new = BooleanField("None of these: it is a new customer")
