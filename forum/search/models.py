"""The search documents: what was indexed, for whom, and the text snippets are cut from.

Each engine adds its own index beside this table (migration 0006_search): on SQLite the FTS5
table ``search_index`` (one row per document, same id), on PostgreSQL the ``tsv`` column and
its GIN index. Both are hand-made, so alembic is told to look away from them (migrations/env.py).
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db


class SearchDocument(db.Model):
    """One indexed thing (a post, a comment, a fix...) and the result it leads to (its target)."""

    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "source_id"),
        sa.Index("ix_search_documents_target", "target", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "post", "comment", "fix", ...
    source_id: Mapped[int]
    target: Mapped[str] = mapped_column(sa.String(20))  # "post" or "fix": what a hit opens
    target_id: Mapped[int]
    # Only viewers allowed restricted text (internal notes) may match or see it.
    restricted: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.Text, default="")
    extra: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
