"""Forms of the buyer's voice: a survey link for a contact, the buyer's answers (the public
survey and a leader's interview share them), and a quote's themes."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from forum.buyers.models import (
    CONTACT_NAME_MAX,
    EMAIL_MAX,
    PRODUCT_AREA_MAX,
    QUOTE_MAX,
    SHORT_MAX,
    TEXT_MAX,
    BuyerOutcome,
    Driver,
)
from forum.buyers.services import Answers, QuoteInput
from forum.core.forms import int_or_none, strip
from forum.core.params import coerce_int
from forum.taxonomy.models import ReasonBranch

# The reason taxonomy's branches, as a buyer would put them.
BUYER_BRANCHES = {
    ReasonBranch.PRODUCT: "The product and how it fits",
    ReasonBranch.PRICE: "Price and terms",
    ReasonBranch.RELATIONSHIP: "The people and the buying process",
    ReasonBranch.DELIVERY: "Delivery, service and keeping promises",
    ReasonBranch.OTHER: "Something else",
}
DRIVER_CHOICES = [("", "Choose…"), *Driver.choices()]
RATINGS = [("5", "Excellent"), ("4", "Good"), ("3", "Fair"), ("2", "Poor"), ("1", "Very poor")]
QUOTE_SLOTS = 3


class SurveyLinkForm(FlaskForm):
    contact_name = StringField(
        "Buyer contact's name",
        filters=[strip],
        validators=[DataRequired(), Length(max=CONTACT_NAME_MAX)],
    )
    contact_email = StringField(
        "Their e-mail address (needed to send it from here)",
        filters=[strip],
        validators=[Optional(), Length(max=EMAIL_MAX)],
    )
    product_area = StringField(
        "Product area the buyer will see",
        filters=[strip],
        validators=[Optional(), Length(max=PRODUCT_AREA_MAX)],
    )
    send = BooleanField("Send it by e-mail now (otherwise copy the link into your own mail)")


def reason_choices(terms) -> list:
    """The reasons, each under the buyer's words for its branch ("Price and terms: ...")."""
    other = BUYER_BRANCHES[ReasonBranch.OTHER]
    return [("", "Choose the one reason that weighed most")] + [
        (str(t.id), f"{BUYER_BRANCHES.get(t.branch, other)}: {t.name}") for t in terms
    ]


class AnswersForm(FlaskForm):
    """The structured questions; ``main_reason`` choices are set by the view."""

    outcome = RadioField(
        "How did your decision go?", choices=BuyerOutcome.choices(), validators=[DataRequired()]
    )
    driver_1 = SelectField("What weighed most", choices=DRIVER_CHOICES, validators=[Optional()])
    driver_2 = SelectField("Second", choices=DRIVER_CHOICES, validators=[Optional()])
    driver_3 = SelectField("Third", choices=DRIVER_CHOICES, validators=[Optional()])
    main_reason = SelectField(
        "The main reason for your decision", coerce=int_or_none, validators=[Optional()]
    )
    alternatives = StringField(
        "Which other options did you consider?",
        filters=[strip],
        validators=[Optional(), Length(max=SHORT_MAX)],
    )
    almost_changed = TextAreaField(
        "What almost changed your decision?",
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX)],
    )
    delivery_rating = RadioField(
        "If you bought or renewed: how was delivery so far?",
        choices=RATINGS,
        validators=[Optional()],
    )
    delivery_experience = TextAreaField(
        "What went well or badly in delivery?",
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX)],
    )
    free_text = TextAreaField(
        "Anything else you want us to hear?",
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX)],
    )
    consent_to_quote = BooleanField("You may quote my words internally, with my name")

    def answers(self) -> Answers:
        rating = self.delivery_rating.data
        return Answers(
            outcome=self.outcome.data or "",
            drivers=[d for d in (self.driver_1.data, self.driver_2.data, self.driver_3.data) if d],
            main_reason_id=self.main_reason.data,
            alternatives=self.alternatives.data or "",
            almost_changed=self.almost_changed.data or "",
            delivery_rating=int(rating) if rating else None,
            delivery_experience=self.delivery_experience.data or "",
            free_text=self.free_text.data or "",
            consent_to_quote=bool(self.consent_to_quote.data),
        )


class InterviewForm(AnswersForm):
    """An interview: the same questions, the buyer's name and up to three tagged quotes
    (theme choices are set by the view)."""

    contact_name = StringField(
        "Buyer you talked to",
        filters=[strip],
        validators=[DataRequired(), Length(max=CONTACT_NAME_MAX)],
    )
    consent_to_quote = BooleanField("The buyer agreed to be quoted internally by name")


for _n in range(1, QUOTE_SLOTS + 1):
    setattr(
        InterviewForm,
        f"quote_{_n}",
        TextAreaField(
            f"Quote {_n}", filters=[strip], validators=[Optional(), Length(max=QUOTE_MAX)]
        ),
    )
    setattr(
        InterviewForm,
        f"themes_{_n}",
        SelectMultipleField(f"Themes of quote {_n}", coerce=coerce_int, validators=[Optional()]),
    )


def interview_quotes(form: InterviewForm) -> list[QuoteInput]:
    return [
        QuoteInput(form[f"quote_{n}"].data or "", list(form[f"themes_{n}"].data or []))
        for n in range(1, QUOTE_SLOTS + 1)
        if (form[f"quote_{n}"].data or "").strip()
    ]


class ThemeForm(FlaskForm):
    name = StringField("Theme", filters=[strip], validators=[DataRequired(), Length(max=80)])


class MergeThemeForm(FlaskForm):
    into = SelectField("Merge into", coerce=int_or_none, validators=[DataRequired()])


class EvidenceForm(FlaskForm):
    """Where a buyer's answer goes: a new report (filed for the rep), or an existing report
    or fix."""

    target = SelectField(
        "Use this answer as",
        choices=[
            ("report", "A new broken-promise report, filed on the rep's behalf"),
            ("post", "Evidence on an existing report"),
            ("fix", "Evidence on an existing fix"),
        ],
        validators=[DataRequired()],
    )
    quote = SelectField("Which words", validators=[Optional()])
    target_id = StringField(
        "Report or fix number (for existing ones)",
        filters=[strip],
        validators=[Optional(), Length(max=12)],
    )
