"""Triage action forms."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

MAX_ID = 2**31 - 1


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(min=3, max=2000)])


class QuestionForm(FlaskForm):
    question = TextAreaField(
        "Question for the reporter", validators=[DataRequired(), Length(min=3, max=2000)]
    )


class NoteForm(FlaskForm):
    remark = StringField("Note (optional)", validators=[Optional(), Length(max=2000)])


class DuplicateForm(FlaskForm):
    original_id = IntegerField(
        "Original report number", validators=[InputRequired(), NumberRange(1, MAX_ID)]
    )


class AttachForm(FlaskForm):
    fix_id = IntegerField("Fix number", validators=[InputRequired(), NumberRange(1, MAX_ID)])
