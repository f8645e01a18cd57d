"""schemathesis against a live server: every operation of the OpenAPI document, with a token,
answers no 500 and only what the document says (status, content type and body schema).

Bounded: a few generated cases per operation and mode, a fixed seed (``derandomize``), no
example database; the whole run takes seconds.
"""

import threading

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from werkzeug.serving import make_server

from forum.api import tokens
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import PostKind
from forum.fixes import creation
from tests import factories

pytestmark = [pytest.mark.committed, pytest.mark.slow]

EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture
def server(app):
    """The app on 127.0.0.1 (port 0, read back), in a thread stopped afterwards."""
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{served.server_port}"
    served.shutdown()
    thread.join(10)
    served.server_close()


@pytest.fixture
def token(app) -> str:
    """A leader's write token, in a world with a report, a shielded report and a fix."""
    with app.app_context():
        region = factories.team("sales")
        rep = factories.user("rep", team_obj=region)
        leader = factories.user("leader")
        ops = factories.team("operations")
        report = posts.create_post(
            rep, posts.PostInput(kind=PostKind.FIELD_FEEDBACK, title="Invoices", body="In EUR")
        )
        posts.create_post(
            rep,
            posts.PostInput(kind=PostKind.FIELD_FEEDBACK, title="Pricing", body="b", shielded=True),
        )
        creation.create_fix(
            title="EUR invoices",
            problem="Buyers want them.",
            owner_team_id=ops.id,
            priority="P2",
            actor=leader,
            posts=[report],
        )
        _, raw = tokens.create_token(
            leader, name="schemathesis", scope="write", expires_on=None, today=utcnow().date()
        )
        db.session.commit()
        return raw


def test_every_operation_answers_as_its_document_says(server, token):
    schema = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json", timeout=10)
    headers = {"Authorization": f"Bearer {token}"}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis.settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                response = case.call(base_url=server, headers=headers, timeout=10)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure
                failures.append(f"{operation.label} ({mode}): {str(exc)[:1500]}")
    assert operations >= 15
    assert not failures, "\n\n".join(failures)
