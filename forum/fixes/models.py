"""Fixes, their append-only history, escalations, comments and the SLA policy."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import Team, User
from forum.core.models import LabelledEnum, TimestampMixin, enum_type
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.taxonomy.models import TaxonomyTerm


class FixStatus(LabelledEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    REOPENED = "reopened"
    WONT_FIX = "wont_fix"

    @property
    def label(self) -> str:
        return {"in_progress": "In progress", "wont_fix": "Won't fix"}.get(
            self.value, self.value.capitalize()
        )


# Statuses in which a fix still owes the customer something (and can be overdue).
OPEN_STATUSES = frozenset(
    {
        FixStatus.OPEN,
        FixStatus.ACKNOWLEDGED,
        FixStatus.IN_PROGRESS,
        FixStatus.BLOCKED,
        FixStatus.REOPENED,
    }
)


class Priority(LabelledEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def label(self) -> str:
        return {"P1": "P1 — critical", "P2": "P2 — high", "P3": "P3 — normal", "P4": "P4 — low"}[
            self.value
        ]


class EventKind(LabelledEnum):
    CREATED = "created"
    STATUS = "status"
    ASSIGNED = "assigned"
    PRIORITY = "priority"
    DUE_DATE = "due_date"
    ESCALATED = "escalated"
    ESCALATION_ACK = "escalation_ack"
    SNOOZED = "snoozed"
    LINKED = "linked"


class Fix(TimestampMixin, db.Model):
    __tablename__ = "fixes"
    __table_args__ = (
        sa.Index("ix_fixes_queue", "owner_team_id", "status", "due_at"),
        # The board counts the fixes created / resolved in a period by range.
        sa.Index("ix_fixes_created_at", "created_at"),
        sa.Index("ix_fixes_resolved_at", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    problem: Mapped[str] = mapped_column(sa.Text)
    owner_team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, 2), default=Priority.P3)
    status: Mapped[FixStatus] = mapped_column(default=FixStatus.OPEN, index=True)
    # Optimistic locking: every change bumps it; a stale form gets 409.
    version: Mapped[int] = mapped_column(default=1)
    ack_due_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")
    resolution_note: Mapped[str] = mapped_column(sa.Text, default="")
    root_cause_id: Mapped[int | None] = mapped_column(sa.ForeignKey("taxonomy_terms.id"))
    prevention: Mapped[str] = mapped_column(sa.Text, default="")
    reopen_count: Mapped[int] = mapped_column(default=0)
    recurrence_count: Mapped[int] = mapped_column(default=0)
    escalation_level: Mapped[int] = mapped_column(default=0)
    snoozed_until: Mapped[datetime | None]

    owner_team: Mapped[Team] = relationship(foreign_keys=[owner_team_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    root_cause: Mapped[TaxonomyTerm | None] = relationship()
    events: Mapped[list["FixEvent"]] = relationship(
        back_populates="fix", order_by="FixEvent.seq", viewonly=True
    )
    posts: Mapped[list[Post]] = relationship(
        primaryjoin=lambda: Fix.id == Post.fix_id,
        foreign_keys=lambda: [Post.fix_id],
        order_by=lambda: Post.id,
        viewonly=True,
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and (now or utcnow()) > self.due_at

    def ack_overdue(self, now: datetime | None = None) -> bool:
        return self.status == FixStatus.OPEN and (now or utcnow()) > self.ack_due_at


class FixEvent(db.Model):
    """One entry of a fix's history. Append-only and hash-chained per fix."""

    __tablename__ = "fix_events"
    __table_args__ = (
        sa.UniqueConstraint("fix_id", "seq"),
        # The board replays status moves (a fix's status at an instant) from this index alone.
        sa.Index("ix_fix_events_status_history", "fix_id", "kind", "at", "seq", "to_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fix_id: Mapped[int] = mapped_column(sa.ForeignKey("fixes.id"), index=True)
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    from_value: Mapped[str] = mapped_column(sa.String(40), default="")
    to_value: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    version_after: Mapped[int] = mapped_column(default=1)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    hash: Mapped[str] = mapped_column(sa.String(64))

    fix: Mapped[Fix] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Escalation(TimestampMixin, db.Model):
    """An overdue fix brought to someone's attention; it stays open until acknowledged, or
    until its fix is no longer open (resolved, verified, won't fix): then it is closed with it,
    and the fix's history entry for that move names it."""

    __tablename__ = "escalations"
    __table_args__ = (sa.UniqueConstraint("fix_id", "level", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fix_id: Mapped[int] = mapped_column(sa.ForeignKey("fixes.id", ondelete="CASCADE"), index=True)
    level: Mapped[int]  # 1: the owner team's lead, 2: the executive sponsor
    round: Mapped[int] = mapped_column(default=1)  # a reopened or re-dated fix escalates afresh
    to_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    fix: Mapped[Fix] = relationship()

    @property
    def is_waiting(self) -> bool:
        """Still asks its recipient to act."""
        return self.acknowledged_at is None and self.closed_at is None

    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])


class FixComment(TimestampMixin, db.Model):
    __tablename__ = "fix_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    fix_id: Mapped[int] = mapped_column(sa.ForeignKey("fixes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)

    author: Mapped[User] = relationship()


class SlaTarget(db.Model):
    """Per priority: hours to acknowledge and days to resolve."""

    __tablename__ = "sla_targets"

    priority: Mapped[Priority] = mapped_column(enum_type(Priority, 2), primary_key=True)
    ack_hours: Mapped[int]
    resolve_days: Mapped[int]


DEFAULT_SLA = {"P1": (4, 3), "P2": (24, 10), "P3": (72, 30), "P4": (120, 90)}
