"""Migration 0006_search: an existing database becomes searchable, and autogenerate stays quiet
about the hand-made index objects."""

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from forum import search
from forum.extensions import db
from forum.search.models import SearchDocument

pytestmark = pytest.mark.committed  # migrations run on their own connection


def _documents() -> set[tuple]:
    rows = db.session.execute(
        sa.select(
            SearchDocument.kind,
            SearchDocument.source_id,
            SearchDocument.target,
            SearchDocument.target_id,
            SearchDocument.restricted,
            SearchDocument.title,
            SearchDocument.extra,
            SearchDocument.body,
        )
    ).all()
    return {tuple(r) for r in rows}


def _migrate_again(app) -> None:
    with app.app_context():
        db.session.remove()
        downgrade(revision="0005_board")
        upgrade()
        db.session.remove()


def test_upgrading_indexes_what_the_database_already_holds(app, corpus):
    with app.app_context():
        indexed_live = _documents()
    _migrate_again(app)
    with app.app_context():
        assert _documents() == indexed_live
        hits = search.search("deliverables", {"post": None}).hits
        assert [(h.target, h.target_id) for h in hits] == [corpus.ids["pricing"]]
        hits = search.search("staffing", {"post": None}, include_restricted=True).hits
        assert [(h.target, h.target_id) for h in hits] == [corpus.ids["onboarding"]]


def test_the_schema_matches_the_models_without_the_hand_made_index(app):
    with app.app_context():
        db.session.remove()
        check()  # exits with an error when autogenerate finds a difference
