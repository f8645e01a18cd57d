"""Forms of the CRM import pages: the upload, mapping a CRM name, merging two accounts."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from forum.core.forms import int_or_none, strip


class UploadForm(FlaskForm):
    accounts = FileField(
        "Accounts export (CSV)",
        validators=[FileRequired("Choose the accounts file.")],
        description="Salesforce, HubSpot or the generic layout; up to the upload limit.",
    )
    opportunities = FileField("Opportunities or deals export (CSV, optional)")
    day_first = BooleanField("Dates like 03/04/2026 mean 3 April (default: March 4)")
    dry_run = BooleanField("Dry run: check and count, store nothing")


class MapNameForm(FlaskForm):
    term_id = SelectField("Taxonomy term", coerce=int_or_none, validators=[DataRequired()])


class MergeForm(FlaskForm):
    """Fold this account into another, picked like any account."""

    account = StringField(
        "Merge into",
        filters=[strip],
        validators=[Optional(), Length(max=120)],
        description="The account that stays: start typing its name or CRM id.",
    )
    account_id = HiddenField()
    reason = StringField(
        "Why these are one customer",
        validators=[DataRequired(), Length(min=5, max=500)],
        description="Recorded in the audit log.",
    )
