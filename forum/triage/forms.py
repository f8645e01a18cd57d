"""Triage action forms."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.core.forms import BoundedIntegerField
from forum.core.params import MAX_INT


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(min=3, max=2000)])


class QuestionForm(FlaskForm):
    question = TextAreaField(
        "Question for the reporter", validators=[DataRequired(), Length(min=3, max=2000)]
    )


class NoteForm(FlaskForm):
    remark = StringField("Note (optional)", validators=[Optional(), Length(max=2000)])


class DuplicateForm(FlaskForm):
    original_id = BoundedIntegerField(
        "Original report number", validators=[InputRequired(), NumberRange(1, MAX_INT)]
    )


class AttachForm(FlaskForm):
    fix_id = BoundedIntegerField(
        "Fix number", validators=[InputRequired(), NumberRange(1, MAX_INT)]
    )


BULK_ACTIONS = {
    "fix": "Create a fix from the selected reports",
    "decline": "Decline",
    "needs_info": "Ask for information",
    "note": "Mark as noted",
    "duplicate": "Merge into a report",
}


class BulkForm(FlaskForm):
    """One action on the reports ticked in the inbox, with one reason for all of them."""

    action = SelectField("Action", choices=list(BULK_ACTIONS.items()), validators=[InputRequired()])
    reason = TextAreaField(
        "Reason, question or note for every selected report",
        validators=[Optional(), Length(max=2000)],
    )
    original_id = BoundedIntegerField(
        "Merge into report number", validators=[Optional(), NumberRange(1, MAX_INT)]
    )
