"""Identities at an OpenID Connect provider: provider + subject, linked to one user."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.models import TimestampMixin
from forum.extensions import db


class UserIdentity(TimestampMixin, db.Model):
    """``(provider, subject)`` names one person at one provider for good (OIDC Core 5.7: the
    e-mail may change, the subject does not); it leads to exactly one user."""

    __tablename__ = "user_identities"
    __table_args__ = (
        sa.UniqueConstraint("provider", "subject"),
        sa.UniqueConstraint("user_id", "provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str] = mapped_column(sa.String(254), default="")  # as the provider said, last
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
