"""The one page an outsider can write to answers 302, 400 or 404 — never 5xx — whatever its
fields hold (the values of tests/core/test_fuzz_forms.py), and a refused answer stores nothing."""

from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.buyers.models import BuyerResponse
from forum.extensions import db
from tests.buyers.helpers import ANSWERS, deal, link
from tests.core.test_fuzz_forms import value

FIELDS = [*ANSWERS, "main_reason", "delivery_rating", "consent_to_quote", "outcome"]


@pytest.fixture
def survey(app):
    d = deal(app)
    _, path = link(app, d)
    return path


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), st.lists(value, min_size=0, max_size=2)))
def test_no_survey_answer_breaks_the_page(app, client, survey, data):
    app.config["BUYER_LIMIT_PER_TOKEN"] = "10000 per hour"
    app.config["BUYER_LIMIT_PER_ADDRESS"] = "10000 per hour"
    token = client.csrf_token or client.refresh_csrf(survey)
    pairs = [("csrf_token", token.encode())] + [(k, v) for k, vs in data.items() for v in vs]
    response = client.post(
        survey,
        data=urlencode(pairs).encode(),
        content_type="application/x-www-form-urlencoded",
        csrf=False,
    )
    assert response.status_code in {302, 400, 404}, response.get_data(as_text=True)[:300]
    with app.app_context():
        stored = db.session.scalar(sa.select(sa.func.count(BuyerResponse.id)))
    assert stored <= 1  # one link, one answer, whatever came before
    if response.status_code == 302:
        assert stored == 1
