"""Forms for user and team administration."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from forum.auth.models import Role, TeamKind


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def _options(enum) -> list[SelectChoice]:
    # wtforms 3.3 deprecates (value, label) tuples as declared choices (removed in 3.4).
    return [SelectChoice(value, label) for value, label in enum.choices()]


class UserForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    role = SelectField("Role", choices=_options(Role), validators=[DataRequired()])
    team_id = SelectField("Team", coerce=_int_or_none, validators=[Optional()])


class InviteForm(UserForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )


class TeamForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    kind = SelectField("Kind", choices=_options(TeamKind), validators=[DataRequired()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=300)])
    lead_id = SelectField(
        "Team lead (escalations go here first)", coerce=_int_or_none, validators=[Optional()]
    )
    sponsor_id = SelectField(
        "Executive sponsor (operations teams)", coerce=_int_or_none, validators=[Optional()]
    )
