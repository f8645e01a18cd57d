"""Forms for taxonomy terms."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from forum.auth.models import normalize_name
from forum.taxonomy.models import ReasonBranch, TaxonomyKind
from forum.taxonomy.services import KIND_NAMES, MAX_NAME

KIND_CHOICES = [SelectChoice(k.value, KIND_NAMES[k].capitalize()) for k in TaxonomyKind]
BRANCH_CHOICES = [SelectChoice(v, label) for v, label in ReasonBranch.choices()]
BRANCH_HINT = "“Delivery / operations” reasons can point at a fix."


class TermForm(FlaskForm):
    """Rename a term; a reason's branch can change too (the view drops it for other kinds)."""

    name = StringField(
        "Name", filters=[normalize_name], validators=[DataRequired(), Length(max=MAX_NAME)]
    )
    branch = SelectField("Branch", choices=BRANCH_CHOICES, description=BRANCH_HINT)


class NewTermForm(TermForm):
    kind = SelectField("Kind", choices=KIND_CHOICES)
    branch = SelectField(
        "Branch (win/loss reasons only)",
        choices=[SelectChoice("", "— not a reason —"), *BRANCH_CHOICES],
        default="",
        description=BRANCH_HINT,
    )

    def validate_branch(self, field):
        if self.kind.data == TaxonomyKind.REASON and not field.data:
            raise ValidationError("Choose the branch this reason belongs to.")
