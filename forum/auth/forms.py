"""Sign-in, password and time-zone forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from forum.auth.services import MAX_PASSWORD, MIN_PASSWORD


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=f"Use at least {MIN_PASSWORD} characters (and at most {MAX_PASSWORD}).",
            ),
        ],
        description=f"At least {MIN_PASSWORD} characters. A long phrase is best.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])


class SaveViewForm(FlaskForm):
    """Keep the list's current filters as a named view (forum/auth/list_memory.py)."""

    name = StringField("Name of the view", validators=[DataRequired(), Length(max=60)])
    query = HiddenField(validators=[Length(max=4000)])  # the service says when it is too long


class DeleteViewForm(FlaskForm):
    name = HiddenField(validators=[DataRequired(), Length(max=60)])


class TimeZoneForm(FlaskForm):
    """One's own zone; the choices (every zone, and "the organisation's") come from the view."""

    time_zone = SelectField("Time zone", validators=[Optional()], validate_choice=False)


class BrowserZoneForm(FlaskForm):
    """What static/js/app.js posts once after a sign-in: the browser's zone."""

    time_zone = StringField(validators=[DataRequired(), Length(max=60)])
