"""Offset pagination for admin-sized lists (feeds use keyset pagination instead)."""

from dataclasses import dataclass
from math import ceil

import sqlalchemy as sa
from flask import abort

from forum.core.params import page_arg
from forum.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query: sa.Select, per_page: int = 50) -> Page:
    """Run ``query`` for the requested page; a page past the end is a 404 (except page 1)."""
    page = page_arg()
    counted = query.order_by(None).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    if page > 1 and (page - 1) * per_page >= total:
        abort(404)
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)
