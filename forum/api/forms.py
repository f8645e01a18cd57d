"""The form that makes a personal access token."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from forum.api.models import Scope


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=80)],
        description="What will use it, e.g. “CRM sync”.",
    )
    scope = SelectField("Scope", choices=Scope.choices(), default=Scope.READ.value)
    expires_on = DateField(
        "Expires on (optional)",
        validators=[Optional()],
        description="Leave empty for a token that lasts until you revoke it.",
    )
