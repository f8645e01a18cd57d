"""Forms of a follow-up: the rep's message, and a mark (what happened, when, a note)."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum.loop.services import MAX_MESSAGE, MAX_NOTE


class MessageForm(FlaskForm):
    message = TextAreaField(
        "Message to the customer", validators=[Optional(), Length(max=MAX_MESSAGE)]
    )


class MarkForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    state = HiddenField(validators=[DataRequired()])  # the state the page showed
    on = DateField("When?", validators=[Optional()])
    note = StringField("Note (optional)", validators=[Optional(), Length(max=MAX_NOTE)])
