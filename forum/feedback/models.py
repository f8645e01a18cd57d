"""Posts and everything hanging off them."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from forum.accounts.models import Account
from forum.auth.models import Team, User
from forum.auth.permissions import role_filter
from forum.catalog.models import Commitment
from forum.core.models import LabelledEnum, TimestampMixin
from forum.core.money import COMMON, Money, Totals
from forum.core.time import utcnow
from forum.extensions import db
from forum.taxonomy.models import Tag, TaxonomyTerm


class PostKind(LabelledEnum):
    FIELD_FEEDBACK = "field_feedback"
    WIN_LOSS = "win_loss"
    BROKEN_PROMISE = "broken_promise"

    @property
    def label(self) -> str:
        return {
            "field_feedback": "Field feedback",
            "win_loss": "Win/loss report",
            "broken_promise": "Broken promise",
        }[self.value]

    @property
    def slug(self) -> str:
        return self.value.replace("_", "-")


class PostStatus(LabelledEnum):
    NEW = "new"
    NEEDS_INFO = "needs_info"
    LINKED = "linked"
    DUPLICATE = "duplicate"
    DECLINED = "declined"
    NOTED = "noted"

    @property
    def label(self) -> str:
        return {
            "new": "New",
            "needs_info": "Needs information",
            "linked": "Linked to a fix",
            "duplicate": "Duplicate",
            "declined": "Declined",
            "noted": "Noted",
        }[self.value]


class Outcome(LabelledEnum):
    WON = "won"
    LOST = "lost"
    NO_DECISION = "no_decision"
    OPEN = "open"


class DealStage(LabelledEnum):
    DISCOVERY = "discovery"
    DEMO = "demo"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    CONTRACT = "contract"


class PromiseBasis(LabelledEnum):
    CATALOG = "catalog"
    BROCHURE = "brochure"
    POLICY = "policy"
    PERSON = "person"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "catalog": "A commitments-catalog entry",
            "brochure": "A brochure or datasheet",
            "policy": "A written policy",
            "person": "Someone's word",
            "other": "Something else",
        }[self.value]


CURRENCIES = COMMON  # offered first in the forms; any ISO 4217 code is accepted

post_tags = sa.Table(
    "post_tags",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

post_secondary_reasons = sa.Table(
    "post_secondary_reasons",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), primary_key=True),
)


class Post(TimestampMixin, db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        sa.Index("ix_posts_feed_newest", "created_at", "id"),
        sa.Index("ix_posts_feed_corroborated", "corroboration_count", "id"),
        sa.Index("ix_posts_feed_risk", "total_at_risk", "id"),
        sa.Index("ix_posts_kind_created", "kind", "created_at"),  # the board's period counts
        sa.CheckConstraint("impact IS NULL OR (impact BETWEEN 1 AND 4)", name="impact_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PostKind] = mapped_column(index=True)
    status: Mapped[PostStatus] = mapped_column(default=PostStatus.NEW, index=True)
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    shielded: Mapped[bool] = mapped_column(default=False)
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id"))
    # The fix this post was triaged into (fixes/ owns that table and the relationship).
    fix_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fixes.id", use_alter=True), index=True
    )
    triaged_at: Mapped[datetime | None]
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # Kept in step by the corroboration service so the feed sorts without aggregating.
    corroboration_count: Mapped[int] = mapped_column(default=0)
    # The total in the report's own currency (the feed's "risk" order) and, by currency, every
    # amount with its "me too"s (each account once: forum.core.money.per_account).
    total_at_risk: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=0)
    at_risk_by_currency: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")

    # Win/loss
    outcome: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    deal_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    stage: Mapped[str | None] = mapped_column(sa.String(20))
    competitor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("taxonomy_terms.id"))
    primary_reason_id: Mapped[int | None] = mapped_column(sa.ForeignKey("taxonomy_terms.id"))
    crm_opportunity_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    closed_on: Mapped[date | None]  # the deal's close date, from the CRM import
    # A delivery/operations reason can point at what caused the loss: a broken-promise report
    # or a fix. When that fix is verified, the deal's rep is asked to re-engage (forum.loop).
    cause_post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    cause_fix_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fixes.id", use_alter=True, ondelete="SET NULL"), index=True
    )

    # Broken promise (the body says what actually happened)
    promised: Mapped[str | None] = mapped_column(sa.Text)
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    basis: Mapped[str | None] = mapped_column(sa.String(20))
    basis_detail: Mapped[str | None] = mapped_column(sa.String(300))
    commitment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="SET NULL")
    )
    promised_date: Mapped[date | None]
    impact: Mapped[int | None]
    revenue_at_risk: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    region: Mapped[Team | None] = relationship(foreign_keys=[region_id])
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    account: Mapped[Account | None] = relationship()
    duplicate_of: Mapped["Post | None"] = relationship(
        remote_side=[id], foreign_keys=[duplicate_of_id]
    )
    cause_post: Mapped["Post | None"] = relationship(remote_side=[id], foreign_keys=[cause_post_id])
    competitor: Mapped[TaxonomyTerm | None] = relationship(foreign_keys=[competitor_id])
    primary_reason: Mapped[TaxonomyTerm | None] = relationship(foreign_keys=[primary_reason_id])
    secondary_reasons: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=post_secondary_reasons, order_by=TaxonomyTerm.name
    )
    commitment: Mapped[Commitment | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=post_tags, order_by=Tag.name)
    comments: Mapped[list["Comment"]] = relationship(
        back_populates="post", order_by="Comment.id", cascade="all, delete-orphan"
    )
    corroborations: Mapped[list["Corroboration"]] = relationship(
        back_populates="post",
        order_by="Corroboration.id",
        foreign_keys="Corroboration.post_id",
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="post", order_by="Attachment.id"
    )

    @property
    def own_at_risk(self) -> Money | None:
        """The report's own revenue at risk (broken promises only)."""
        if self.kind != PostKind.BROKEN_PROMISE or not self.revenue_at_risk:
            return None
        return Money(self.currency, self.revenue_at_risk)

    @property
    def own_totals(self) -> Totals:
        return Totals([self.own_at_risk] if self.own_at_risk else [])

    @property
    def deal(self) -> Money | None:
        return Money(self.currency, self.deal_value) if self.deal_value is not None else None

    @property
    def at_risk_totals(self) -> Totals:
        """The report's revenue at risk with its "me too"s, per currency."""
        return Totals(Money(c, Decimal(v)) for c, v in (self.at_risk_by_currency or {}).items())


