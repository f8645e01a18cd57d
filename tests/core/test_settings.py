"""Settings are read once per transaction, all of them in one statement, and never stale: a
write in this session is seen at once, another connection's after this transaction ends."""

import pytest
import sqlalchemy as sa

from forum.core import settings
from forum.extensions import db


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_every_setting_a_page_reads_costs_one_statement_stored_or_not(ctx, count_queries):
    settings.put("verify_window_days", 9)
    db.session.commit()
    with count_queries() as statements:
        assert settings.get("verify_window_days") == 9
        assert settings.get("triage_target_hours") == settings.DEFAULTS["triage_target_hours"]
        assert settings.get_text("time_zone") == "UTC"
        assert settings.get("alert_min_impact") == settings.DEFAULTS["alert_min_impact"]
    assert len(statements) == 1


def test_a_setting_written_in_this_session_is_read_back_at_once(ctx):
    assert settings.get("sponsor_after_hours") == settings.DEFAULTS["sponsor_after_hours"]
    settings.put("sponsor_after_hours", 5)
    assert settings.get("sponsor_after_hours") == 5
    settings.put_text("time_zone", "Asia/Tokyo")
    assert settings.get_text("time_zone") == "Asia/Tokyo"


def test_a_row_added_or_changed_directly_is_read_back_before_any_flush(ctx):
    assert settings.get("customer_told_days") == settings.DEFAULTS["customer_told_days"]
    db.session.add(settings.Setting(key="customer_told_days", value=3))
    assert settings.get("customer_told_days") == 3
    db.session.get(settings.Setting, "customer_told_days").value = 4
    assert settings.get("customer_told_days") == 4


def test_a_rolled_back_write_is_forgotten(ctx):
    settings.put("verify_window_days", 30)
    db.session.rollback()
    assert settings.get("verify_window_days") == settings.DEFAULTS["verify_window_days"]


@pytest.mark.committed
def test_another_connections_write_is_seen_once_this_transaction_ends(ctx):
    assert settings.get("buyer_retention_months") == settings.DEFAULTS["buyer_retention_months"]
    with db.engine.begin() as other:
        other.execute(sa.insert(settings.Setting).values(key="buyer_retention_months", value=2))
    db.session.commit()
    assert settings.get("buyer_retention_months") == 2
