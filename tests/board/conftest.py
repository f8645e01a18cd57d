"""Fixtures for the board tests: generated organisations and filters over them."""

import pytest
from werkzeug.datastructures import MultiDict

from forum.board import filters, queries
from forum.extensions import db
from tests.board import world as generator
from tests.conftest import wipe


@pytest.fixture(scope="module")
def shared_app(module_app):
    """The session's app for a module whose tests only read a world built once
    (see ``shared_world``); the tables are emptied before and after the module."""
    return module_app


def shared_world(app, seed: int):
    """Build the world of ``seed`` in an emptied database (the caller wipes afterwards)."""
    wipe(app)
    with app.app_context():
        result = generator.build(seed)
        db.session.commit()
    return result


@pytest.fixture
def build(app):
    """``build(seed)`` writes a generated organisation and returns its records."""

    def _build(seed: int, **kwargs) -> generator.World:
        with app.app_context():
            result = generator.build(seed, **kwargs)
            db.session.commit()
            return result

    return _build


@pytest.fixture
def board_filter():
    """``board_filter(world, region=..., ...)``: a parsed filter (call inside an app context)."""

    def _filter(world: generator.World, **args) -> filters.BoardFilter:
        return filters.parse(
            MultiDict({k: str(v) for k, v in args.items()}),
            queries.teams(),
            world.now.date(),
            allow_all=True,
        )

    return _filter
