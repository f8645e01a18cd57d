"""Customer accounts."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import Team, User
from forum.core.models import LabelledEnum, TimestampMixin
from forum.extensions import db


class Segment(LabelledEnum):
    ENTERPRISE = "enterprise"
    MID_MARKET = "mid_market"
    SMB = "smb"
    PUBLIC_SECTOR = "public_sector"

    @property
    def label(self) -> str:
        return {
            "enterprise": "Enterprise",
            "mid_market": "Mid-market",
            "smb": "Small business",
            "public_sector": "Public sector",
        }[self.value]


class Account(TimestampMixin, db.Model):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(120), index=True)
    segment: Mapped[str] = mapped_column(sa.String(20), default="")
    region_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    arr: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    arr_currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")
    crm_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # The account's owner in the CRM (the import keeps it; an erased owner leaves it empty).
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    region: Mapped[Team | None] = relationship()
    owner: Mapped[User | None] = relationship()

    @property
    def segment_label(self) -> str:
        return Segment(self.segment).label if self.segment else ""
