"""Helpers for the JSON API's tests: tokens made through the service, requests that carry them."""

from datetime import date

import pytest

from forum.api import tokens
from forum.auth.models import User
from forum.core.time import utcnow
from forum.extensions import db


@pytest.fixture
def make_token(app):
    """``make_token(who, scope="write")``: a committed token of ``who``; returns its secret."""

    def _make(who, scope: str = "write", expires_on: date | None = None) -> str:
        with app.app_context():
            user = db.session.get(User, who.id)
            _, raw = tokens.create_token(
                user, name="test", scope=scope, expires_on=expires_on, today=utcnow().date()
            )
            db.session.commit()
            return raw

    return _make


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def error_of(response) -> dict:
    """The API's one error shape, checked; returns its inner object."""
    data = response.get_json()
    assert set(data) == {"error"}, data
    assert set(data["error"]) == {"code", "message", "details"}, data
    assert data["error"]["message"]
    return data["error"]
