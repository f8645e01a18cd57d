"""Forms for the three kinds of report, comments, corroboration and reveals; the choices they
offer and the report they describe, as the services take it."""

import secrets

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget

from forum.core.forms import BoundedIntegerField, int_or_none
from forum.core.params import coerce_int, to_id
from forum.core.rates import reporting_currency
from forum.feedback import queries
from forum.feedback.models import CURRENCIES, DealStage, Outcome, PostKind, PromiseBasis
from forum.feedback.services import PostInput
from forum.taxonomy.models import TaxonomyKind

MAX_BODY = 20_000
MAX_AMOUNT = 999_999_999_999


def picked_id(value):
    """The picked account's id, or None when nothing (or no id) was picked."""
    try:
        return to_id(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def options(pairs) -> list[SelectChoice]:
    """Choices for a select box (WTForms deprecates plain ``(value, label)`` tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _finite(form, field) -> None:
    # Decimal accepts "NaN", "sNaN" and "Infinity"; sNaN even breaks NumberRange (a 500).
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("Enter an amount in figures, e.g. 25000.")


def _currencies() -> list[SelectChoice]:
    """The common currencies, the organisation's own first."""
    own = reporting_currency()
    return options((c, c) for c in dict.fromkeys([own, *CURRENCIES]))


def _currency_field(label: str = "Currency") -> SelectField:
    return SelectField(label, choices=_currencies, default=reporting_currency)


def _amount(label: str, description: str = "") -> DecimalField:
    return DecimalField(
        label,
        places=2,
        validators=[Optional(), _finite, NumberRange(min=0, max=MAX_AMOUNT)],
        description=description,
    )


class PostForm(FlaskForm):
    """Fields every kind shares."""

    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=200)],
        description="One line a leader will understand at a glance.",
    )
    body = TextAreaField(
        "What happened",
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description="Markdown works: **bold**, lists, links.",
    )
    account = StringField(
        "Account",
        validators=[Optional(), Length(max=120)],
        description="Start typing the customer's name or CRM id, then pick it.",
    )
    # The account the picker chose: the typeahead's hidden field, or a "Did you mean" choice.
    account_id = HiddenField(filters=[picked_id])
    tags = StringField(
        "Tags", validators=[Optional(), Length(max=300)], description="Separate tags with commas."
    )
    shielded = BooleanField("Shield my name (others see “a verified rep” from your region)")
    evidence = MultipleFileField("Evidence (screenshots, e-mails, PDFs; up to 5 MB each)")
    submission_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.submission_key.data:
            self.submission_key.data = secrets.token_hex(16)

    def tag_list(self) -> list[str]:
        return [t for t in (self.tags.data or "").split(",") if t.strip()]


class FieldFeedbackForm(PostForm):
    body = TextAreaField(
        "What the market is saying",
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description="Markdown works: **bold**, lists, links.",
    )
    team_id = SelectField(
        "Which team should hear this?", coerce=int_or_none, validators=[Optional()]
    )


class WinLossForm(PostForm):
    outcome = RadioField(
        "Outcome", choices=options(Outcome.choices()), validators=[InputRequired()]
    )
    body = TextAreaField(
        "Why we won or lost",
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description="What did the buyer say? Markdown works.",
    )
    deal_value = _amount("Deal value")
    currency = _currency_field()
    stage = SelectField(
        "Stage reached",
        choices=options([("", "— not given —"), *DealStage.choices()]),
        validators=[Optional()],
    )
    competitor_id = SelectField("Competitor", coerce=int_or_none, validators=[Optional()])
    primary_reason_id = SelectField("Primary reason", coerce=int_or_none, validators=[Optional()])
    secondary_reason_ids = MultiCheckboxField(
        "Other reasons", coerce=coerce_int, validators=[Optional()]
    )
    crm_opportunity_id = StringField("CRM opportunity id", validators=[Optional(), Length(max=64)])
    cause_post_id = BoundedIntegerField(
        "Broken-promise report behind the loss (its number)",
        validators=[Optional()],
        min=1,
        description="With a delivery/operations reason: when its fix is verified, you are "
        "asked to win the deal back.",
    )
    cause_fix_id = BoundedIntegerField(
        "Fix behind the loss (its number)", validators=[Optional()], min=1
    )