class PostEvent(db.Model):
    """A post's own history: filed, triaged, asked for information, answered, merged."""

    __tablename__ = "post_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    from_status: Mapped[str] = mapped_column(sa.String(20), default="")
    to_status: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class PostRevision(db.Model):
    """The previous title and body of a post, kept when its author edits it."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)


class Corroboration(TimestampMixin, db.Model):
    """'Me too': one per user per post, guaranteed by the database."""

    __tablename__ = "corroborations"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "user_id"),
        sa.CheckConstraint("amount IS NULL OR currency IS NOT NULL", name="amount_has_currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    # The amount's ISO 4217 code (set whenever there is an amount).
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    # Set when a duplicate post's corroborations are moved to the original.
    moved_from_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id"))

    post: Mapped[Post] = relationship(back_populates="corroborations", foreign_keys=[post_id])
    # The merged duplicate this "me too" moved from (read-only: the merge sets the id).
    moved_from: Mapped[Post | None] = relationship(foreign_keys=[moved_from_post_id], viewonly=True)
    user: Mapped[User] = relationship()
    account: Mapped[Account | None] = relationship()


class Comment(TimestampMixin, db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)
    edited_at: Mapped[datetime | None]

    post: Mapped[Post] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()
    revisions: Mapped[list["CommentRevision"]] = relationship(order_by="CommentRevision.id")


class CommentRevision(db.Model):
    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text)
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(TimestampMixin, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    extension: Mapped[str] = mapped_column(sa.String(10))
    size: Mapped[int]

    post: Mapped[Post] = relationship(back_populates="attachments")


class Follow(TimestampMixin, db.Model):
    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("user_id", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)


# How many active people of a team may post under a shield, loaded with the team: a shield
# label names a region only when it hides its author among enough of them (feedback.shielding).
Team.active_reps = column_property(
    sa.select(sa.func.count(User.id))
    .where(User.team_id == Team.id, role_filter("post.shield"), User.active.is_(True))
    .correlate_except(User)
    .scalar_subquery()
)
