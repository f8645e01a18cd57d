"""The demo's fixes seeded into a database that already holds reports (not the shared demo)."""

from datetime import timedelta

import pytest

from forum.core.time import utcnow
from forum.demo import seed
from forum.extensions import db
from forum.feedback.models import Post
from tests import factories
from tests.fixes import builders

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


PASSWORD = "demo-password-for-tests"


def test_demo_fixes_gather_untriaged_demo_reports_first(app):
    with app.app_context():
        org = builders.org()
        shipping = factories.team("operations", name="Shipping & Logistics")
        long_ago = utcnow() - timedelta(days=400)
        reports = [
            builders.report(
                org.user("rep_reporter"),
                team_id=shipping.id,
                title=f"Late shipment {n}",
                at=long_ago + timedelta(hours=n),
            )
            for n in range(9)
        ]
        db.session.commit()
        seed(PASSWORD)
        db.session.commit()
        statuses = [db.session.get(Post, p.id).status for p in reports]
    # The oldest is taken; the eight newest stay in the triage inbox.
    assert statuses == ["linked"] + ["new"] * 8
