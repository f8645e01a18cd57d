"""Users, teams and single-use tokens."""

import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.models import LabelledEnum, TimestampMixin
from forum.extensions import db


class Role(LabelledEnum):
    REP = "rep"
    OPS = "ops"
    LEADER = "leader"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"rep": "Sales rep", "ops": "Operations", "leader": "Leader", "admin": "Admin"}[
            self.value
        ]


class TeamKind(LabelledEnum):
    SALES = "sales"
    OPERATIONS = "operations"

    @property
    def label(self) -> str:
        return {"sales": "Sales region", "operations": "Operations team"}[self.value]


class TokenPurpose(LabelledEnum):
    INVITE = "invite"
    RESET = "reset"


def erased_email(user_id: int) -> str:
    """The address an erased person's row keeps: unique, and never deliverable (RFC 6761)."""
    return f"erased-{user_id}@invalid"


def normalize_email(value: str) -> str:
    """Strip, NFKC-normalise and casefold an address so look-alikes collide."""
    return unicodedata.normalize("NFKC", value or "").strip().casefold()


def normalize_name(value: str) -> str:
    """Names are stored NFKC-normalised with inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


class Team(TimestampMixin, db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    name_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[TeamKind] = mapped_column()
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", use_alter=True, ondelete="SET NULL")
    )
    sponsor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", use_alter=True, ondelete="SET NULL")
    )

    members: Mapped[list["User"]] = relationship(
        back_populates="team", foreign_keys="User.team_id", order_by="User.display_name"
    )
    lead: Mapped["User | None"] = relationship(foreign_keys=[lead_id], post_update=True)
    sponsor: Mapped["User | None"] = relationship(foreign_keys=[sponsor_id], post_update=True)

    @property
    def is_operations(self) -> bool:
        return self.kind == TeamKind.OPERATIONS

    def __repr__(self) -> str:
        return f"<Team {self.name!r}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[Role] = mapped_column()
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Bumped on logout, password change and deactivation: every older cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]
    # Each list's last filters and the person's named views (forum/auth/list_memory.py).
    list_filters: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    # While single sign-on is required, an admin may still sign in with their password until
    # this moment (`flask break-glass`); None: never.
    break_glass_until: Mapped[datetime | None]
    # An IANA zone (forum.core.zones) from the browser at the first sign-in or the person's
    # settings; None: the organisation's.
    time_zone: Mapped[str | None] = mapped_column(sa.String(60))

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_erased(self) -> bool:
        """Whether an admin erased this person (``forum.privacy``): the row stays, for what
        they wrote and the fix histories, but names nobody any more."""
        return self.id is not None and self.email == erased_email(self.id)

    def get_id(self) -> str:
        # The session carries the version, so bumping it logs every other session out.
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"


class AuthToken(TimestampMixin, db.Model):
    """A single-use, expiring token bound to one user; only its hash is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column()
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
