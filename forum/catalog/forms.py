"""Forms for catalog entries."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum.auth.models import normalize_name
from forum.catalog.services import MAX_DETAILS, MAX_PROMISE, MAX_TITLE
from forum.core.forms import int_or_none, strip


class CommitmentForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[normalize_name],
        validators=[DataRequired(), Length(max=MAX_TITLE)],
        description="What a rep looks for, e.g. “Standard shipping lead time”.",
    )
    promise = TextAreaField(
        "What we can promise today",
        filters=[normalize_name],
        validators=[DataRequired(), Length(max=MAX_PROMISE)],
        description="One or two sentences a rep can repeat to a customer word for word.",
    )
    details = TextAreaField(
        "Details",
        filters=[strip],
        validators=[Optional(), Length(max=MAX_DETAILS)],
        description="Conditions, exceptions and whom to ask. Markdown is allowed.",
    )
    owner_id = SelectField("Owner", coerce=int_or_none)


class NewCommitmentForm(CommitmentForm):
    team_id = SelectField("Operations team", coerce=int_or_none, validators=[DataRequired()])
