"""Helpers for the core tests."""

import pytest
import sqlalchemy as sa

from forum.extensions import db


@pytest.fixture
def row_counts(app):
    """``row_counts()``: the number of rows in every table, to show a request stored nothing."""

    def _counts() -> dict[str, int]:
        with app.app_context():
            return {
                table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
                for table in db.metadata.sorted_tables
            }

    return _counts