class BrokenPromiseForm(PostForm):
    promised = TextAreaField(
        "What was promised",
        validators=[DataRequired(), Length(max=2000)],
        description="E.g. “Delivery within 5 working days”.",
    )
    account = StringField(
        "Account the promise was made to",
        validators=[DataRequired(), Length(max=120)],
        description="Start typing the customer's name or CRM id.",
    )
    team_id = SelectField(
        "Responsible operations team", coerce=int_or_none, validators=[DataRequired()]
    )
    body = TextAreaField(
        "What actually happened",
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description="Markdown works: **bold**, lists, links.",
    )
    contact_name = StringField("Customer contact", validators=[Optional(), Length(max=120)])
    basis = SelectField(
        "On what basis was it promised?",
        choices=options([("", "— not given —"), *PromiseBasis.choices()]),
        validators=[Optional()],
    )
    commitment_id = SelectField(
        "Catalog entry relied on", coerce=int_or_none, validators=[Optional()]
    )
    basis_detail = StringField(
        "Basis details (brochure page, policy, who said it)",
        validators=[Optional(), Length(max=300)],
    )
    promised_date = DateField("Promised date", validators=[Optional()])
    impact = RadioField(
        "Customer impact",
        choices=options(
            [
                ("1", "1 — minor"),
                ("2", "2 — noticeable"),
                ("3", "3 — serious"),
                ("4", "4 — account at risk"),
            ]
        ),
        validators=[Optional()],
    )
    revenue_at_risk = _amount("Revenue at risk")
    currency = _currency_field()


FORMS = {
    "field_feedback": FieldFeedbackForm,
    "win_loss": WinLossForm,
    "broken_promise": BrokenPromiseForm,
}


class CommentForm(FlaskForm):
    body = TextAreaField("Your comment", validators=[DataRequired(), Length(max=MAX_BODY)])
    internal = BooleanField("Internal note (only leaders, operations and admins see it)")


class CommentEditForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=MAX_BODY)])


class CorroborateForm(FlaskForm):
    account = StringField(
        "Another affected account (optional)", validators=[Optional(), Length(max=120)]
    )
    account_id = HiddenField(filters=[picked_id])
    amount = _amount("Amount at risk for that account (optional)")
    currency = SelectField(
        "Currency of that amount",
        choices=lambda: [SelectChoice("", "The report's currency"), *_currencies()],
        validators=[Optional()],
    )
    note = StringField("Note (optional)", validators=[Optional(), Length(max=500)])


class RevealForm(FlaskForm):
    reason = StringField(
        "Reason for revealing the author",
        validators=[DataRequired(), Length(min=5, max=500)],
        description="Recorded in the audit log with your name.",
    )


def _files_chosen(form, field) -> None:
    """The form's one field must hold a file; unlike DataRequired it marks nothing "required"
    (an asterisk on the only field of an upload form reads as an alarm, not as information)."""
    if not any(f and getattr(f, "filename", "") for f in field.data or []):
        raise StopValidation("Choose a file to add.")


class AttachForm(FlaskForm):
    evidence = MultipleFileField(
        "Files to add (screenshots, e-mails, PDFs; up to 5 MB each)", validators=[_files_chosen]
    )


def fill_choices(form, kind: PostKind) -> None:
    """Fill the select boxes of ``form`` from the database."""
    if hasattr(form, "team_id"):
        form.team_id.choices = queries.team_choices(kind)
    if kind == PostKind.WIN_LOSS:
        form.competitor_id.choices = [("", "— none named —")] + queries.term_choices(
            TaxonomyKind.COMPETITOR
        )
        reasons = queries.term_choices(TaxonomyKind.REASON)
        form.primary_reason_id.choices = [("", "— not given —")] + reasons
        form.secondary_reason_ids.choices = reasons
    if kind == PostKind.BROKEN_PROMISE:
        form.commitment_id.choices = queries.commitment_choices()


def post_input(form, kind: PostKind) -> PostInput:
    """The form's data as the services take it."""
    data = PostInput(
        kind=kind,
        title=form.title.data,
        body=form.body.data,
        account=form.account.data or "",
        account_id=form.account_id.data,
        tags=form.tag_list(),
        shielded=form.shielded.data,
        submission_key=(form.submission_key.data or "")[:64] or None,
        team_id=getattr(form, "team_id", None) and form.team_id.data,
        evidence=[(upload.read(), upload.filename) for upload in evidence_files(form)],
    )
    if kind == PostKind.WIN_LOSS:
        data.outcome = form.outcome.data
        data.deal_value = form.deal_value.data
        data.currency = form.currency.data
        data.stage = form.stage.data or None
        data.competitor_id = form.competitor_id.data
        data.primary_reason_id = form.primary_reason_id.data
        data.secondary_reason_ids = form.secondary_reason_ids.data or []
        data.crm_opportunity_id = form.crm_opportunity_id.data
        data.cause_post_id = form.cause_post_id.data
        data.cause_fix_id = form.cause_fix_id.data
    elif kind == PostKind.BROKEN_PROMISE:
        data.promised = form.promised.data
        data.contact_name = form.contact_name.data
        data.basis = form.basis.data or None
        data.basis_detail = form.basis_detail.data
        data.commitment_id = form.commitment_id.data
        data.promised_date = form.promised_date.data
        data.impact = int(form.impact.data) if form.impact.data else None
        data.revenue_at_risk = form.revenue_at_risk.data
        data.currency = form.currency.data
    return data


def evidence_files(form) -> list:
    """The files actually chosen in the form's evidence field."""
    return [f for f in (form.evidence.data or []) if f and f.filename]
