"""Buyer surveys (a single-use link per deal and contact), the answers a buyer gave or a leader
recorded in an interview, quotes tagged with admin-curated themes, and buyer evidence on
reports and fixes."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.models import LabelledEnum, TimestampMixin
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.taxonomy.models import TaxonomyTerm

CONTACT_NAME_MAX = 120
EMAIL_MAX = 320
PRODUCT_AREA_MAX = 120
SHORT_MAX = 500
TEXT_MAX = 2000
QUOTE_MAX = 1000


class ResponseSource(LabelledEnum):
    SURVEY = "survey"  # the buyer answered the link
    INTERVIEW = "interview"  # a leader recorded a conversation


class BuyerOutcome(LabelledEnum):
    """The outcome in the buyer's words."""

    BOUGHT = "bought"
    CHOSE_OTHER = "chose_other"
    NO_DECISION = "no_decision"
    STILL_DECIDING = "still_deciding"

    @property
    def label(self) -> str:
        return {
            "bought": "We chose you",
            "chose_other": "We chose another option",
            "no_decision": "We decided not to go ahead for now",
            "still_deciding": "We are still deciding",
        }[self.value]

    @property
    def deal_outcome(self) -> str:
        """The win/loss outcome this confirms."""
        return {
            "bought": "won",
            "chose_other": "lost",
            "no_decision": "no_decision",
            "still_deciding": "open",
        }[self.value]


class Driver(LabelledEnum):
    """What weighed in the decision (the buyer ranks the first three)."""

    PRICE = "price"
    FIT = "fit"
    TRUST = "trust"
    DELIVERY = "delivery"
    SUPPORT = "support"
    PROCESS = "process"

    @property
    def label(self) -> str:
        return {
            "price": "Price and terms",
            "fit": "How well the product fits our needs",
            "trust": "Trust in the vendor and its promises",
            "delivery": "Delivery, onboarding and service",
            "support": "Support and expertise",
            "process": "The buying process and the people we dealt with",
        }[self.value]


class BuyerSurvey(TimestampMixin, db.Model):
    """A survey link sent (or handed) to one named buyer contact about one deal.

    Only the SHA-256 of the link's token is stored: the link is shown (or mailed) once."""

    __tablename__ = "buyer_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Personal data of the buyer: emptied by the retention job (anonymised_at set).
    contact_name: Mapped[str | None] = mapped_column(sa.String(CONTACT_NAME_MAX))
    contact_email: Mapped[str | None] = mapped_column(sa.String(EMAIL_MAX))
    product_area: Mapped[str] = mapped_column(sa.String(PRODUCT_AREA_MAX), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    emailed: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]

    post: Mapped[Post] = relationship()
    created_by: Mapped[User | None] = relationship()
    response: Mapped["BuyerResponse | None"] = relationship(back_populates="survey")

    def is_open(self, now: datetime) -> bool:
        return self.answered_at is None and self.expires_at > now

    def state(self, now: datetime) -> str:
        if self.answered_at is not None:
            return "Answered"
        return "Waiting" if self.expires_at > now else "Expired"


quote_themes = sa.Table(
    "buyer_quote_themes",
    db.metadata,
    sa.Column("quote_id", sa.ForeignKey("buyer_quotes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("buyer_themes.id", ondelete="CASCADE"), primary_key=True),
)


class BuyerResponse(db.Model):
    """What a buyer said about a deal: through the survey link or in a recorded interview."""

    __tablename__ = "buyer_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("buyer_surveys.id", ondelete="CASCADE"), unique=True
    )
    source: Mapped[ResponseSource]
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # An interview's buyer (a survey's is its contact); emptied by the retention job.
    contact_name: Mapped[str | None] = mapped_column(sa.String(CONTACT_NAME_MAX))
    outcome: Mapped[BuyerOutcome]
    drivers: Mapped[list] = mapped_column(sa.JSON, default=list)  # Driver values, first first
    main_reason_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("taxonomy_terms.id", ondelete="SET NULL")
    )
    alternatives: Mapped[str] = mapped_column(sa.String(SHORT_MAX), default="")
    almost_changed: Mapped[str] = mapped_column(sa.Text, default="")
    delivery_rating: Mapped[int | None]  # 1 (poor) .. 5 (excellent), won deals and renewals
    delivery_experience: Mapped[str] = mapped_column(sa.Text, default="")
    free_text: Mapped[str] = mapped_column(sa.Text, default="")
    consent_to_quote: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    post: Mapped[Post] = relationship()
    survey: Mapped[BuyerSurvey | None] = relationship(back_populates="response")
    recorded_by: Mapped[User | None] = relationship()
    main_reason: Mapped[TaxonomyTerm | None] = relationship()
    quotes: Mapped[list["BuyerQuote"]] = relationship(
        back_populates="response", order_by="BuyerQuote.id", cascade="all, delete-orphan"
    )

    @property
    def buyer_name(self) -> str | None:
        """The buyer's name while it is kept (None once anonymised)."""
        if self.survey is not None:
            return self.survey.contact_name
        return self.contact_name

    @property
    def driver_labels(self) -> list[str]:
        return [Driver(d).label for d in self.drivers or [] if d in Driver._value2member_map_]


class BuyerTheme(TimestampMixin, db.Model):
    """A theme of the admin-curated taxonomy that tags quotes; merged themes point at the one
    they were merged into."""

    __tablename__ = "buyer_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    name_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buyer_themes.id"))


class BuyerThemeEvent(db.Model):
    """One entry of the theme taxonomy's history: created, renamed, merged."""

    __tablename__ = "buyer_theme_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("buyer_themes.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # created, renamed, merged
    from_name: Mapped[str] = mapped_column(sa.String(80), default="")
    to_name: Mapped[str] = mapped_column(sa.String(80), default="")
    into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buyer_themes.id"))


class BuyerQuote(db.Model):
    """A buyer's words, recorded in an interview, tagged with themes."""

    __tablename__ = "buyer_quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("buyer_responses.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)

    response: Mapped[BuyerResponse] = relationship(back_populates="quotes")
    themes: Mapped[list[BuyerTheme]] = relationship(
        secondary=quote_themes, order_by=BuyerTheme.name
    )


class BuyerEvidence(TimestampMixin, db.Model):
    """A buyer's answer (or one quote of it) standing behind a report or a fix: "heard from N
    buyers". ``filed`` marks the report filed on the rep's behalf from the answer."""

    __tablename__ = "buyer_evidence"
    __table_args__ = (
        sa.CheckConstraint("(post_id IS NULL) <> (fix_id IS NULL)", name="one_target"),
        sa.UniqueConstraint("response_id", "post_id", "fix_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("buyer_responses.id", ondelete="CASCADE"), index=True
    )
    quote_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("buyer_quotes.id", ondelete="SET NULL")
    )
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    fix_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fixes.id", ondelete="CASCADE"), index=True
    )
    filed: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    response: Mapped[BuyerResponse] = relationship()
    quote: Mapped[BuyerQuote | None] = relationship()
