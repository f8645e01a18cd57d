"""Forms for fixes: creating, moving, editing, snoozing, commenting, the SLA policy."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.core.forms import BoundedIntegerField, int_or_none
from forum.fixes.models import Priority


class FixForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    problem = TextAreaField("Problem statement", validators=[DataRequired(), Length(max=20000)])
    owner_team_id = SelectField(
        "Owner operations team", coerce=int_or_none, validators=[DataRequired()]
    )
    assignee_id = SelectField("Assignee (optional)", coerce=int_or_none, validators=[Optional()])
    priority = SelectField(
        "Priority", choices=Priority.choices(), default="P3", validators=[DataRequired()]
    )
    due_date = DateField("Due date (leave empty for the SLA default)", validators=[Optional()])
    due_reason = StringField(
        "Reason for a non-standard due date", validators=[Optional(), Length(max=500)]
    )


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    version = BoundedIntegerField(widget=None, validators=[InputRequired()], min=0)
    note = TextAreaField("Reason", validators=[Optional(), Length(max=5000)])
    resolution_note = TextAreaField("Resolution note", validators=[Optional(), Length(max=5000)])
    root_cause_id = SelectField("Root-cause category", coerce=int_or_none, validators=[Optional()])
    prevention = TextAreaField("Prevention action", validators=[Optional(), Length(max=5000)])


class AssignForm(FlaskForm):
    version = BoundedIntegerField(validators=[InputRequired()], min=0)
    assignee_id = SelectField("Assignee", coerce=int_or_none, validators=[Optional()])


class PriorityForm(FlaskForm):
    version = BoundedIntegerField(validators=[InputRequired()], min=0)
    priority = SelectField("Priority", choices=Priority.choices(), validators=[DataRequired()])
    priority_note = StringField("Why (optional)", validators=[Optional(), Length(max=500)])


class DueForm(FlaskForm):
    version = BoundedIntegerField(validators=[InputRequired()], min=0)
    new_due_date = DateField("New due date", validators=[DataRequired()])
    due_reason = StringField(
        "Reason for the new date", validators=[DataRequired(), Length(min=3, max=500)]
    )


class SnoozeForm(FlaskForm):
    version = BoundedIntegerField(validators=[InputRequired()], min=0)
    until = DateField("Hold escalation until", validators=[DataRequired()])
    snooze_reason = StringField(
        "Reason for snoozing", validators=[DataRequired(), Length(min=3, max=500)]
    )


class FixCommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=20000)])


class SlaForm(FlaskForm):
    """Rows for P1..P4 are added in the view."""

    triage_target_hours = BoundedIntegerField(
        "Triage target (hours)", validators=[InputRequired(), NumberRange(1, 24 * 30)]
    )
    verify_window_days = BoundedIntegerField(
        "Days reporters have to verify a resolved fix",
        validators=[InputRequired(), NumberRange(1, 90)],
    )
    sponsor_after_hours = BoundedIntegerField(
        "Hours after escalating to the team lead before the executive sponsor is told",
        validators=[InputRequired(), NumberRange(1, 24 * 30)],
    )
    alert_min_impact = BoundedIntegerField(
        "Tell sales leaders at once of a new report whose impact is at least (1 to 4; 5: never)",
        validators=[InputRequired(), NumberRange(1, 5)],
    )
    customer_told_days = BoundedIntegerField(
        "Days after a fix is verified before leaders see customers not yet told of it",
        validators=[Optional(), NumberRange(0, 365)],
    )
    buyer_retention_months = BoundedIntegerField(
        "Months to keep buyer names and e-mail addresses (their answers stay, anonymised)",
        validators=[Optional(), NumberRange(1, 120)],
    )
    # Every zone is a choice (set in the view); the service checks the name.
    time_zone = SelectField(
        "The organisation's time zone",
        description="Everyone sees times in it until they choose their own. Due dates are its "
        "days: a fix due 7 Dec is due by the end of 7 Dec there.",
        validators=[Optional()],
        validate_choice=False,
    )


for _p in ("P1", "P2", "P3", "P4"):
    setattr(
        SlaForm,
        f"{_p}_ack_hours",
        BoundedIntegerField(
            f"{_p}: hours to acknowledge", validators=[InputRequired(), NumberRange(1, 24 * 60)]
        ),
    )
    setattr(
        SlaForm,
        f"{_p}_resolve_days",
        BoundedIntegerField(
            f"{_p}: days to resolve", validators=[InputRequired(), NumberRange(1, 730)]
        ),
    )
