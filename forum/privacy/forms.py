"""The erasure's confirmation: the admin types the person's e-mail address."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from forum.core.forms import strip


class EraseForm(FlaskForm):
    confirm = StringField(
        "Their e-mail address, to confirm",
        validators=[DataRequired(), Length(max=254)],
        filters=[strip],
    )
