"""Follow-ups of a verified fix: a customer to tell, a lost deal to re-engage, and their history."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.models import LabelledEnum, TimestampMixin
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes.models import Fix


class FollowUpKind(LabelledEnum):
    CUSTOMER = "customer"  # a broken promise made good: tell the customer
    DEAL = "deal"  # a deal lost to the fixed problem: re-engage the buyer

    @property
    def label(self) -> str:
        return {"customer": "Tell the customer", "deal": "Re-engage the deal"}[self.value]


class FollowUpState(LabelledEnum):
    TO_TELL = "to_tell"
    INFORMED = "informed"
    TRUST_RESTORED = "trust_restored"
    STILL_UNHAPPY = "still_unhappy"
    TO_REENGAGE = "to_reengage"
    REENGAGED = "reengaged"
    WON_BACK = "won_back"
    NOT_PURSUED = "not_pursued"
    # The fix was reopened before the step was taken; verifying it again brings it back.
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "to_tell": "Customer not yet told",
            "informed": "Customer informed",
            "trust_restored": "Trust restored",
            "still_unhappy": "Customer still unhappy",
            "to_reengage": "Not yet re-engaged",
            "reengaged": "Re-engaged",
            "won_back": "Won back",
            "not_pursued": "Not pursued",
            "withdrawn": "Withdrawn: the fix was reopened",
        }[self.value]


S = FollowUpState
FIRST_STATE = {FollowUpKind.CUSTOMER: S.TO_TELL, FollowUpKind.DEAL: S.TO_REENGAGE}
# States after which the follow-up is done (the promise is closed on the ledger).
CLOSED_STATES = frozenset({S.TRUST_RESTORED, S.STILL_UNHAPPY, S.WON_BACK, S.NOT_PURSUED})
# The customer has heard from the rep (informed, and whatever they answered).
TOLD_STATES = frozenset({S.INFORMED, S.TRUST_RESTORED, S.STILL_UNHAPPY})
# The buyer has heard from the rep again.
REENGAGED_STATES = frozenset({S.REENGAGED, S.WON_BACK})


class FollowUp(TimestampMixin, db.Model):
    """One step a rep owes after a fix is verified: one per report (or deal) and fix."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "fix_id"),
        sa.Index("ix_follow_ups_rep_state", "rep_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FollowUpKind]
    state: Mapped[FollowUpState] = mapped_column(index=True)
    fix_id: Mapped[int] = mapped_column(sa.ForeignKey("fixes.id", ondelete="CASCADE"), index=True)
    # The broken-promise report (customer) or the win/loss report (deal).
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    # Who owes the step: the report's author.
    rep_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The rep's message to the customer, once they edited the draft ("" while it is the draft).
    message: Mapped[str] = mapped_column(sa.Text, default="")
    informed_on: Mapped[date | None]  # the day the customer was told (or the buyer re-engaged)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    fix: Mapped[Fix] = relationship()
    post: Mapped[Post] = relationship()
    rep: Mapped[User] = relationship()
    events: Mapped[list["FollowUpEvent"]] = relationship(
        back_populates="follow_up", order_by="FollowUpEvent.id", viewonly=True
    )

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES


class FollowUpEvent(db.Model):
    """One entry of a follow-up's history: opened, moved, withdrawn, its message edited."""

    __tablename__ = "follow_up_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # None: the system
    kind: Mapped[str] = mapped_column(sa.String(20))  # opened, state, message
    from_state: Mapped[str] = mapped_column(sa.String(20), default="")
    to_state: Mapped[str] = mapped_column(sa.String(20), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    on_date: Mapped[date | None]

    follow_up: Mapped[FollowUp] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
