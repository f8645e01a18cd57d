"""What an import leaves behind: its run with the summary, its rejected rows, and the CRM's
competitor and loss-reason names with the taxonomy term an admin mapped them to (or none yet)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.auth.models import User
from forum.core.models import TimestampMixin
from forum.core.time import utcnow
from forum.extensions import db
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm


class CrmImport(TimestampMixin, db.Model):
    """One run of the import (from the command line or the admin page)."""

    __tablename__ = "crm_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(20))  # "command line" or "upload"
    files: Mapped[str] = mapped_column(sa.String(300), default="")
    formats: Mapped[str] = mapped_column(sa.String(60), default="")
    finished_at: Mapped[datetime | None]
    # {"accounts": {"created": n, "updated": n, "unchanged": n, "rejected": n}, ...}
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class CrmRejection(db.Model):
    """A row left out, and why: the rejected-rows report."""

    __tablename__ = "crm_rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        sa.ForeignKey("crm_imports.id", ondelete="CASCADE"), index=True
    )
    file: Mapped[str] = mapped_column(sa.String(20))  # "accounts" or "opportunities"
    row: Mapped[int]
    column: Mapped[str] = mapped_column(sa.String(80), default="")
    reason: Mapped[str] = mapped_column(sa.String(300))


class CrmTermName(db.Model):
    """A competitor or loss-reason name met in an export that matches no taxonomy term.

    Unmapped (``term_id`` empty) it waits on the admin page; once mapped, later imports read it
    as that term. Never a term created silently."""

    __tablename__ = "crm_term_names"
    __table_args__ = (sa.UniqueConstraint("kind", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaxonomyKind]
    name: Mapped[str] = mapped_column(sa.String(80))
    name_key: Mapped[str] = mapped_column(sa.String(80))
    term_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("taxonomy_terms.id", ondelete="SET NULL")
    )
    rows: Mapped[int] = mapped_column(default=0)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[TaxonomyTerm | None] = relationship()
