"""Personal access tokens for the JSON API: only a hash is stored, with a visible prefix."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.models import LabelledEnum, TimestampMixin
from forum.core.time import utcnow
from forum.extensions import db


class Scope(LabelledEnum):
    READ = "read"  # GET only
    WRITE = "write"  # also POST, PATCH, DELETE

    @property
    def label(self) -> str:
        return {"read": "Read only", "write": "Read and write"}[self.value]


class ApiToken(TimestampMixin, db.Model):
    """A user's personal access token. It works while it is neither revoked nor expired, its
    user is active and their session version is the one it was made under (a logout, a new
    password or a deactivation ends every token as it ends every cookie)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # "vos_" and the first characters of the secret: shown in lists so people recognise it.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[Scope] = mapped_column()
    session_version: Mapped[int] = mapped_column()
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    last_used_ip: Mapped[str | None] = mapped_column(sa.String(45))

    user: Mapped[User] = relationship()

    @property
    def may_write(self) -> bool:
        return self.scope == Scope.WRITE

    def is_live(self, now: datetime | None = None) -> bool:
        """Not revoked, not expired, and its user still signed in as when it was made."""
        now = now or utcnow()
        user = self.user
        return (
            self.revoked_at is None
            and (self.expires_at is None or now < self.expires_at)
            and user.active
            and user.session_version == self.session_version
        )
