"""Taxonomy terms and tags."""

import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.models import LabelledEnum, TimestampMixin
from forum.extensions import db


class TaxonomyKind(LabelledEnum):
    COMPETITOR = "competitor"
    REASON = "reason"
    ROOT_CAUSE = "root_cause"


class ReasonBranch(LabelledEnum):
    """Win/loss reasons are grouped; the delivery/operations branch can point at a fix."""

    PRODUCT = "product"
    PRICE = "price"
    RELATIONSHIP = "relationship"
    DELIVERY = "delivery"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "product": "Product and fit",
            "price": "Price and terms",
            "relationship": "Relationship and process",
            "delivery": "Delivery / operations",
            "other": "Other",
        }[self.value]


class TaxonomyTerm(TimestampMixin, db.Model):
    __tablename__ = "taxonomy_terms"
    __table_args__ = (sa.UniqueConstraint("kind", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaxonomyKind] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    name_key: Mapped[str] = mapped_column(sa.String(80))
    branch: Mapped[str] = mapped_column(sa.String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_operations(self) -> bool:
        return self.branch == ReasonBranch.DELIVERY

    @property
    def branch_label(self) -> str:
        return ReasonBranch(self.branch).label if self.branch else ""


_TAG_RE = re.compile(r"[^\w\- ]+")


def normalize_tag(raw: str) -> str:
    """'  On-Time Delivery! ' -> 'on-time-delivery'."""
    text = unicodedata.normalize("NFKC", raw or "").casefold()
    text = _TAG_RE.sub("", text).strip()
    return re.sub(r"[\s_]+", "-", text)[:40].strip("-")


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
