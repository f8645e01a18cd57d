"""Catalog entries published by operations teams."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import Team, User
from forum.core.models import TimestampMixin
from forum.core.time import utcnow
from forum.extensions import db

STALE_AFTER = timedelta(days=90)


class Commitment(TimestampMixin, db.Model):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    promise: Mapped[str] = mapped_column(sa.String(300))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    last_confirmed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(default=True)

    team: Mapped[Team] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    def is_stale(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) - self.last_confirmed_at > STALE_AFTER
