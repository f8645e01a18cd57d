"""Offset pagination for admin-sized lists (feeds use keyset pagination instead)."""

from dataclasses import dataclass
from math import ceil

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from forum.core.params import page_arg
from forum.extensions import db


@dataclass
class Page:
    """A page built by hand, for results that do not come from one ``select`` (search)."""

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


def paginate(query: sa.Select, per_page: int = 50) -> Pagination:
    """Run ``query`` for the requested page; a page past the end is a 404 (except page 1)."""
    return db.paginate(query, page=page_arg(), per_page=per_page)
