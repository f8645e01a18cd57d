"""Forms for user and team administration."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forum.auth.models import Role, TeamKind, normalize_email
from forum.auth.services import check_email
from forum.core.errors import DomainError
from forum.core.forms import int_or_none, strip


def _email_address(form, field):
    # The service's check, not email_validator's: that one refuses intranet domains (".local").
    try:
        check_email(normalize_email(field.data))
    except DomainError as exc:
        raise ValidationError(exc.message) from exc


def options(pairs) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs (WTForms deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class UserForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    role = SelectField("Role", choices=options(Role.choices()), validators=[DataRequired()])
    team_id = SelectField("Team", coerce=int_or_none, validators=[Optional()])


class InviteForm(UserForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Length(max=254), _email_address],
        filters=[strip],
    )


class TeamForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    kind = SelectField("Kind", choices=options(TeamKind.choices()), validators=[DataRequired()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=300)])
    lead_id = SelectField(
        "Team lead (escalations go here first)", coerce=int_or_none, validators=[Optional()]
    )
    sponsor_id = SelectField(
        "Executive sponsor (operations teams)", coerce=int_or_none, validators=[Optional()]
    )
